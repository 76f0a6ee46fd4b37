// AlbumImageRepository that forwards every call to another one, for fault-injecting test wrappers
// that override the one call they break (LevelDB's EnvWrapper idea). Tests only.
#pragma once

#include "services/album/port/album_image_repository.h"

namespace hatongsu::album::testing {

class ForwardingAlbumImageRepository : public AlbumImageRepository {
public:
    // `inner` outlives the wrapper.
    explicit ForwardingAlbumImageRepository(AlbumImageRepository& inner) : inner_(inner) {}

    absl::StatusOr<ImagePage> List(const ImagePageQuery& q) override { return inner_.List(q); }
    absl::StatusOr<std::vector<AlbumImage>> ListCaptureOrder(
        const std::optional<CaptureKey>& after, int limit) override {
        return inner_.ListCaptureOrder(after, limit);
    }
    absl::StatusOr<std::optional<CapturePosition>> CapturePositionOf(
        const std::string& id) override {
        return inner_.CapturePositionOf(id);
    }
    absl::StatusOr<std::optional<AlbumImage>> AtCapturePosition(int64_t p) override {
        return inner_.AtCapturePosition(p);
    }
    absl::StatusOr<std::vector<DateCount>> CountByDate(LocalDateTime a, LocalDateTime b) override {
        return inner_.CountByDate(a, b);
    }
    absl::StatusOr<std::optional<AlbumImage>> FindById(const std::string& id) override {
        return inner_.FindById(id);
    }
    absl::StatusOr<std::optional<AlbumImage>> FindBySha256(const std::string& sha) override {
        return inner_.FindBySha256(sha);
    }
    absl::StatusOr<std::vector<AlbumImage>> DeleteByIds(
        const std::vector<std::string>& ids) override {
        return inner_.DeleteByIds(ids);
    }
    absl::StatusOr<std::vector<AlbumImage>> GallerySpots() override {
        return inner_.GallerySpots();
    }
    absl::Status SetGallerySpot(const std::string& id, SpotType s) override {
        return inner_.SetGallerySpot(id, s);
    }
    absl::Status Insert(const AlbumImage& image) override { return inner_.Insert(image); }
    absl::Status InsertForUpload(const AlbumImage& image, const UploadFileRef& file) override {
        return inner_.InsertForUpload(image, file);
    }

protected:
    AlbumImageRepository& inner_;
};

}  // namespace hatongsu::album::testing
