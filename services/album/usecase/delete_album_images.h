// Deletes images (spec §2.4.6, weak point 20): the rows first, in one transaction, then their
// original, thumbnail and preview objects, each delete retried a few times on failure; what is
// still left is logged (an orphan object, never a row without its object). Unknown ids are
// ignored. Thread-safe (no state of its own).
// Errors: InvalidArgument "INVALID_IMAGE_ID" (an element is not a UUID: nothing is deleted),
// "IMAGE_IDS_REQUIRED" (empty), "TOO_MANY_IMAGE_IDS" (over kMaxDeleteIds); Unavailable.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "hatongsu/storage/object_store.h"
#include "services/album/port/album_image_repository.h"

namespace hatongsu::album {

inline constexpr std::size_t kMaxDeleteIds = 1000;

struct DeleteResult {
    bool success = false;  // deleted_count > 0
    int deleted_count = 0;
    int objects_left = 0;  // objects that could not be deleted (logged)
};

struct DeleteRetry {
    int attempts = 3;                        // per object
    std::chrono::milliseconds backoff{100};  // doubled after each failed attempt
};

class DeleteAlbumImages final {
public:
    DeleteAlbumImages(
        AlbumImageRepository& images, storage::ObjectStore& store, DeleteRetry retry = {})
        : images_(images), store_(store), retry_(retry) {}
    absl::StatusOr<DeleteResult> Execute(const std::vector<std::string>& image_ids);

private:
    AlbumImageRepository& images_;  // owned by main, outlives this object
    storage::ObjectStore& store_;
    const DeleteRetry retry_;
};

// Deletes `key` from `store`, retrying failures `retry.attempts` times; the last status. Shared
// with ProcessUpload (staging and compensation deletes).
absl::Status DeleteObjectWithRetry(
    storage::ObjectStore& store, const std::string& key, DeleteRetry retry);

}  // namespace hatongsu::album
