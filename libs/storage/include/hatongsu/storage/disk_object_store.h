// DiskObjectStore: the ObjectStore on a local folder (the default backend). An object is the file
// <root>/<key>; a writer fills a uniquely named file under <root>/.tmp/ and Commit fsyncs it and
// renames it into place, so readers see the whole object or nothing. Keys whose first segment is
// ".tmp" are refused (InvalidArgument). The content type is not stored: Stat derives it from the
// key's extension (ContentTypeForKey), which is how our keys are made (<uuid>.<ext>). Thread-safe:
// no state beyond the folder, and every writer has its own temporary file.
//
//   CORE_ASSIGN_OR_RETURN(auto store, DiskObjectStore::Open({.root = "./var/objects",
//                                                            .public_base_url =
//                                                            "http://host:4000"}));
//   CORE_ASSIGN_OR_RETURN(std::filesystem::path file, store->LocalPath("ab12.jpg"));  // GET /files
//
// Errors beyond the port's: PermissionDenied (the folder refuses us), ResourceExhausted (disk
// full), FailedPrecondition (a key and a folder of other keys collide, e.g. "a" and "a/b").
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "hatongsu/storage/object_store.h"

namespace hatongsu::storage {

// image/jpeg, image/png, image/webp, image/heic, image/gif by the (case-insensitive) extension of
// the key's last segment; application/octet-stream otherwise.
std::string ContentTypeForKey(std::string_view key);

struct DiskOptions {
    std::filesystem::path root = "./var/objects";
    // Base URL of the gateway that serves GET /files/<key> (no trailing slash needed).
    std::string public_base_url = "http://localhost:4000";
};

class DiskObjectStore final : public ObjectStore {
public:
    // Creates the root and its .tmp folder when missing; the root is made absolute.
    static absl::StatusOr<std::unique_ptr<DiskObjectStore>> Open(DiskOptions options);

    absl::StatusOr<std::unique_ptr<ObjectWriter>> Create(std::string key, ObjectInfo info) override;
    [[nodiscard]] absl::Status Put(
        std::string key, std::string_view bytes, ObjectInfo info) override;
    absl::StatusOr<std::string> Get(std::string_view key, uint64_t max_bytes) override;
    [[nodiscard]] absl::Status Copy(
        std::string_view from, std::string key, ObjectInfo info) override;
    absl::StatusOr<ObjectStat> Stat(std::string_view key) override;
    [[nodiscard]] absl::Status Delete(std::string_view key) override;
    // Sorted keys; the prefix follows the key rules except that it may be empty or end in '/'.
    absl::StatusOr<std::vector<std::string>> List(
        std::string_view prefix, std::size_t limit) override;
    std::string PublicUrl(std::string_view key) const override;

    // The file holding the object, for serving it without reading it into memory (the gateway's
    // GET /files). InvalidArgument for a bad key (checked before touching the disk), NotFound when
    // there is no such object. The file may be replaced or deleted later; open it once and serve
    // from that descriptor.
    absl::StatusOr<std::filesystem::path> LocalPath(std::string_view key) const;

    // Removes temporary files last modified before `older_than`: what writers left behind when the
    // process died mid-write. Returns how many were removed. Pick a cut-off well beyond the longest
    // upload, since a live writer's file is indistinguishable from an abandoned one.
    absl::StatusOr<std::size_t> SweepTemp(std::chrono::system_clock::time_point older_than);

    const std::filesystem::path& Root() const { return root_; }
    const std::filesystem::path& TempDir() const { return temp_dir_; }

private:
    DiskObjectStore(std::filesystem::path root, std::string public_base_url);

    const std::filesystem::path root_;
    const std::filesystem::path temp_dir_;
    const std::string public_base_url_;
};

}  // namespace hatongsu::storage
