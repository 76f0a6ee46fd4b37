#include "services/album/usecase/delete_album_images.h"

#include <set>
#include <thread>

#include "hatongsu/core/status_macros.h"
#include "hatongsu/core/text.h"
#include "hatongsu/log/log.h"

namespace hatongsu::album {

absl::Status DeleteObjectWithRetry(
    storage::ObjectStore& store, const std::string& key, DeleteRetry retry) {
    absl::Status last = absl::OkStatus();
    std::chrono::milliseconds wait = retry.backoff;
    for (int attempt = 0; attempt < std::max(1, retry.attempts); ++attempt) {
        if (attempt > 0 && wait.count() > 0) {
            std::this_thread::sleep_for(wait);
            wait *= 2;
        }
        last = store.Delete(key);
        // A key this store cannot hold (a row of the original service named "<id>-<name>") will
        // never delete: no point in retrying.
        if (last.ok() || last.code() == absl::StatusCode::kInvalidArgument) {
            break;
        }
    }
    return last;
}

absl::StatusOr<DeleteResult> DeleteAlbumImages::Execute(const std::vector<std::string>& image_ids) {
    if (image_ids.empty()) {
        return absl::InvalidArgumentError("IMAGE_IDS_REQUIRED");
    }
    if (image_ids.size() > kMaxDeleteIds) {
        return absl::InvalidArgumentError("TOO_MANY_IMAGE_IDS");
    }
    std::set<std::string> unique;
    for (const std::string& id : image_ids) {
        if (!core::IsUuid(id)) {
            return absl::InvalidArgumentError("INVALID_IMAGE_ID");
        }
        unique.insert(core::AsciiLower(id));
    }
    CORE_ASSIGN_OR_RETURN(
        auto deleted, images_.DeleteByIds(std::vector<std::string>(unique.begin(), unique.end())));
    DeleteResult result;
    result.deleted_count = static_cast<int>(deleted.size());
    result.success = result.deleted_count > 0;
    for (const AlbumImage& image : deleted) {
        for (const std::string* key :
             {&image.object_key, &image.thumbnail_key, &image.preview_key}) {
            if (key->empty()) {
                continue;
            }
            absl::Status s = DeleteObjectWithRetry(store_, *key, retry_);
            if (!s.ok()) {
                ++result.objects_left;
                log::Warn(
                    "object of a deleted image left behind",
                    {{"image_id", image.id}, {"key", *key}, {"error", std::string(s.message())}});
            }
        }
    }
    return result;
}

}  // namespace hatongsu::album
