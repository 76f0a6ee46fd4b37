// The album service's PostgreSQL adapters against a real server (HATONGSU_PG_BASE, set by
// scripts/test.sh): the shared repository contract, each test in a database of its own, plus the
// migrations, taking over a database of the original service, and SQLSTATE mapping.
#include <cstdlib>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "hatongsu/pg/migrate.h"
#include "hatongsu/storage/in_memory_object_store.h"
#include "services/album/adapter/pg/pg_repositories.h"
#include "services/album/testing/forwarding_repository.h"
#include "services/album/testing/in_memory_repositories.h"
#include "services/album/testing/repository_contract.h"
#include "services/album/usecase/process_upload.h"

namespace hatongsu::album::testing {
namespace {

std::string Base() {
    const char* base = std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): setup
    if (base == nullptr) {
        throw std::runtime_error(
            "HATONGSU_PG_BASE is not set: run through scripts/test.sh (make test)");
    }
    return base;
}

// A fresh database, dropped at the end (with its connections).
class TestDatabase {
public:
    TestDatabase() : name_("it_album_" + core::AsciiLower(core::RandomUuidV4().substr(0, 8))) {
        pqxx::connection admin(Base() + "/postgres");
        pqxx::nontransaction tx(admin);
        tx.exec("CREATE DATABASE " + name_);
    }
    ~TestDatabase() {
        try {
            pqxx::connection admin(Base() + "/postgres");
            pqxx::nontransaction tx(admin);
            tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        } catch (const std::exception&) {
        }
    }
    std::string Url() const { return Base() + "/" + name_; }

private:
    std::string name_;
};

std::unique_ptr<hatongsu::pg::Pool> MigratedPool(const TestDatabase& db) {
    auto pool = std::make_unique<hatongsu::pg::Pool>(db.Url(), 10, std::chrono::seconds(5));
    absl::Status s = hatongsu::pg::Migrate(*pool, "album", pg::Migrations());
    if (!s.ok()) {
        throw std::runtime_error("migrations failed: " + std::string(s.message()));
    }
    return pool;
}

// Forwards to the PostgreSQL repository but fails the first InsertForUpload like a lost
// connection.
class FaultyInsert final : public testing::ForwardingAlbumImageRepository {
public:
    explicit FaultyInsert(AlbumImageRepository& inner) : ForwardingAlbumImageRepository(inner) {}
    absl::Status InsertForUpload(const AlbumImage&, const UploadFileRef&) override {
        return absl::UnavailableError("database connection lost");
    }
};

struct PgRepositories {
    AlbumImageRepository& Images() { return images; }
    UploadBatchRepository& Batches() { return batches; }
    TestDatabase db;
    std::unique_ptr<hatongsu::pg::Pool> pool = MigratedPool(db);
    pg::PgAlbumImageRepository images{*pool};
    pg::PgUploadBatchRepository batches{*pool};
};

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, AlbumRepositoryContract, PgRepositories);

TEST(AlbumPgMigrations, AreIdempotentAndRecorded) {
    PgRepositories r;
    EXPECT_THAT(hatongsu::pg::Migrate(*r.pool, "album", pg::Migrations()), testkit::IsOk());
    auto versions = r.pool->Run("count", [](pqxx::connection& c) -> absl::StatusOr<int> {
        pqxx::nontransaction tx(c);
        return tx
            .exec("SELECT count(*) FROM hatongsu_schema_migrations WHERE service = 'album'")[0][0]
            .as<int>();
    });
    EXPECT_THAT(versions, testkit::IsOkAndHolds(static_cast<int>(pg::Migrations().size())));
}

// A database the original service (TypeORM synchronize) created and filled, taken over: rows read
// back unchanged, the spot held twice is resolved to the image the original gallery showed, and
// new rows go in beside the old ones.
TEST(AlbumPgMigrations, TakeOverAnOriginalDatabase) {
    TestDatabase db;
    {
        pqxx::connection c(db.Url());
        pqxx::work tx(c);
        tx.exec(
            R"(CREATE TYPE "public"."album_image_galleryspottype_enum" AS ENUM('none', 'spot1', 'spot2', 'spot3', 'spot4', 'spot5', 'spot6', 'spot7', 'spot8', 'spot9', 'spot10'))");
        tx.exec(
            R"(CREATE TABLE "album_image" ("id" uuid NOT NULL, "filename" character varying NOT NULL, "objectKey" character varying NOT NULL, "dateTime" TIMESTAMP, "dateTimeOriginal" TIMESTAMP, "dateTimeDigitized" TIMESTAMP, "gallerySpotType" "public"."album_image_galleryspottype_enum" NOT NULL DEFAULT 'none', "created_at" TIMESTAMP NOT NULL DEFAULT now(), "updated_at" TIMESTAMP NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "PK_c8ae8a5ea47893a7e819c567977" PRIMARY KEY ("id")))");
        tx.exec(
            R"(INSERT INTO album_image (id, filename, "objectKey", "dateTime", "dateTimeOriginal", "dateTimeDigitized", "gallerySpotType", created_at, updated_at, version) VALUES
            ('11111111-1111-4111-8111-111111111111', '사진 1.JPG', '11111111-1111-4111-8111-111111111111-사진 1.JPG', '2024-05-06 07:08:09', '2024-05-06 07:08:09', NULL, 'spot1', '2025-01-04 10:21:12.513456', '2025-01-04 10:21:12.513456', 1),
            ('22222222-2222-4222-8222-222222222222', 'IMG_2.jpg', '22222222-2222-4222-8222-222222222222-IMG_2.jpg', NULL, '2024-05-07 00:00:00.25', NULL, 'spot1', '2025-01-04 10:21:13', '2025-01-04 10:21:13', 3),
            ('33333333-3333-4333-8333-333333333333', 'IMG_3.jpg', '33333333-3333-4333-8333-333333333333-IMG_3.jpg', NULL, '1899-11-30 00:00:00', NULL, 'spot2', '2025-01-04 10:21:14', '2025-01-04 10:21:14', 2))");
        tx.commit();
    }
    auto pool = MigratedPool(db);
    pg::PgAlbumImageRepository images(*pool);
    auto one = images.FindById("11111111-1111-4111-8111-111111111111");
    ASSERT_THAT(one, testkit::IsOk());
    ASSERT_TRUE(one->has_value());
    EXPECT_EQ((*one)->object_key, "11111111-1111-4111-8111-111111111111-사진 1.JPG");
    EXPECT_EQ(ToIsoZ(*(*one)->date_time_original), "2024-05-06T07:08:09.000Z");
    EXPECT_EQ(ToIsoZ((*one)->created_at), "2025-01-04T10:21:12.513Z");
    EXPECT_EQ((*one)->thumbnail_key, "");
    EXPECT_EQ((*one)->sha256, "");
    EXPECT_FALSE((*one)->original_offset_minutes);
    // Two images held spot1: the one with the newest capture time keeps it.
    EXPECT_EQ((*one)->gallery_spot, SpotType::kNone);
    auto spots = images.GallerySpots();
    ASSERT_THAT(spots, testkit::IsOk());
    ASSERT_EQ(spots->size(), 2u);
    EXPECT_EQ((*spots)[0].id, "22222222-2222-4222-8222-222222222222");
    EXPECT_EQ((*spots)[0].version, 3);
    EXPECT_EQ(ToIsoZ(*(*spots)[0].date_time_original), "2024-05-07T00:00:00.250Z");
    EXPECT_EQ((*spots)[1].gallery_spot, SpotType::kSpot2);
    auto all = images.ListCaptureOrder(std::nullopt, 10);
    ASSERT_THAT(all, testkit::IsOk());
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ(all->back().id, "33333333-3333-4333-8333-333333333333");

    AlbumImage fresh;
    fresh.id = "44444444-4444-4444-8444-444444444444";
    fresh.filename = "new.jpg";
    fresh.object_key = fresh.id + ".jpg";
    fresh.sha256 = std::string(64, 'b');
    fresh.date_time_original = FromCivil(2024, 5, 8, 0, 0, 0, 0);
    ASSERT_THAT(images.Insert(fresh), testkit::IsOk());
    ASSERT_THAT(images.SetGallerySpot(fresh.id, SpotType::kSpot1), testkit::IsOk());
    EXPECT_EQ(
        (**images.FindById("22222222-2222-4222-8222-222222222222")).gallery_spot, SpotType::kNone);
    // Migrating again changes nothing.
    EXPECT_THAT(hatongsu::pg::Migrate(*pool, "album", pg::Migrations()), testkit::IsOk());
}

// Weak point 30: the capture-order keyset and the spot holders are read through their indexes.
TEST(AlbumPgRepository, CaptureOrderAndSpotQueriesUseTheirIndexes) {
    PgRepositories r;
    auto plans = r.pool->Run("explain", [](pqxx::connection& c) -> absl::StatusOr<std::string> {
        pqxx::work tx(c);
        tx.exec(
            "INSERT INTO album_image (id, filename, \"objectKey\", \"dateTimeOriginal\", version) "
            "SELECT gen_random_uuid(), 'f', 'k', TIMESTAMP '2024-01-01' + g * INTERVAL '1 minute', "
            "1 FROM generate_series(1, 5000) g");
        tx.exec("ANALYZE album_image");
        std::string out;
        for (const char* q :
             {"EXPLAIN SELECT id FROM album_image WHERE \"dateTimeOriginal\" IS NOT NULL AND "
              "(\"dateTimeOriginal\", id) < (TIMESTAMP '2024-01-02', gen_random_uuid()) "
              "ORDER BY \"dateTimeOriginal\" DESC, id DESC LIMIT 11",
              "EXPLAIN SELECT id FROM album_image WHERE \"gallerySpotType\" <> 'none'"}) {
            for (const auto& row : tx.exec(q)) {
                out += row[0].as<std::string>() + "\n";
            }
        }
        return out;
    });
    ASSERT_THAT(plans, testkit::IsOk());
    EXPECT_THAT(*plans, ::testing::HasSubstr("album_image_capture_order_idx"));
    EXPECT_THAT(*plans, ::testing::HasSubstr("album_image_gallery_spot_key"));
    EXPECT_THAT(*plans, ::testing::Not(::testing::HasSubstr("Seq Scan")));
}

// The worker's use case on the real repositories: one row per image however often a job is
// delivered, the file's status in the same transaction, identical bytes as a duplicate.
TEST(AlbumPgRepository, ProcessUploadIsIdempotentOnPostgres) {
    PgRepositories r;
    storage::InMemoryObjectStore store;
    FakeImageProcessor processor;
    SequentialIdGenerator ids;
    core::SystemClock clock;
    ProcessUpload uc(
        r.batches, r.images, store, processor, ids, clock,
        {.max_file_bytes = 1000,
         .delete_retry = {.attempts = 1, .backoff = std::chrono::milliseconds(0)}});
    const std::string batch = core::RandomUuidV4();
    std::vector<NewUploadFile> files;
    for (int i = 0; i < 2; ++i) {
        files.push_back(
            {"staging/" + std::to_string(i), "사진.jpg", "image/jpeg", 5, std::string(64, 'd'),
             1'700'000'000'123});
        ASSERT_THAT(store.Put(files.back().staging_key, "bytes", {}), testkit::IsOk());
    }
    ASSERT_THAT(r.batches.Create(batch, files), testkit::IsOk());
    auto job = [&](int i) {
        const NewUploadFile& f = files[static_cast<std::size_t>(i)];
        return UploadJob{batch,       i,      f.staging_key, f.filename,
                         f.mime_type, f.size, f.sha256,      f.last_modified_ms};
    };
    // The first delivery dies between the object writes and the insert.
    FaultyInsert faulty(r.images);
    ProcessUpload crashing(
        r.batches, faulty, store, processor, ids, clock,
        {.max_file_bytes = 1000,
         .delete_retry = {.attempts = 1, .backoff = std::chrono::milliseconds(0)}});
    EXPECT_EQ(crashing.Execute(job(0)).action, JobAction::kRetry);
    EXPECT_EQ(uc.Execute(job(0)).status, UploadStatus::kDone);
    EXPECT_EQ(uc.Execute(job(0)).status, UploadStatus::kDone);  // re-delivered after the commit
    EXPECT_EQ(uc.Execute(job(1)).status, UploadStatus::kDuplicate);
    auto got = r.batches.Get(batch);
    ASSERT_THAT(got, testkit::IsOk());
    EXPECT_EQ(got->files[0].status, UploadStatus::kDone);
    EXPECT_EQ(got->files[1].image_id, got->files[0].image_id);
    auto page = r.images.List({{{ImageField::kId, false}}, 0, 10});
    EXPECT_EQ(page->total_count, 1);
    EXPECT_EQ(store.ObjectCount(), 3u);  // the image's three objects; staging cleaned
}

TEST(AlbumPgRepository, MalformedValuesAreNeverInternalErrors) {
    PgRepositories r;
    auto found = r.images.FindById("'; DROP TABLE album_image; --");
    ASSERT_THAT(found, testkit::IsOk());
    EXPECT_FALSE(found->has_value());
    auto position = r.images.CapturePositionOf("x");
    ASSERT_THAT(position, testkit::IsOk());
    EXPECT_FALSE(position->has_value());
    EXPECT_THAT(
        r.images.SetGallerySpot("not-a-uuid", SpotType::kSpot1),
        testkit::StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(r.images.DeleteByIds({"x", "'"}), testkit::IsOk());
    EXPECT_THAT(r.batches.Get("nope"), testkit::StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(
        r.batches.Create("not-a-uuid", {}), testkit::StatusIs(absl::StatusCode::kInvalidArgument));
    // A sort over every whitelisted column is valid SQL.
    ImagePageQuery q;
    for (ImageField f :
         {ImageField::kId, ImageField::kFilename, ImageField::kObjectKey, ImageField::kDateTime,
          ImageField::kDateTimeOriginal, ImageField::kDateTimeDigitized,
          ImageField::kGallerySpotType, ImageField::kCreatedAt, ImageField::kUpdatedAt,
          ImageField::kVersion}) {
        q.sort.push_back({f, f == ImageField::kVersion});
    }
    EXPECT_THAT(r.images.List(q), testkit::IsOk());
}

}  // namespace
}  // namespace hatongsu::album::testing
