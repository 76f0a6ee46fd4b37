// In-memory fakes of the album service's ports for use-case unit tests, with the observable rules
// of the PostgreSQL adapters (testing/repository_contract.h checks both). Thread-safe (one mutex
// each). Fault injection: FailNext("MethodName", status) makes the next call of that method
// return `status` without doing anything.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hatongsu/core/random.h"
#include "services/album/port/album_image_repository.h"
#include "services/album/port/id_generator.h"
#include "services/album/port/image_processor.h"
#include "services/album/port/upload_batch_repository.h"

namespace hatongsu::album::testing {

class Faults {
public:
    void FailNext(const std::string& method, absl::Status status) {
        std::lock_guard lock(mu_);
        faults_[method] = std::move(status);
    }
    absl::Status Take(const std::string& method) {
        std::lock_guard lock(mu_);
        auto it = faults_.find(method);
        if (it == faults_.end()) {
            return absl::OkStatus();
        }
        absl::Status s = std::move(it->second);
        faults_.erase(it);
        return s;
    }

private:
    std::mutex mu_;
    std::map<std::string, absl::Status> faults_;
};

class InMemoryUploadBatchRepository final : public UploadBatchRepository {
public:
    void FailNext(const std::string& method, absl::Status status) {
        faults_.FailNext(method, std::move(status));
    }

    absl::Status Create(
        const std::string& batch_id, const std::vector<NewUploadFile>& files) override {
        if (auto s = faults_.Take("Create"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        if (batches_.contains(batch_id)) {
            return absl::AlreadyExistsError("already exists");
        }
        UploadBatch& b = batches_[batch_id];
        b.id = batch_id;
        for (std::size_t i = 0; i < files.size(); ++i) {
            b.files.push_back({static_cast<int>(i), files[i], UploadStatus::kQueued, "", ""});
        }
        return absl::OkStatus();
    }
    absl::StatusOr<UploadBatch> Get(const std::string& batch_id) override {
        if (auto s = faults_.Take("Get"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        auto it = batches_.find(batch_id);
        if (it == batches_.end()) {
            return absl::NotFoundError("BATCH_NOT_FOUND");
        }
        return it->second;
    }
    absl::StatusOr<UploadFileRecord> StartProcessing(
        const std::string& batch_id, int index, const std::string& new_image_id) override {
        if (auto s = faults_.Take("StartProcessing"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        UploadFileRecord* f = FindLocked(batch_id, index);
        if (f == nullptr) {
            return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
        }
        if (f->status == UploadStatus::kQueued) {
            f->status = UploadStatus::kProcessing;
            f->image_id = new_image_id;
        }
        return *f;
    }
    absl::Status MarkDone(
        const std::string& batch_id, int index, const std::string& image_id) override {
        return Finish("MarkDone", batch_id, index, UploadStatus::kDone, image_id, "");
    }
    absl::Status MarkDuplicate(
        const std::string& batch_id, int index, const std::string& existing_image_id) override {
        return Finish(
            "MarkDuplicate", batch_id, index, UploadStatus::kDuplicate, existing_image_id, "");
    }
    absl::Status MarkFailed(
        const std::string& batch_id, int index, const std::string& reason) override {
        return Finish("MarkFailed", batch_id, index, UploadStatus::kFailed, "", reason);
    }
    // For InMemoryAlbumImageRepository::InsertForUpload (its "transaction").
    bool Exists(const std::string& batch_id, int index) {
        std::lock_guard lock(mu_);
        return FindLocked(batch_id, index) != nullptr;
    }
    void MarkDoneUnchecked(const std::string& batch_id, int index, const std::string& image_id) {
        std::lock_guard lock(mu_);
        if (UploadFileRecord* f = FindLocked(batch_id, index);
            f != nullptr && !IsFinal(f->status)) {
            f->status = UploadStatus::kDone;
            f->image_id = image_id;
        }
    }

private:
    absl::Status Finish(
        const std::string& method,
        const std::string& batch_id,
        int index,
        UploadStatus status,
        const std::string& image_id,
        const std::string& reason) {
        if (auto s = faults_.Take(method); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        UploadFileRecord* f = FindLocked(batch_id, index);
        if (f == nullptr) {
            return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
        }
        if (!IsFinal(f->status)) {
            f->status = status;
            f->image_id = image_id;
            f->reason = reason;
        }
        return absl::OkStatus();
    }
    UploadFileRecord* FindLocked(const std::string& batch_id, int index) {
        auto it = batches_.find(batch_id);
        if (it == batches_.end() || index < 0 ||
            index >= static_cast<int>(it->second.files.size())) {
            return nullptr;
        }
        return &it->second.files[static_cast<std::size_t>(index)];
    }

    Faults faults_;
    std::mutex mu_;
    std::map<std::string, UploadBatch> batches_;
};

// created_at/updated_at come from a counter (1 ms per write from 2025-01-01), so they are
// distinct and increasing.
class InMemoryAlbumImageRepository final : public AlbumImageRepository {
public:
    explicit InMemoryAlbumImageRepository(InMemoryUploadBatchRepository* batches = nullptr)
        : batches_(batches) {}
    void FailNext(const std::string& method, absl::Status status) {
        faults_.FailNext(method, std::move(status));
    }
    std::size_t Size() {
        std::lock_guard lock(mu_);
        return rows_.size();
    }
    int InsertCount() { return inserts_.load(); }

    absl::StatusOr<ImagePage> List(const ImagePageQuery& query) override {
        if (auto s = faults_.Take("List"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        std::vector<AlbumImage> all = AllLocked();
        std::stable_sort(all.begin(), all.end(), [&](const AlbumImage& a, const AlbumImage& b) {
            for (const ImageSort& s : query.sort) {
                int c = Compare(a, b, s.field, s.descending);
                if (c != 0) {
                    return c < 0;
                }
            }
            return false;
        });
        ImagePage page;
        page.total_count = static_cast<int64_t>(all.size());
        for (int64_t i = query.offset;
             i < static_cast<int64_t>(all.size()) && i < query.offset + query.limit; ++i) {
            page.images.push_back(all[static_cast<std::size_t>(i)]);
        }
        return page;
    }
    absl::StatusOr<std::vector<AlbumImage>> ListCaptureOrder(
        const std::optional<CaptureKey>& after, int limit) override {
        if (auto s = faults_.Take("ListCaptureOrder"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        std::vector<AlbumImage> out;
        for (AlbumImage& r : CaptureOrderLocked()) {
            if (static_cast<int>(out.size()) >= limit) {
                break;
            }
            if (!after || Before(*after, r)) {
                out.push_back(std::move(r));
            }
        }
        return out;
    }
    absl::StatusOr<std::optional<CapturePosition>> CapturePositionOf(
        const std::string& id) override {
        if (auto s = faults_.Take("CapturePositionOf"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        auto ordered = CaptureOrderLocked();
        for (std::size_t i = 0; i < ordered.size(); ++i) {
            if (ordered[i].id == id) {
                return CapturePosition{
                    static_cast<int64_t>(i), static_cast<int64_t>(ordered.size())};
            }
        }
        return std::nullopt;
    }
    absl::StatusOr<std::optional<AlbumImage>> AtCapturePosition(int64_t position) override {
        if (auto s = faults_.Take("AtCapturePosition"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        auto ordered = CaptureOrderLocked();
        if (position < 0 || position >= static_cast<int64_t>(ordered.size())) {
            return std::nullopt;
        }
        return ordered[static_cast<std::size_t>(position)];
    }
    absl::StatusOr<std::vector<DateCount>> CountByDate(
        LocalDateTime first_day, LocalDateTime last_day) override {
        if (auto s = faults_.Take("CountByDate"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        std::map<int64_t, int64_t> days;
        for (const auto& [id, r] : rows_) {
            if (!r.date_time_original) {
                continue;
            }
            int64_t day = r.date_time_original->ms - Mod(r.date_time_original->ms, 86'400'000);
            if (day >= first_day.ms && day <= last_day.ms) {
                ++days[day];
            }
        }
        std::vector<DateCount> out;
        for (const auto& [day, n] : days) {
            out.push_back({LocalDateTime{day}, n});
        }
        return out;
    }
    absl::StatusOr<std::optional<AlbumImage>> FindById(const std::string& id) override {
        if (auto s = faults_.Take("FindById"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        auto it = rows_.find(id);
        if (it == rows_.end()) {
            return std::nullopt;
        }
        return it->second;
    }
    absl::StatusOr<std::optional<AlbumImage>> FindBySha256(const std::string& sha256) override {
        if (auto s = faults_.Take("FindBySha256"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        for (const auto& [id, r] : rows_) {
            if (!sha256.empty() && r.sha256 == sha256) {
                return r;
            }
        }
        return std::nullopt;
    }
    absl::StatusOr<std::vector<AlbumImage>> DeleteByIds(
        const std::vector<std::string>& ids) override {
        if (auto s = faults_.Take("DeleteByIds"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        std::vector<AlbumImage> out;
        for (const std::string& id : ids) {
            auto it = rows_.find(id);
            if (it != rows_.end()) {
                out.push_back(std::move(it->second));
                rows_.erase(it);
            }
        }
        return out;
    }
    absl::StatusOr<std::vector<AlbumImage>> GallerySpots() override {
        if (auto s = faults_.Take("GallerySpots"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        std::vector<AlbumImage> out;
        for (const auto& [id, r] : rows_) {
            if (r.gallery_spot != SpotType::kNone) {
                out.push_back(r);
            }
        }
        std::sort(out.begin(), out.end(), [](const AlbumImage& a, const AlbumImage& b) {
            if (a.gallery_spot != b.gallery_spot) {
                return a.gallery_spot < b.gallery_spot;
            }
            return CaptureLess(a, b);
        });
        return out;
    }
    absl::Status SetGallerySpot(const std::string& id, SpotType spot) override {
        if (auto s = faults_.Take("SetGallerySpot"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        auto it = rows_.find(id);
        if (it == rows_.end()) {
            return absl::NotFoundError("IMAGE_NOT_FOUND");
        }
        if (spot != SpotType::kNone) {
            for (auto& [other_id, r] : rows_) {
                if (other_id != id && r.gallery_spot == spot) {
                    r.gallery_spot = SpotType::kNone;
                    TouchLocked(r);
                }
            }
        }
        if (it->second.gallery_spot != spot) {
            it->second.gallery_spot = spot;
            TouchLocked(it->second);
        }
        return absl::OkStatus();
    }
    absl::Status Insert(const AlbumImage& image) override {
        if (auto s = faults_.Take("Insert"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        return InsertLocked(image);
    }
    absl::Status InsertForUpload(const AlbumImage& image, const UploadFileRef& file) override {
        if (auto s = faults_.Take("InsertForUpload"); !s.ok()) {
            return s;
        }
        std::lock_guard lock(mu_);
        if (batches_ == nullptr || !batches_->Exists(file.batch_id, file.index)) {
            return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
        }
        if (absl::Status s = InsertLocked(image); !s.ok()) {
            return s;
        }
        batches_->MarkDoneUnchecked(file.batch_id, file.index, image.id);
        return absl::OkStatus();
    }

private:
    static int64_t Mod(int64_t a, int64_t b) { return ((a % b) + b) % b; }
    // Capture order: dateTimeOriginal DESC, id DESC.
    static bool CaptureLess(const AlbumImage& a, const AlbumImage& b) {
        if (a.date_time_original != b.date_time_original) {
            return a.date_time_original > b.date_time_original;
        }
        return a.id > b.id;
    }
    // Whether `r` comes strictly after `key` in capture order.
    static bool Before(const CaptureKey& key, const AlbumImage& r) {
        return *r.date_time_original < key.date ||
               (*r.date_time_original == key.date && r.id < key.id);
    }
    template <typename T>
    static int Cmp(const T& a, const T& b) {
        return a < b ? -1 : (b < a ? 1 : 0);
    }
    // PostgreSQL's ORDER BY: NULLs are larger than any value (first under DESC, last under ASC).
    static int CmpOpt(
        const std::optional<LocalDateTime>& a, const std::optional<LocalDateTime>& b) {
        if (a.has_value() != b.has_value()) {
            return a.has_value() ? -1 : 1;
        }
        return a ? Cmp(*a, *b) : 0;
    }
    static int Compare(const AlbumImage& a, const AlbumImage& b, ImageField f, bool desc) {
        int c = 0;
        switch (f) {
            case ImageField::kId:
                c = Cmp(a.id, b.id);
                break;
            case ImageField::kFilename:
                c = Cmp(a.filename, b.filename);
                break;
            case ImageField::kObjectKey:
                c = Cmp(a.object_key, b.object_key);
                break;
            case ImageField::kDateTime:
                c = CmpOpt(a.date_time, b.date_time);
                break;
            case ImageField::kDateTimeOriginal:
                c = CmpOpt(a.date_time_original, b.date_time_original);
                break;
            case ImageField::kDateTimeDigitized:
                c = CmpOpt(a.date_time_digitized, b.date_time_digitized);
                break;
            case ImageField::kGallerySpotType:
                c = Cmp(a.gallery_spot, b.gallery_spot);
                break;
            case ImageField::kCreatedAt:
                c = Cmp(a.created_at, b.created_at);
                break;
            case ImageField::kUpdatedAt:
                c = Cmp(a.updated_at, b.updated_at);
                break;
            case ImageField::kVersion:
                c = Cmp(a.version, b.version);
                break;
        }
        return desc ? -c : c;
    }
    std::vector<AlbumImage> AllLocked() {
        std::vector<AlbumImage> all;
        for (const auto& [id, r] : rows_) {
            all.push_back(r);
        }
        return all;
    }
    std::vector<AlbumImage> CaptureOrderLocked() {
        std::vector<AlbumImage> out;
        for (const auto& [id, r] : rows_) {
            if (r.date_time_original) {
                out.push_back(r);
            }
        }
        std::sort(out.begin(), out.end(), CaptureLess);
        return out;
    }
    void TouchLocked(AlbumImage& r) {
        r.updated_at = LocalDateTime{kEpoch + ++writes_};
        ++r.version;
    }
    absl::Status InsertLocked(const AlbumImage& image) {
        if (rows_.contains(image.id)) {
            return absl::AlreadyExistsError("already exists");
        }
        for (const auto& [id, r] : rows_) {
            if (!image.sha256.empty() && r.sha256 == image.sha256) {
                return absl::AlreadyExistsError("already exists");
            }
        }
        AlbumImage row = image;
        row.created_at = row.updated_at = LocalDateTime{kEpoch + ++writes_};
        row.version = 1;
        rows_[row.id] = row;
        ++inserts_;
        return absl::OkStatus();
    }

    static constexpr int64_t kEpoch = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
    InMemoryUploadBatchRepository* batches_;              // may be null; outlives this object
    Faults faults_;
    std::mutex mu_;
    std::map<std::string, AlbumImage> rows_;
    int64_t writes_ = 0;
    std::atomic<int> inserts_{0};
};

// Returns what the test sets (by default a small JPEG with no EXIF dates); counts its calls.
class FakeImageProcessor final : public ImageProcessor {
public:
    FakeImageProcessor() {
        ProcessedImage image;
        image.format = ImageFormat::kJpeg;
        image.mime_type = "image/jpeg";
        image.extension = "jpg";
        image.width = 400;
        image.height = 300;
        image.thumbnail_webp = "thumb-bytes";
        image.preview_jpeg = "preview-bytes";
        result_ = image;
    }
    void SetResult(absl::StatusOr<ProcessedImage> result) {
        std::lock_guard lock(mu_);
        result_ = std::move(result);
    }
    int Calls() {
        std::lock_guard lock(mu_);
        return calls_;
    }
    absl::StatusOr<ProcessedImage> Process(std::string_view) override {
        std::lock_guard lock(mu_);
        ++calls_;
        return result_;
    }

private:
    std::mutex mu_;
    absl::StatusOr<ProcessedImage> result_;
    int calls_ = 0;
};

// "00000000-0000-4000-8000-000000000001", "...002", ...: predictable ids.
class SequentialIdGenerator final : public IdGenerator {
public:
    std::string NewId() override {
        char buf[40];
        std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", ++next_);
        return buf;
    }

private:
    std::atomic<int> next_{0};
};

}  // namespace hatongsu::album::testing
