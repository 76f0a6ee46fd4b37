// One contract for the album service's repositories, run against the in-memory fakes (unit tests)
// and PostgreSQL (tests/integration), so the fakes cannot drift from the real adapters.
// Instantiate with a type whose default constructor gives an EMPTY album (the PostgreSQL one
// creates a database per test) and that has Images() and Batches():
//   INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, AlbumRepositoryContract, InMemoryRepositories);
#pragma once

#include <algorithm>
#include <cstdio>
#include <latch>
#include <set>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/random.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/album/port/album_image_repository.h"
#include "services/album/port/upload_batch_repository.h"

namespace hatongsu::album::testing {

inline std::string ContractId(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012d", n, n);
    return buf;
}

template <typename Repositories>
class AlbumRepositoryContract : public ::testing::Test {
protected:
    static AlbumImage Image(int n, std::optional<LocalDateTime> original) {
        AlbumImage i;
        i.id = ContractId(n);
        i.filename = "사진 " + std::to_string(n) + ".jpg";
        i.object_key = i.id + ".jpg";
        i.thumbnail_key = i.id + ".thumb.webp";
        i.preview_key = i.id + ".preview.jpg";
        i.mime_type = "image/jpeg";
        i.size = 1000 + n;
        i.width = 40;
        i.height = 30;
        char sha[70];
        std::snprintf(sha, sizeof sha, "%064d", n);
        i.sha256 = sha;
        i.date_time_original = original;
        return i;
    }
    static LocalDateTime At(int day, int hour = 0, int ms = 0) {
        return *FromCivil(2024, 5, day, hour, 0, ms / 1000, ms % 1000);
    }
    static std::vector<std::string> Ids(const std::vector<AlbumImage>& images) {
        std::vector<std::string> out;
        for (const auto& i : images) {
            out.push_back(i.id);
        }
        return out;
    }
    void Insert(const AlbumImage& image) {
        ASSERT_THAT(this->repos_.Images().Insert(image), testkit::IsOk());
    }

    Repositories repos_;
};

TYPED_TEST_SUITE_P(AlbumRepositoryContract);

TYPED_TEST_P(AlbumRepositoryContract, InsertedRowsReadBackWithEveryField) {
    AlbumImageRepository& images = this->repos_.Images();
    AlbumImage full = this->Image(1, this->At(6, 7, 9'123));
    full.date_time = this->At(6, 8);
    full.date_time_digitized = this->At(6, 9);
    full.original_offset_minutes = 540;
    full.gallery_spot = SpotType::kSpot3;
    this->Insert(full);
    AlbumImage bare = this->Image(2, std::nullopt);
    bare.sha256.clear();
    bare.mime_type.clear();
    this->Insert(bare);

    auto back = images.FindById(full.id);
    ASSERT_THAT(back, testkit::IsOk());
    ASSERT_TRUE(back->has_value());
    const AlbumImage& b = **back;
    EXPECT_EQ(b.filename, "사진 1.jpg");
    EXPECT_EQ(b.object_key, full.object_key);
    EXPECT_EQ(b.thumbnail_key, full.thumbnail_key);
    EXPECT_EQ(b.preview_key, full.preview_key);
    EXPECT_EQ(b.mime_type, "image/jpeg");
    EXPECT_EQ(b.size, 1001);
    EXPECT_EQ(b.width, 40);
    EXPECT_EQ(b.height, 30);
    EXPECT_EQ(b.sha256, full.sha256);
    EXPECT_EQ(b.date_time, full.date_time);
    EXPECT_EQ(b.date_time_original, full.date_time_original);
    EXPECT_EQ(b.date_time_digitized, full.date_time_digitized);
    EXPECT_EQ(b.original_offset_minutes, 540);
    EXPECT_EQ(b.gallery_spot, SpotType::kSpot3);
    EXPECT_EQ(b.version, 1);
    EXPECT_EQ(b.created_at, b.updated_at);

    auto nulls = images.FindById(bare.id);
    ASSERT_TRUE(nulls.ok() && nulls->has_value());
    EXPECT_FALSE((*nulls)->date_time_original);
    EXPECT_FALSE((*nulls)->date_time);
    EXPECT_FALSE((*nulls)->original_offset_minutes);
    EXPECT_EQ((*nulls)->sha256, "");

    auto by_sha = images.FindBySha256(full.sha256);
    ASSERT_TRUE(by_sha.ok() && by_sha->has_value());
    EXPECT_EQ((*by_sha)->id, full.id);
    EXPECT_FALSE(images.FindBySha256(std::string(64, 'f'))->has_value());
    EXPECT_FALSE(images.FindById(ContractId(99))->has_value());

    AlbumImage same_id = this->Image(1, std::nullopt);
    same_id.sha256 = std::string(64, 'c');
    EXPECT_THAT(images.Insert(same_id), testkit::StatusIs(absl::StatusCode::kAlreadyExists));
    AlbumImage same_sha = this->Image(3, std::nullopt);
    same_sha.sha256 = full.sha256;
    EXPECT_THAT(images.Insert(same_sha), testkit::StatusIs(absl::StatusCode::kAlreadyExists));
    AlbumImage also_bare = this->Image(4, std::nullopt);
    also_bare.sha256.clear();
    EXPECT_THAT(images.Insert(also_bare), testkit::IsOk());  // many rows without a sha256
}

TYPED_TEST_P(AlbumRepositoryContract, ListSortsWithNullsAndEnumOrderPagesAndCounts) {
    AlbumImageRepository& images = this->repos_.Images();
    for (int n = 1; n <= 5; ++n) {
        AlbumImage i = this->Image(n, this->At(n));
        if (n % 2 == 0) {
            i.date_time = this->At(10 - n);
        }
        this->Insert(i);
    }
    ASSERT_THAT(images.SetGallerySpot(ContractId(1), SpotType::kSpot10), testkit::IsOk());
    ASSERT_THAT(images.SetGallerySpot(ContractId(2), SpotType::kSpot2), testkit::IsOk());

    auto by_date =
        images.List({{{ImageField::kDateTimeOriginal, true}, {ImageField::kId, false}}, 1, 3});
    ASSERT_THAT(by_date, testkit::IsOk());
    EXPECT_EQ(by_date->total_count, 5);
    EXPECT_THAT(
        this->Ids(by_date->images),
        ::testing::ElementsAre(ContractId(4), ContractId(3), ContractId(2)));

    // NULLs first under DESC, last under ASC (PostgreSQL's default), then the id tie-breaker.
    auto desc = images.List({{{ImageField::kDateTime, true}, {ImageField::kId, false}}, 0, 10});
    EXPECT_THAT(
        this->Ids(desc->images),
        ::testing::ElementsAre(
            ContractId(1), ContractId(3), ContractId(5), ContractId(2), ContractId(4)));
    auto asc = images.List({{{ImageField::kDateTime, false}, {ImageField::kId, false}}, 0, 10});
    EXPECT_THAT(
        this->Ids(asc->images),
        ::testing::ElementsAre(
            ContractId(4), ContractId(2), ContractId(1), ContractId(3), ContractId(5)));
    // Spots in enum order: none < spot2 < spot10.
    auto spots =
        images.List({{{ImageField::kGallerySpotType, true}, {ImageField::kId, true}}, 0, 3});
    EXPECT_THAT(
        this->Ids(spots->images),
        ::testing::ElementsAre(ContractId(1), ContractId(2), ContractId(5)));
    auto past_end = images.List({{{ImageField::kId, false}}, 10, 10});
    EXPECT_TRUE(past_end->images.empty());
    EXPECT_EQ(past_end->total_count, 5);
}

// Weak point 25: rows sharing a dateTimeOriginal, and rows a few milliseconds apart within one
// second, are all seen exactly once when paging with the keyset.
TYPED_TEST_P(AlbumRepositoryContract, KeysetPagingLosesNothing) {
    AlbumImageRepository& images = this->repos_.Images();
    std::vector<std::string> expected;
    int n = 1;
    for (int ms : {500, 500, 500, 250, 250, 1, 0, 0}) {
        this->Insert(this->Image(n++, this->At(1, 13, ms)));
    }
    this->Insert(this->Image(n++, std::nullopt));  // no capture date: not in capture order
    auto all = images.ListCaptureOrder(std::nullopt, 100);
    ASSERT_THAT(all, testkit::IsOk());
    ASSERT_EQ(all->size(), 8u);
    for (std::size_t i = 1; i < all->size(); ++i) {
        const AlbumImage& a = (*all)[i - 1];
        const AlbumImage& b = (*all)[i];
        EXPECT_TRUE(
            a.date_time_original > b.date_time_original ||
            (a.date_time_original == b.date_time_original && a.id > b.id));
    }
    // A token without an id (the nil UUID) pages by date only: every row of that instant is
    // skipped.
    auto by_date =
        images.ListCaptureOrder(CaptureKey{this->At(1, 13, 500), std::string(kNilUuid)}, 100);
    ASSERT_THAT(by_date, testkit::IsOk());
    EXPECT_EQ(by_date->size(), 5u);
    for (int limit : {1, 2, 3}) {
        std::vector<std::string> seen;
        std::optional<CaptureKey> after;
        for (int guard = 0; guard < 20; ++guard) {
            auto page = images.ListCaptureOrder(after, limit);
            ASSERT_THAT(page, testkit::IsOk());
            if (page->empty()) {
                break;
            }
            for (const auto& i : *page) {
                seen.push_back(i.id);
            }
            after = CaptureKey{*page->back().date_time_original, page->back().id};
        }
        EXPECT_EQ(seen, this->Ids(*all)) << "limit " << limit;
    }
}

TYPED_TEST_P(AlbumRepositoryContract, CapturePositionsAndRowsAtPositions) {
    AlbumImageRepository& images = this->repos_.Images();
    for (int n = 1; n <= 4; ++n) {
        this->Insert(this->Image(n, this->At(n)));
    }
    this->Insert(this->Image(5, this->At(2)));  // same date as 2, larger id: before it
    this->Insert(this->Image(6, std::nullopt));
    auto pos = images.CapturePositionOf(ContractId(2));
    ASSERT_THAT(pos, testkit::IsOk());
    ASSERT_TRUE(pos->has_value());
    EXPECT_EQ((*pos)->index, 3);  // 4, 3, 5 come first
    EXPECT_EQ((*pos)->count, 5);
    EXPECT_FALSE(images.CapturePositionOf(ContractId(6))->has_value());
    EXPECT_FALSE(images.CapturePositionOf(ContractId(77))->has_value());
    EXPECT_EQ((*images.AtCapturePosition(0))->id, ContractId(4));
    EXPECT_EQ((*images.AtCapturePosition(2))->id, ContractId(5));
    EXPECT_EQ((*images.AtCapturePosition(4))->id, ContractId(1));
    EXPECT_FALSE(images.AtCapturePosition(5)->has_value());
}

TYPED_TEST_P(AlbumRepositoryContract, CountByDateHasInclusiveDayBounds) {
    AlbumImageRepository& images = this->repos_.Images();
    this->Insert(this->Image(1, this->At(1, 0)));
    this->Insert(this->Image(2, *FromCivil(2024, 5, 1, 23, 59, 59, 999)));
    this->Insert(this->Image(3, this->At(3, 12)));
    this->Insert(this->Image(4, this->At(4, 0)));
    this->Insert(this->Image(5, std::nullopt));
    auto counts = images.CountByDate(this->At(1), this->At(3));
    ASSERT_THAT(counts, testkit::IsOk());
    ASSERT_EQ(counts->size(), 2u);
    EXPECT_EQ((*counts)[0].day, this->At(1));
    EXPECT_EQ((*counts)[0].count, 2);
    EXPECT_EQ((*counts)[1].day, this->At(3));
    EXPECT_EQ((*counts)[1].count, 1);
    EXPECT_TRUE(images.CountByDate(this->At(20), this->At(21))->empty());
}

TYPED_TEST_P(AlbumRepositoryContract, DeleteReturnsTheDeletedRowsOnly) {
    AlbumImageRepository& images = this->repos_.Images();
    this->Insert(this->Image(1, this->At(1)));
    this->Insert(this->Image(2, this->At(2)));
    auto deleted = images.DeleteByIds({ContractId(1), ContractId(50)});
    ASSERT_THAT(deleted, testkit::IsOk());
    ASSERT_EQ(deleted->size(), 1u);
    EXPECT_EQ((*deleted)[0].object_key, ContractId(1) + ".jpg");
    EXPECT_EQ((*deleted)[0].thumbnail_key, ContractId(1) + ".thumb.webp");
    EXPECT_FALSE(images.FindById(ContractId(1))->has_value());
    EXPECT_TRUE(images.FindById(ContractId(2))->has_value());
    EXPECT_TRUE(images.DeleteByIds({ContractId(1)})->empty());
}

TYPED_TEST_P(AlbumRepositoryContract, GallerySpotsMoveInOneStepAndBumpTheVersion) {
    AlbumImageRepository& images = this->repos_.Images();
    for (int n = 1; n <= 3; ++n) {
        this->Insert(this->Image(n, this->At(n)));
    }
    EXPECT_TRUE(images.GallerySpots()->empty());
    ASSERT_THAT(images.SetGallerySpot(ContractId(1), SpotType::kSpot1), testkit::IsOk());
    ASSERT_THAT(images.SetGallerySpot(ContractId(2), SpotType::kSpot1), testkit::IsOk());
    ASSERT_THAT(images.SetGallerySpot(ContractId(3), SpotType::kSpot4), testkit::IsOk());
    auto spots = images.GallerySpots();
    ASSERT_THAT(spots, testkit::IsOk());
    EXPECT_THAT(this->Ids(*spots), ::testing::ElementsAre(ContractId(2), ContractId(3)));
    auto freed = **images.FindById(ContractId(1));
    EXPECT_EQ(freed.gallery_spot, SpotType::kNone);
    EXPECT_EQ(freed.version, 3);  // on, then off
    EXPECT_GE(freed.updated_at, freed.created_at);
    ASSERT_THAT(images.SetGallerySpot(ContractId(3), SpotType::kNone), testkit::IsOk());
    EXPECT_THAT(this->Ids(*images.GallerySpots()), ::testing::ElementsAre(ContractId(2)));
    EXPECT_THAT(
        images.SetGallerySpot(ContractId(9), SpotType::kSpot1),
        testkit::StatusIs(absl::StatusCode::kNotFound));
    EXPECT_EQ((**images.FindById(ContractId(2))).gallery_spot, SpotType::kSpot1);
}

// Weak point 32: many admins assigning spot5 at once never leave two images on it.
TYPED_TEST_P(AlbumRepositoryContract, ConcurrentSpotAssignmentsNeverShareASpot) {
    AlbumImageRepository& images = this->repos_.Images();
    constexpr int kThreads = 8;
    for (int n = 1; n <= kThreads; ++n) {
        this->Insert(this->Image(n, this->At(n)));
    }
    for (int round = 0; round < 5; ++round) {
        std::latch start(kThreads);
        std::vector<std::thread> threads;
        std::vector<absl::Status> results(kThreads);
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                start.arrive_and_wait();
                results[static_cast<std::size_t>(t)] =
                    images.SetGallerySpot(ContractId(t + 1), SpotType::kSpot5);
            });
        }
        for (auto& th : threads) {
            th.join();
        }
        int ok = 0;
        for (const absl::Status& s : results) {
            EXPECT_TRUE(s.ok() || s.code() == absl::StatusCode::kAborted) << s;
            ok += s.ok() ? 1 : 0;
        }
        EXPECT_GE(ok, 1);
        auto spots = images.GallerySpots();
        ASSERT_THAT(spots, testkit::IsOk());
        EXPECT_EQ(spots->size(), 1u) << "round " << round;
    }
}

TYPED_TEST_P(AlbumRepositoryContract, UploadFilesMoveThroughTheirStates) {
    UploadBatchRepository& batches = this->repos_.Batches();
    AlbumImageRepository& images = this->repos_.Images();
    const std::string batch = core::RandomUuidV4();
    std::vector<NewUploadFile> files;
    for (int i = 0; i < 4; ++i) {
        files.push_back(
            {"staging/" + batch + "/" + std::to_string(i), "파일 " + std::to_string(i) + ".jpg",
             "image/jpeg", 10 + i, std::string(64, static_cast<char>('a' + i)),
             i == 0 ? std::optional<int64_t>(1'700'000'000'123) : std::nullopt});
    }
    ASSERT_THAT(batches.Create(batch, files), testkit::IsOk());
    EXPECT_THAT(batches.Create(batch, files), testkit::StatusIs(absl::StatusCode::kAlreadyExists));
    auto got = batches.Get(batch);
    ASSERT_THAT(got, testkit::IsOk());
    ASSERT_EQ(got->files.size(), 4u);
    EXPECT_EQ(got->files[0].file.filename, "파일 0.jpg");
    EXPECT_EQ(got->files[0].file.last_modified_ms, 1'700'000'000'123);
    EXPECT_FALSE(got->files[1].file.last_modified_ms);
    EXPECT_EQ(got->files[3].status, UploadStatus::kQueued);
    EXPECT_EQ(got->files[2].file.size, 12);

    auto first = batches.StartProcessing(batch, 0, ContractId(1));
    ASSERT_THAT(first, testkit::IsOk());
    EXPECT_EQ(first->status, UploadStatus::kProcessing);
    EXPECT_EQ(first->image_id, ContractId(1));
    auto again = batches.StartProcessing(batch, 0, ContractId(2));  // a re-delivery
    EXPECT_EQ(again->image_id, ContractId(1));
    EXPECT_THAT(
        batches.StartProcessing(batch, 9, ContractId(3)),
        testkit::StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(
        batches.StartProcessing(core::RandomUuidV4(), 0, ContractId(3)),
        testkit::StatusIs(absl::StatusCode::kNotFound));

    AlbumImage image = this->Image(1, this->At(1));
    ASSERT_THAT(images.InsertForUpload(image, {batch, 0}), testkit::IsOk());
    EXPECT_THAT(
        images.InsertForUpload(this->Image(2, this->At(2)), {batch, 9}),
        testkit::StatusIs(absl::StatusCode::kNotFound));
    EXPECT_FALSE(images.FindById(ContractId(2))->has_value());
    AlbumImage twin = this->Image(3, this->At(3));
    twin.sha256 = image.sha256;
    EXPECT_THAT(
        images.InsertForUpload(twin, {batch, 1}),
        testkit::StatusIs(absl::StatusCode::kAlreadyExists));
    ASSERT_THAT(batches.MarkDuplicate(batch, 1, ContractId(1)), testkit::IsOk());
    ASSERT_THAT(batches.MarkFailed(batch, 2, "NOT_AN_IMAGE"), testkit::IsOk());
    ASSERT_THAT(batches.MarkFailed(batch, 0, "late"), testkit::IsOk());  // final stays final

    got = batches.Get(batch);
    EXPECT_EQ(got->files[0].status, UploadStatus::kDone);
    EXPECT_EQ(got->files[0].image_id, ContractId(1));
    EXPECT_EQ(got->files[0].reason, "");
    EXPECT_EQ(got->files[1].status, UploadStatus::kDuplicate);
    EXPECT_EQ(got->files[1].image_id, ContractId(1));
    EXPECT_EQ(got->files[2].status, UploadStatus::kFailed);
    EXPECT_EQ(got->files[2].reason, "NOT_AN_IMAGE");
    EXPECT_EQ(got->files[3].status, UploadStatus::kQueued);
    auto done = batches.StartProcessing(batch, 0, ContractId(7));
    EXPECT_EQ(done->status, UploadStatus::kDone);
    EXPECT_THAT(batches.Get(core::RandomUuidV4()), testkit::StatusIs(absl::StatusCode::kNotFound));
}

REGISTER_TYPED_TEST_SUITE_P(
    AlbumRepositoryContract,
    InsertedRowsReadBackWithEveryField,
    ListSortsWithNullsAndEnumOrderPagesAndCounts,
    KeysetPagingLosesNothing,
    CapturePositionsAndRowsAtPositions,
    CountByDateHasInclusiveDayBounds,
    DeleteReturnsTheDeletedRowsOnly,
    GallerySpotsMoveInOneStepAndBumpTheVersion,
    ConcurrentSpotAssignmentsNeverShareASpot,
    UploadFilesMoveThroughTheirStates);

}  // namespace hatongsu::album::testing
