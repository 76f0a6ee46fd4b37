// The read, delete, spot and batch use cases against the in-memory fakes.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "hatongsu/storage/in_memory_object_store.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/album/testing/in_memory_repositories.h"
#include "services/album/usecase/delete_album_images.h"
#include "services/album/usecase/listings.h"
#include "services/album/usecase/upload_batches.h"

namespace hatongsu::album {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testkit::IsOk;
using testkit::StatusIs;

std::string Id(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
    return buf;
}

class AlbumUseCases : public ::testing::Test {
protected:
    // Image n captured at 2024-05-01 + n minutes (so a higher n is newer).
    void Add(int n, std::optional<int> minute = std::nullopt) {
        AlbumImage image;
        image.id = Id(n);
        image.filename = "IMG_" + std::to_string(n) + ".jpg";
        image.object_key = Id(n) + ".jpg";
        image.thumbnail_key = ThumbnailKey(Id(n));
        image.preview_key = PreviewKey(Id(n));
        image.sha256 = std::string(60, 'a') + std::to_string(1000 + n);
        image.date_time_original = FromCivil(2024, 5, 1, 0, minute.value_or(n), 0, 0);
        ASSERT_THAT(images_.Insert(image), IsOk());
    }
    static std::vector<std::string> Ids(const std::vector<AlbumImage>& images) {
        std::vector<std::string> out;
        for (const auto& i : images) {
            out.push_back(i.id);
        }
        return out;
    }

    testing::InMemoryUploadBatchRepository batches_;
    testing::InMemoryAlbumImageRepository images_{&batches_};
    storage::InMemoryObjectStore store_;
};

TEST_F(AlbumUseCases, GetAlbumImagesSortsClampsAndCounts) {
    for (int n = 1; n <= 12; ++n) {
        Add(n);
    }
    GetAlbumImages uc(images_);
    auto page = uc.Execute({{{"dateTimeOriginal", "DESC"}}, 2, 5});
    ASSERT_THAT(page, IsOk());
    EXPECT_EQ(page->total_count, 12);
    EXPECT_THAT(Ids(page->images), ElementsAre(Id(7), Id(6), Id(5), Id(4), Id(3)));
    // limit 0 is the default page (the original returned the whole table), page 0 is page 1.
    auto whole = uc.Execute({{}, 0, 0});
    ASSERT_THAT(whole, IsOk());
    EXPECT_EQ(whole->images.size(), 10u);
    EXPECT_EQ(whole->images.front().id, Id(12));  // no sort: capture order, newest first
    auto huge = uc.Execute({{}, 1, 1'000'000});
    EXPECT_EQ(huge->images.size(), 12u);
    EXPECT_THAT(
        uc.Execute({{{"nope", "asc"}}, 1, 10}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AlbumUseCases, CursorPagesInCaptureOrderAndHasNextPageOnlyWhenARowFollows) {
    for (int n = 1; n <= 6; ++n) {
        Add(n);
    }
    GetAlbumImagesCursor uc(images_);
    auto p1 = uc.Execute(std::nullopt, 3);
    ASSERT_THAT(p1, IsOk());
    EXPECT_THAT(Ids(p1->images), ElementsAre(Id(6), Id(5), Id(4)));
    ASSERT_TRUE(p1->next_cursor);
    EXPECT_TRUE(p1->has_next_page);
    auto p2 = uc.Execute(p1->next_cursor, 3);
    ASSERT_THAT(p2, IsOk());
    // Exactly full last page: the original said hasNextPage=true here.
    EXPECT_THAT(Ids(p2->images), ElementsAre(Id(3), Id(2), Id(1)));
    EXPECT_FALSE(p2->has_next_page);
    EXPECT_FALSE(p2->next_cursor);
    // limit 0 is the default (the original crashed on a non-empty table).
    auto p0 = uc.Execute(std::string(), 0);
    EXPECT_EQ(p0->images.size(), 6u);
    EXPECT_FALSE(p0->has_next_page);
    EXPECT_THAT(
        uc.Execute(std::string("garbage"), 3),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_CURSOR"));
}

TEST_F(AlbumUseCases, CursorAcceptsTheOriginalTokenFormat) {
    for (int n = 1; n <= 4; ++n) {
        Add(n);
    }
    // After image 3 (00:03) in the original format.
    std::string token = core::Base64Encode(
        "Wed May 01 2024 00:03:00 GMT+0000 (Coordinated Universal Time)_" + Id(3));
    auto page = GetAlbumImagesCursor(images_).Execute(token, 10);
    ASSERT_THAT(page, IsOk());
    EXPECT_THAT(Ids(page->images), ElementsAre(Id(2), Id(1)));
}

TEST_F(AlbumUseCases, InfiniteWrapsAroundLikeTheSpecSequence) {
    for (int n = 1; n <= 11; ++n) {
        Add(n);
    }
    GetAlbumImagesInfinite uc(images_);
    // Spec: 11 images, limit 4: 1-4, 5-8, 9-11 + 1, 2-5 (newest = image 11 here).
    auto p1 = uc.Execute(std::nullopt, 4);
    EXPECT_THAT(Ids(p1->images), ElementsAre(Id(11), Id(10), Id(9), Id(8)));
    auto p2 = uc.Execute(p1->next_cursor, 4);
    EXPECT_THAT(Ids(p2->images), ElementsAre(Id(7), Id(6), Id(5), Id(4)));
    auto p3 = uc.Execute(p2->next_cursor, 4);
    EXPECT_THAT(Ids(p3->images), ElementsAre(Id(3), Id(2), Id(1), Id(11)));
    auto p4 = uc.Execute(p3->next_cursor, 4);
    EXPECT_THAT(Ids(p4->images), ElementsAre(Id(10), Id(9), Id(8), Id(7)));
}

// Weak point 26: 3 images, limit 10 -> each once (the original gave a b c a b c).
TEST_F(AlbumUseCases, InfiniteNeverRepeatsAnImageWithinAPage) {
    for (int n = 1; n <= 3; ++n) {
        Add(n);
    }
    GetAlbumImagesInfinite uc(images_);
    auto p1 = uc.Execute(std::nullopt, 10);
    ASSERT_THAT(p1, IsOk());
    EXPECT_THAT(Ids(p1->images), ElementsAre(Id(3), Id(2), Id(1)));
    EXPECT_FALSE(p1->next_cursor.empty());
    auto p2 = uc.Execute(EncodeCursorToken(*FromCivil(2024, 5, 1, 0, 3, 0, 0), Id(3)), 10);
    ASSERT_THAT(p2, IsOk());
    EXPECT_THAT(Ids(p2->images), ElementsAre(Id(2), Id(1), Id(3)));
    EXPECT_EQ(p2->next_cursor, EncodeCursorToken(*FromCivil(2024, 5, 1, 0, 3, 0, 0), Id(3)));
}

TEST_F(AlbumUseCases, InfiniteOnAnEmptyTableEndsWithAnEmptyCursor) {
    auto page = GetAlbumImagesInfinite(images_).Execute(std::nullopt, 10);
    ASSERT_THAT(page, IsOk());
    EXPECT_THAT(page->images, IsEmpty());
    EXPECT_EQ(page->next_cursor, "");
}

TEST_F(AlbumUseCases, FerrisNextFollowsTheSpecArithmetic) {
    for (int n = 1; n <= 11; ++n) {
        Add(n);
    }
    GetFerrisNext uc(images_);
    // Image 10 is at index 1 (image 11 is the newest).
    EXPECT_EQ(uc.Execute(Id(10), 0)->id, Id(10));
    EXPECT_EQ(uc.Execute(Id(10), 1)->id, Id(9));
    EXPECT_EQ(uc.Execute(Id(10), 11)->id, Id(10));
    EXPECT_EQ(uc.Execute(Id(10), 12)->id, Id(9));
    EXPECT_EQ(uc.Execute(Id(10), -1)->id, Id(11));
    EXPECT_EQ(uc.Execute(Id(10), -2)->id, Id(1));  // wraps instead of failing
    EXPECT_EQ(uc.Execute(core::AsciiLower(Id(10)), 8)->id, Id(2));
    EXPECT_THAT(uc.Execute("nope", 8), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(uc.Execute(Id(99), 8), StatusIs(absl::StatusCode::kNotFound, "IMAGE_NOT_FOUND"));
}

TEST_F(AlbumUseCases, FerrisNextOnAnEmptyTableIsNotFound) {
    EXPECT_THAT(GetFerrisNext(images_).Execute(Id(1), 8), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(AlbumUseCases, CountByDateGroupsInclusiveDays) {
    Add(1);
    Add(2);
    AlbumImage late;
    late.id = Id(50);
    late.object_key = "k";
    late.date_time_original = FromCivil(2024, 5, 3, 23, 59, 59, 999);
    ASSERT_THAT(images_.Insert(late), IsOk());
    CountByDate uc(images_);
    auto counts = uc.Execute("2024-05-01", "2024-05-03");
    ASSERT_THAT(counts, IsOk());
    EXPECT_THAT(
        *counts, ElementsAre(DateCountText{"2024-05-01", 2}, DateCountText{"2024-05-03", 1}));
    EXPECT_THAT(*uc.Execute("2024-05-02", "2024-05-02"), IsEmpty());
    EXPECT_THAT(
        uc.Execute("2024-05-03", "2024-05-01"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        uc.Execute("2020-01-01", "2024-05-01"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AlbumUseCases, DeleteRemovesRowsThenAllThreeObjects) {
    Add(1);
    Add(2);
    for (int n : {1, 2}) {
        for (const std::string& key : {Id(n) + ".jpg", ThumbnailKey(Id(n)), PreviewKey(Id(n))}) {
            ASSERT_THAT(store_.Put(key, "x", {}), IsOk());
        }
    }
    DeleteAlbumImages uc(images_, store_, {.attempts = 3, .backoff = std::chrono::milliseconds(0)});
    // A transient store failure is retried.
    store_.FailNextWith(absl::UnavailableError("down"));
    auto r = uc.Execute({core::AsciiLower(Id(1)), Id(99)});
    ASSERT_THAT(r, IsOk());
    EXPECT_TRUE(r->success);
    EXPECT_EQ(r->deleted_count, 1);
    EXPECT_EQ(r->objects_left, 0);
    EXPECT_EQ(images_.Size(), 1u);
    EXPECT_EQ(store_.ObjectCount(), 3u);
    auto none = uc.Execute({Id(98)});
    EXPECT_FALSE(none->success);
    EXPECT_EQ(none->deleted_count, 0);
    EXPECT_THAT(uc.Execute({Id(2), "not-a-uuid"}), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_EQ(images_.Size(), 1u);  // nothing deleted on a bad element
    EXPECT_THAT(uc.Execute({}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AlbumUseCases, DeleteKeepsTheRowDeletedWhenAnObjectCannotBe) {
    Add(1);
    DeleteAlbumImages uc(images_, store_, {.attempts = 1, .backoff = std::chrono::milliseconds(0)});
    store_.FailNextWith(absl::UnavailableError("down"));
    auto r = uc.Execute({Id(1)});
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->deleted_count, 1);
    EXPECT_EQ(r->objects_left, 1);
    EXPECT_EQ(images_.Size(), 0u);
}

TEST_F(AlbumUseCases, GallerySpotsMoveAndAreGroupedInEnumOrder) {
    for (int n = 1; n <= 4; ++n) {
        Add(n);
    }
    UpdateGallerySpot update(images_);
    ASSERT_THAT(update.Execute(Id(1), "spot10"), IsOk());
    ASSERT_THAT(update.Execute(Id(2), "spot2"), IsOk());
    ASSERT_THAT(update.Execute(Id(3), "spot2"), IsOk());  // frees image 2
    auto spots = GetGallerySpots(images_).Execute();
    ASSERT_THAT(spots, IsOk());
    ASSERT_EQ(spots->size(), 2u);
    EXPECT_EQ(spots->begin()->first, SpotType::kSpot2);
    EXPECT_THAT(Ids(spots->at(SpotType::kSpot2)), ElementsAre(Id(3)));
    EXPECT_THAT(Ids(spots->at(SpotType::kSpot10)), ElementsAre(Id(1)));
    ASSERT_THAT(update.Execute(Id(1), "none"), IsOk());
    EXPECT_EQ(GetGallerySpots(images_).Execute()->size(), 1u);
    EXPECT_THAT(
        update.Execute(Id(1), "spot11"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_SPOT_TYPE"));
    EXPECT_THAT(
        update.Execute("x", "spot1"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_IMAGE_ID"));
    EXPECT_THAT(update.Execute(Id(77), "spot1"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(AlbumUseCases, EmptyGalleryIsAnEmptyMap) {
    Add(1);
    auto spots = GetGallerySpots(images_).Execute();
    ASSERT_THAT(spots, IsOk());
    EXPECT_TRUE(spots->empty());
}

TEST_F(AlbumUseCases, UploadBatchesAreValidatedCreatedOnceAndRead) {
    NewUploadFile f{"staging/a.bin",      "사진 1.JPG", "image/jpeg", 10,
                    std::string(64, 'e'), 1700000000123};
    CreateUploadBatch create(batches_);
    const std::string batch = "6b0b7f0e-3f4c-4a8e-9a51-2f1d8c0e7a11";
    ASSERT_THAT(create.Execute(batch, {f, f}), IsOk());
    EXPECT_THAT(create.Execute(batch, {f}), IsOk());  // a retried call
    auto got = GetUploadBatch(batches_).Execute(batch);
    ASSERT_THAT(got, IsOk());
    ASSERT_EQ(got->files.size(), 2u);
    EXPECT_EQ(got->files[1].index, 1);
    EXPECT_EQ(got->files[1].status, UploadStatus::kQueued);
    EXPECT_EQ(got->files[0].file.filename, "사진 1.JPG");
    EXPECT_THAT(GetUploadBatch(batches_).Execute(Id(5)), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(
        GetUploadBatch(batches_).Execute("../x"), StatusIs(absl::StatusCode::kInvalidArgument));

    auto bad = [&](auto mutate) {
        NewUploadFile g = f;
        mutate(g);
        return create.Execute(Id(7), {g});
    };
    EXPECT_THAT(
        bad([](NewUploadFile& g) { g.staging_key = "../etc/passwd"; }),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        bad([](NewUploadFile& g) { g.filename = "a\nb"; }),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        bad([](NewUploadFile& g) { g.filename = "\xff"; }),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        bad([](NewUploadFile& g) { g.sha256 = std::string(64, 'E'); }),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        bad([](NewUploadFile& g) { g.size = -1; }), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        create.Execute(Id(8), std::vector<NewUploadFile>(101, f)),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(create.Execute("nope", {f}), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hatongsu::album
