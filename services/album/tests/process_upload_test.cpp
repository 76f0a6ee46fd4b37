// The worker's use case with fakes: the happy path, failures for good, retries, duplicates,
// re-delivery and a crash between the object writes and the insert.
#include "services/album/usecase/process_upload.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/storage/in_memory_object_store.h"
#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/album/testing/forwarding_repository.h"
#include "services/album/testing/in_memory_repositories.h"

namespace hatongsu::album {
namespace {

using testkit::IsOk;

constexpr const char* kBatch = "6b0b7f0e-3f4c-4a8e-9a51-2f1d8c0e7a11";
constexpr const char* kFirstId = "00000000-0000-4000-8000-000000000001";

std::string Sha(char c) {
    return std::string(64, c);
}

class ProcessUploadTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::vector<NewUploadFile> files;
        for (int i = 0; i < 3; ++i) {
            files.push_back(
                {"staging/" + std::to_string(i) + ".bin", "사진 " + std::to_string(i) + ".JPG",
                 "image/jpeg", 5, Sha(static_cast<char>('a' + i)), 1'700'000'000'123});
            ASSERT_THAT(store_.Put(files.back().staging_key, "bytes", {}), IsOk());
        }
        ASSERT_THAT(batches_.Create(kBatch, files), IsOk());
    }
    UploadJob Job(int index) {
        auto batch = batches_.Get(kBatch);
        const NewUploadFile& f = batch->files[static_cast<std::size_t>(index)].file;
        return {kBatch,      index,  f.staging_key, f.filename,
                f.mime_type, f.size, f.sha256,      f.last_modified_ms};
    }
    UploadFileRecord File(int index) {
        return batches_.Get(kBatch)->files[static_cast<std::size_t>(index)];
    }
    bool Has(const std::string& key) { return store_.Stat(key).ok(); }

    testing::InMemoryUploadBatchRepository batches_;
    testing::InMemoryAlbumImageRepository images_{&batches_};
    storage::InMemoryObjectStore store_;
    testing::FakeImageProcessor processor_;
    testing::SequentialIdGenerator ids_;
    testkit::FakeClock clock_;
    ProcessUpload uc_{
        batches_,
        images_,
        store_,
        processor_,
        ids_,
        clock_,
        {.max_file_bytes = 1000,
         .delete_retry = {.attempts = 2, .backoff = std::chrono::milliseconds(0)}}};
};

// Holds every call inside Process until Open(), counting the most calls inside at one time.
class HoldingProcessor final : public ImageProcessor {
public:
    absl::StatusOr<ProcessedImage> Process(std::string_view bytes) override {
        {
            std::unique_lock lock(mu_);
            ++inside_;
            most_ = std::max(most_, inside_);
            changed_.notify_all();
            changed_.wait(lock, [this] { return open_; });
            --inside_;
        }
        return results_.Process(bytes);
    }
    void WaitUntilInside(int n) {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [this, n] { return inside_ >= n; });
    }
    void Open() {
        std::lock_guard lock(mu_);
        open_ = true;
        changed_.notify_all();
    }
    int Most() {
        std::lock_guard lock(mu_);
        return most_;
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    int inside_ = 0;
    int most_ = 0;
    bool open_ = false;
    testing::FakeImageProcessor results_;
};

class LockedIdGenerator final : public IdGenerator {
public:
    std::string NewId() override {
        std::lock_guard lock(mu_);
        return ids_.NewId();
    }

private:
    std::mutex mu_;
    testing::SequentialIdGenerator ids_;
};

TEST_F(ProcessUploadTest, NoMoreJobsDecodeAtOnceThanTheLimitAndTheRestWaitTheirTurn) {
    HoldingProcessor processor;
    LockedIdGenerator ids;
    ProcessUpload limited(
        batches_, images_, store_, processor, ids, clock_,
        {.max_file_bytes = 1000, .max_concurrent_decodes = 2});
    std::array<JobOutcome, 3> outcomes;
    std::vector<std::thread> workers;
    for (int i = 0; i < 3; ++i) {
        workers.emplace_back([&, i] { outcomes.at(i) = limited.Execute(Job(i)); });
    }
    processor.WaitUntilInside(2);  // the third job waits for a turn instead of coming in
    processor.Open();
    for (std::thread& w : workers) {
        w.join();
    }
    EXPECT_EQ(processor.Most(), 2);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(outcomes.at(i).status, UploadStatus::kDone) << i;
        EXPECT_EQ(File(i).status, UploadStatus::kDone) << i;
    }
}

TEST_F(ProcessUploadTest, StoresThreeObjectsAndOneRowThenCleansStaging) {
    JobOutcome out = uc_.Execute(Job(0));
    EXPECT_EQ(out.action, JobAction::kAck);
    EXPECT_EQ(out.status, UploadStatus::kDone);
    EXPECT_EQ(File(0).status, UploadStatus::kDone);
    EXPECT_EQ(File(0).image_id, kFirstId);
    auto row = images_.FindById(kFirstId);
    ASSERT_TRUE(row.ok() && row->has_value());
    const AlbumImage& image = **row;
    EXPECT_EQ(image.filename, "사진 0.JPG");
    EXPECT_EQ(image.object_key, std::string(kFirstId) + ".jpg");
    EXPECT_EQ(image.mime_type, "image/jpeg");
    EXPECT_EQ(image.sha256, Sha('a'));
    EXPECT_EQ(image.width, 400);
    // No EXIF date: the lastModified fallback, UTC, offset +00:00.
    EXPECT_EQ(ToIsoZ(*image.date_time_original), "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(image.original_offset_minutes, 0);
    EXPECT_TRUE(Has(image.object_key));
    EXPECT_TRUE(Has(ThumbnailKey(kFirstId)));
    EXPECT_TRUE(Has(PreviewKey(kFirstId)));
    EXPECT_EQ(store_.Stat(ThumbnailKey(kFirstId))->content_type, "image/webp");
    EXPECT_EQ(store_.Stat(image.object_key)->content_type, "image/jpeg");
    EXPECT_THAT(store_.Get(image.object_key, 100), testkit::IsOkAndHolds(std::string("bytes")));
    EXPECT_FALSE(Has("staging/0.bin"));
}

TEST_F(ProcessUploadTest, ExifDatesWinOverLastModified) {
    ProcessedImage p = *processor_.Process("");
    p.exif.date_time_original = FromCivil(2024, 5, 6, 7, 8, 9, 0);
    p.exif.offset_original_minutes = 540;
    processor_.SetResult(p);
    ASSERT_EQ(uc_.Execute(Job(0)).status, UploadStatus::kDone);
    auto image = **images_.FindById(kFirstId);
    EXPECT_EQ(ToIsoZ(*image.date_time_original), "2024-05-06T07:08:09.000Z");
    EXPECT_EQ(image.original_offset_minutes, 540);
}

TEST_F(ProcessUploadTest, NoDateAtAllMeansTheUploadTime) {
    const std::string batch = "7c0b7f0e-3f4c-4a8e-9a51-2f1d8c0e7a22";
    NewUploadFile f{"staging/x.bin", "x.jpg", "image/jpeg", 5, Sha('x'), std::nullopt};
    ASSERT_THAT(store_.Put(f.staging_key, "bytes", {}), IsOk());
    ASSERT_THAT(batches_.Create(batch, {f}), IsOk());
    UploadJob job{batch, 0, f.staging_key, f.filename, f.mime_type, f.size, f.sha256, std::nullopt};
    ASSERT_EQ(uc_.Execute(job).status, UploadStatus::kDone);
    auto image = **images_.FindById(kFirstId);
    // FakeClock starts at 1,800,000,000 s since the epoch.
    EXPECT_EQ(ToIsoZ(*image.date_time_original), "2027-01-15T08:00:00.000Z");
    EXPECT_EQ(image.original_offset_minutes, 0);
}

TEST_F(ProcessUploadTest, GivingUpMarksTheFileFailedAndKeepsStagingForAReplay) {
    uc_.GiveUp(Job(1), "RETRIES_EXHAUSTED");
    EXPECT_EQ(File(1).status, UploadStatus::kFailed);
    EXPECT_EQ(File(1).reason, "RETRIES_EXHAUSTED");
    EXPECT_TRUE(Has("staging/1.bin"));
}

TEST_F(ProcessUploadTest, NonImagesFailForGoodAndLeaveNothing) {
    processor_.SetResult(absl::InvalidArgumentError("TOO_MANY_PIXELS"));
    JobOutcome out = uc_.Execute(Job(0));
    EXPECT_EQ(out.action, JobAction::kAck);
    EXPECT_EQ(out.status, UploadStatus::kFailed);
    EXPECT_EQ(File(0).reason, "TOO_MANY_PIXELS");
    processor_.SetResult(absl::InvalidArgumentError("libvips said something"));
    EXPECT_EQ(uc_.Execute(Job(1)).reason, "CORRUPT_IMAGE");
    EXPECT_EQ(images_.Size(), 0u);
    EXPECT_EQ(store_.ObjectCount(), 1u);  // only staging/2.bin, untouched
}

TEST_F(ProcessUploadTest, ATooLargeStagingObjectFailsAsTooLarge) {
    ASSERT_THAT(store_.Put("staging/0.bin", std::string(1001, 'x'), {}), IsOk());
    JobOutcome out = uc_.Execute(Job(0));
    EXPECT_EQ(out.action, JobAction::kAck);
    EXPECT_EQ(File(0).reason, "TOO_LARGE");
    EXPECT_EQ(processor_.Calls(), 0);
    EXPECT_FALSE(Has("staging/0.bin"));
}

TEST_F(ProcessUploadTest, UnavailableDependenciesRetryAndTheRetrySucceeds) {
    batches_.FailNext("StartProcessing", absl::UnavailableError("db down"));
    EXPECT_EQ(uc_.Execute(Job(0)).action, JobAction::kRetry);
    store_.FailNextWith(absl::UnavailableError("store down"));  // the staging read
    EXPECT_EQ(uc_.Execute(Job(0)).action, JobAction::kRetry);
    EXPECT_EQ(File(0).status, UploadStatus::kProcessing);
    const std::string assigned = File(0).image_id;
    EXPECT_EQ(uc_.Execute(Job(0)).status, UploadStatus::kDone);
    // The image id assigned on the first transition is kept across deliveries.
    EXPECT_EQ(File(0).image_id, assigned);
    EXPECT_TRUE(images_.FindById(assigned)->has_value());
    EXPECT_EQ(images_.Size(), 1u);
}

// A crash (here: the database going away) after the objects were written and before the row was
// inserted: the re-delivered job overwrites the same keys and inserts one row; no orphan.
TEST_F(ProcessUploadTest, CrashBetweenPutAndInsertLeavesNoOrphanAndNoSecondRow) {
    images_.FailNext("InsertForUpload", absl::UnavailableError("connection lost"));
    EXPECT_EQ(uc_.Execute(Job(0)).action, JobAction::kRetry);
    EXPECT_EQ(images_.Size(), 0u);
    EXPECT_EQ(store_.ObjectCount(), 3u + 3u);  // three staging objects + three written
    EXPECT_TRUE(Has("staging/0.bin"));
    JobOutcome again = uc_.Execute(Job(0));
    EXPECT_EQ(again.action, JobAction::kAck);
    EXPECT_EQ(again.status, UploadStatus::kDone);
    EXPECT_EQ(images_.Size(), 1u);
    EXPECT_EQ(images_.InsertCount(), 1);
    EXPECT_EQ(store_.ObjectCount(), 2u + 3u);  // staging/1, staging/2 + the image's three
    EXPECT_TRUE(Has(std::string(kFirstId) + ".jpg"));
}

TEST_F(ProcessUploadTest, ARedeliveredFinishedJobOnlyCleansStaging) {
    ASSERT_EQ(uc_.Execute(Job(0)).status, UploadStatus::kDone);
    ASSERT_THAT(store_.Put("staging/0.bin", "bytes", {}), IsOk());  // as if the delete was lost
    JobOutcome out = uc_.Execute(Job(0));
    EXPECT_EQ(out.action, JobAction::kAck);
    EXPECT_EQ(out.status, UploadStatus::kDone);
    EXPECT_EQ(processor_.Calls(), 1);
    EXPECT_EQ(images_.Size(), 1u);
    EXPECT_FALSE(Has("staging/0.bin"));
}

TEST_F(ProcessUploadTest, TheSameBytesTwiceAreADuplicateOfTheFirst) {
    ASSERT_EQ(uc_.Execute(Job(0)).status, UploadStatus::kDone);
    // A later batch with the same content as file 0.
    const std::string later = "7c1c8f1f-4f5d-4b9f-8b62-3e2e9d1f8b22";
    ASSERT_THAT(store_.Put("staging/dup.bin", "bytes", {}), IsOk());
    ASSERT_THAT(
        batches_.Create(
            later, {{"staging/dup.bin", "again.jpg", "image/jpeg", 5, Sha('a'), std::nullopt}}),
        IsOk());
    JobOutcome out = uc_.Execute(
        {later, 0, "staging/dup.bin", "again.jpg", "image/jpeg", 5, Sha('a'), std::nullopt});
    EXPECT_EQ(out.action, JobAction::kAck);
    EXPECT_EQ(out.status, UploadStatus::kDuplicate);
    auto file = batches_.Get(later)->files[0];
    EXPECT_EQ(file.status, UploadStatus::kDuplicate);
    EXPECT_EQ(file.image_id, kFirstId);
    EXPECT_EQ(images_.Size(), 1u);
    EXPECT_FALSE(Has("staging/dup.bin"));
}

// Forwards to the fake, but an identical upload "commits" just before our insert.
class RacingRepository final : public testing::ForwardingAlbumImageRepository {
public:
    RacingRepository(testing::InMemoryAlbumImageRepository& inner, AlbumImage winner)
        : ForwardingAlbumImageRepository(inner), winner_(std::move(winner)) {}
    absl::Status InsertForUpload(const AlbumImage& image, const UploadFileRef& file) override {
        EXPECT_THAT(inner_.Insert(winner_), IsOk());
        return inner_.InsertForUpload(image, file);
    }

private:
    AlbumImage winner_;
};

// Two identical uploads racing: ours loses at the insert (unique sha256) and must delete the
// three objects it wrote, then report the winner as the existing image.
TEST_F(ProcessUploadTest, LosingAnInsertRaceDeletesOurObjectsAndReportsADuplicate) {
    AlbumImage winner;
    winner.id = "11111111-1111-4111-8111-111111111111";
    winner.object_key = winner.id + ".jpg";
    winner.sha256 = Sha('a');
    winner.date_time_original = FromCivil(2024, 1, 1, 0, 0, 0, 0);
    RacingRepository racing(images_, winner);
    ProcessUpload uc(
        batches_, racing, store_, processor_, ids_, clock_,
        {.max_file_bytes = 1000,
         .delete_retry = {.attempts = 1, .backoff = std::chrono::milliseconds(0)}});
    JobOutcome out = uc.Execute(Job(0));
    EXPECT_EQ(out.action, JobAction::kAck);
    EXPECT_EQ(out.status, UploadStatus::kDuplicate);
    EXPECT_EQ(File(0).image_id, winner.id);
    EXPECT_EQ(images_.Size(), 1u);
    EXPECT_FALSE(Has(std::string(kFirstId) + ".jpg"));
    EXPECT_FALSE(Has(ThumbnailKey(kFirstId)));
    EXPECT_FALSE(Has(PreviewKey(kFirstId)));
    EXPECT_FALSE(Has("staging/0.bin"));
}

// Only the staged object of the upload file is ever read or deleted, whatever the message says.
TEST_F(ProcessUploadTest, AForgedStagingKeyInTheMessageIsIgnored) {
    ASSERT_THAT(store_.Put("precious.jpg", "someone's photo", {}), IsOk());
    UploadJob forged = Job(0);
    forged.staging_key = "precious.jpg";
    forged.sha256 = Sha('f');
    JobOutcome out = uc_.Execute(forged);
    EXPECT_EQ(out.status, UploadStatus::kDone);
    EXPECT_TRUE(Has("precious.jpg"));
    EXPECT_FALSE(Has("staging/0.bin"));
    EXPECT_EQ((**images_.FindById(kFirstId)).sha256, Sha('a'));
}

TEST_F(ProcessUploadTest, AnUnknownUploadFileIsDeadLettered) {
    UploadJob job = Job(0);
    job.index = 7;
    EXPECT_EQ(uc_.Execute(job).action, JobAction::kDeadLetter);
    job.batch_id = "00000000-0000-4000-8000-00000000dead";
    EXPECT_EQ(uc_.Execute(job).action, JobAction::kDeadLetter);
}

TEST_F(ProcessUploadTest, AMissingStagingObjectFailsForGood) {
    ASSERT_THAT(store_.Delete("staging/0.bin"), IsOk());
    JobOutcome out = uc_.Execute(Job(0));
    EXPECT_EQ(out.action, JobAction::kAck);
    EXPECT_EQ(File(0).reason, "STAGING_MISSING");
}

}  // namespace
}  // namespace hatongsu::album

namespace hatongsu::album {
namespace {

// What ProcessUpload reported, in order: "stage:read", ..., "job:done".
class RecordingMetrics final : public ProcessingMetrics {
public:
    void StageTook(Stage stage, std::chrono::nanoseconds took) override {
        EXPECT_GE(took.count(), 0);
        reports.push_back("stage:" + std::string(Name(stage)));
    }
    void JobTook(std::string_view result, std::chrono::nanoseconds took) override {
        EXPECT_GE(took.count(), 0);
        reports.push_back("job:" + std::string(result));
    }
    std::vector<std::string> reports;
};

class ProcessUploadMetricsTest : public ProcessUploadTest {
protected:
    RecordingMetrics metrics_;
    ProcessUpload counted_{batches_, images_, store_, processor_, ids_, clock_, {}, &metrics_};
};

TEST_F(ProcessUploadMetricsTest, ADoneJobReportsEveryStageThenItsResult) {
    EXPECT_EQ(counted_.Execute(Job(0)).status, UploadStatus::kDone);
    EXPECT_THAT(
        metrics_.reports,
        ::testing::ElementsAre(
            "stage:read", "stage:process", "stage:store", "stage:record", "job:done"));
}

TEST_F(ProcessUploadMetricsTest, AFailureStopsTheStagesWhereItHappened) {
    processor_.SetResult(absl::InvalidArgumentError("NOT_AN_IMAGE"));
    counted_.Execute(Job(0));
    EXPECT_THAT(
        metrics_.reports, ::testing::ElementsAre("stage:read", "stage:process", "job:failed"));
}

TEST_F(ProcessUploadMetricsTest, AStoreOutageIsReportedAsARetry) {
    store_.FailNextWith(absl::UnavailableError("store down"));
    EXPECT_EQ(counted_.Execute(Job(1)).action, JobAction::kRetry);
    EXPECT_THAT(metrics_.reports, ::testing::ElementsAre("stage:read", "job:retry"));
}

TEST_F(ProcessUploadMetricsTest, ARedeliveredFinishedJobIsNotCountedAsDoneAgain) {
    EXPECT_EQ(counted_.Execute(Job(0)).status, UploadStatus::kDone);
    metrics_.reports.clear();
    JobOutcome again = counted_.Execute(Job(0));
    EXPECT_TRUE(again.redelivered);
    EXPECT_THAT(metrics_.reports, ::testing::ElementsAre("job:redelivered"));
}

TEST_F(ProcessUploadMetricsTest, AnUnknownFileIsReportedAsDeadLettered) {
    UploadJob job = Job(0);
    job.index = 7;
    EXPECT_EQ(counted_.Execute(job).action, JobAction::kDeadLetter);
    EXPECT_THAT(metrics_.reports, ::testing::ElementsAre("job:dead_letter"));
}

}  // namespace
}  // namespace hatongsu::album
