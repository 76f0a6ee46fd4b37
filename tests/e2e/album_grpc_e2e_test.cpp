// The album binary end to end over gRPC against a real PostgreSQL (HATONGSU_PG_BASE): service
// authentication, every read RPC over rows inserted as the original service would have them, spot
// changes, deletes, upload batches, and the error codes a client can cause.
#include <cstdlib>
#include <set>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/testkit/process.h"
#include "proto/album.grpc.pb.h"

namespace hatongsu {
namespace {

constexpr const char* kServiceSecret = "e2e-album-secret-0123456789";

std::string Base() {
    const char* base = std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): setup
    if (base == nullptr) {
        throw std::runtime_error(
            "HATONGSU_PG_BASE is not set: run through scripts/test.sh (make test)");
    }
    return base;
}

std::string Id(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08d-0000-4000-8000-000000000000", n);
    return buf;
}

class AlbumE2E : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_ = "e2e_album_" + core::AsciiLower(core::RandomUuidV4().substr(0, 8));
        {
            pqxx::connection admin(Base() + "/postgres");
            pqxx::nontransaction tx(admin);
            tx.exec("CREATE DATABASE " + db_);
        }
        port_ = testkit::FreePort();
        album_ = new testkit::ChildProcess(
            HATONGSU_ALBUM_BIN,
            {{"ALBUM_GRPC_ADDR", "127.0.0.1:" + std::to_string(port_)},
             {"ALBUM_PG_URL", Base() + "/" + db_},
             {"ALBUM_THREADS", "2"},
             {"ALBUM_DECODE_THREADS", "1"},
             {"HATONGSU_SERVICE_SECRET", kServiceSecret},
             {"LOG_FORMAT", "text"}},
            ::testing::TempDir() + "/" + db_ + "-album.log");
        ASSERT_TRUE(album_->WaitForPort(port_)) << album_->Log();
        // Eleven images a minute apart (image 11 the newest), as the original service stored them.
        pqxx::connection c(Base() + "/" + db_);
        pqxx::work tx(c);
        for (int n = 1; n <= 11; ++n) {
            tx.exec_params(
                "INSERT INTO album_image (id, filename, \"objectKey\", \"dateTimeOriginal\", "
                "version) VALUES ($1::uuid, $2, $3, TIMESTAMP '2024-05-01 00:00:00' + $4 * "
                "INTERVAL '1 minute', 1)",
                Id(n), "IMG_" + std::to_string(n) + ".jpg", Id(n) + ".jpg", n);
        }
        tx.commit();
        stub_ = ::album::AlbumService::NewStub(
                    grpc::CreateChannel(
                        "127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()))
                    .release();
    }
    static void TearDownTestSuite() {
        delete stub_;
        if (album_ != nullptr) {
            EXPECT_EQ(album_->Stop(), 0) << album_->Log();
            delete album_;
        }
        try {
            pqxx::connection admin(Base() + "/postgres");
            pqxx::nontransaction tx(admin);
            tx.exec("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
        } catch (const std::exception&) {
        }
    }

    struct Ctx {
        explicit Ctx(bool authenticated = true) {
            ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
            if (authenticated) {
                ctx.AddMetadata("x-service-token", kServiceSecret);
            }
        }
        grpc::ClientContext ctx;
    };
    static std::vector<std::string> Ids(
        const google::protobuf::RepeatedPtrField<::album::AlbumImageProto>& images) {
        std::vector<std::string> out;
        for (const auto& i : images) {
            out.push_back(i.id());
        }
        return out;
    }

    static inline std::string db_;
    static inline uint16_t port_ = 0;
    static inline testkit::ChildProcess* album_ = nullptr;
    static inline ::album::AlbumService::Stub* stub_ = nullptr;
};

TEST_F(AlbumE2E, CallersWithoutTheServiceSecretAreRefused) {
    Ctx c(false);
    ::album::AlbumImageRequest req;
    ::album::AlbumImageResponse resp;
    EXPECT_EQ(
        stub_->GetAlbumImages(&c.ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AlbumE2E, OffsetPagingWithSortAndClamps) {
    Ctx c;
    ::album::AlbumImageRequest req;
    auto* s = req.add_sort();
    s->set_orderby("dateTimeOriginal");
    s->set_order("DESC");
    req.set_page(1);
    req.set_limit(3);
    ::album::AlbumImageResponse resp;
    ASSERT_TRUE(stub_->GetAlbumImages(&c.ctx, req, &resp).ok());
    EXPECT_EQ(resp.total_count(), 11);
    EXPECT_THAT(Ids(resp.album_images()), ::testing::ElementsAre(Id(11), Id(10), Id(9)));
    const auto& first = resp.album_images(0);
    EXPECT_EQ(first.date_time_original(), "2024-05-01T00:11:00.000Z");
    EXPECT_FALSE(first.has_date_time());
    EXPECT_EQ(first.gallery_spot_type(), "none");
    EXPECT_THAT(first.path(), ::testing::EndsWith("/" + Id(11) + ".jpg"));

    Ctx c2;
    req.set_limit(0);  // the default page, not the whole table
    ::album::AlbumImageResponse resp2;
    ASSERT_TRUE(stub_->GetAlbumImages(&c2.ctx, req, &resp2).ok());
    EXPECT_EQ(resp2.album_images_size(), 10);

    Ctx c3;
    req.mutable_sort(0)->set_orderby("password");
    ::album::AlbumImageResponse resp3;
    grpc::Status bad = stub_->GetAlbumImages(&c3.ctx, req, &resp3);
    EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(bad.error_message(), "INVALID_SORT_FIELD");
}

TEST_F(AlbumE2E, CursorAndInfiniteFeeds) {
    std::vector<std::string> seen;
    std::optional<std::string> cursor;
    for (int page = 0; page < 5; ++page) {
        Ctx c;
        ::album::AlbumImageCursorRequest req;
        if (cursor) {
            req.set_cursor(*cursor);
        }
        req.set_limit(4);
        ::album::AlbumImageCursorResponse resp;
        ASSERT_TRUE(stub_->GetAlbumImagesCursor(&c.ctx, req, &resp).ok());
        for (const auto& i : resp.album_images()) {
            seen.push_back(i.id());
        }
        EXPECT_EQ(resp.has_next_page(), resp.has_next_cursor());
        if (!resp.has_next_cursor()) {
            break;
        }
        cursor = resp.next_cursor();
    }
    EXPECT_EQ(seen.size(), 11u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 11u);

    Ctx c;
    ::album::AlbumImageInfiniteRequest inf;
    inf.set_limit(4);
    inf.set_next_cursor(core::Base64Encode("2024-05-01 00:03:00.000_" + Id(3)));
    ::album::AlbumImageInfiniteResponse page;
    ASSERT_TRUE(stub_->GetAlbumImagesInfinite(&c.ctx, inf, &page).ok());
    EXPECT_THAT(Ids(page.album_images()), ::testing::ElementsAre(Id(2), Id(1), Id(11), Id(10)));
    EXPECT_EQ(page.next_cursor(), core::Base64Encode("2024-05-01 00:10:00.000_" + Id(10)));

    Ctx bad;
    ::album::AlbumImageCursorRequest garbage;
    garbage.set_cursor("!!!");
    ::album::AlbumImageCursorResponse none;
    EXPECT_EQ(
        stub_->GetAlbumImagesCursor(&bad.ctx, garbage, &none).error_code(),
        grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AlbumE2E, FerrisNextAndCountDate) {
    auto ferris = [](const std::string& id, int skip, std::string* out) {
        Ctx c;
        ::album::AlbumImageFerrisNextRequest req;
        req.set_id(id);
        req.set_skip(skip);
        ::album::AlbumImageFerrisNextResponse resp;
        grpc::Status s = stub_->GetAlbumImageFerrisNext(&c.ctx, req, &resp);
        *out = resp.album_image().id();
        return s.error_code();
    };
    std::string got;
    EXPECT_EQ(ferris(Id(10), 12, &got), grpc::StatusCode::OK);
    EXPECT_EQ(got, Id(9));
    EXPECT_EQ(ferris(Id(10), -2, &got), grpc::StatusCode::OK);
    EXPECT_EQ(got, Id(1));
    EXPECT_EQ(ferris(Id(99), 8, &got), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(ferris("x", 8, &got), grpc::StatusCode::INVALID_ARGUMENT);

    Ctx c;
    ::album::AlbumImageCountDateRequest req;
    req.set_startdate("2024-05-01");
    req.set_enddate("2024-05-14T00:00:00Z");
    ::album::AlbumImageCountDateResponse resp;
    ASSERT_TRUE(stub_->GetAlbumImageCountDate(&c.ctx, req, &resp).ok());
    ASSERT_EQ(resp.result_size(), 1);
    EXPECT_EQ(resp.result(0).date(), "2024-05-01");
    EXPECT_GE(resp.result(0).count(), 10);
}

TEST_F(AlbumE2E, SpotsBatchesAndDelete) {
    auto set_spot = [](const std::string& id, const std::string& spot) {
        Ctx c;
        ::album::UpdateGallerySpotRequest req;
        req.set_image_id(id);
        req.set_spot_type(spot);
        ::album::UpdateGallerySpotResponse resp;
        return stub_->UpdateGallerySpot(&c.ctx, req, &resp).error_code();
    };
    EXPECT_EQ(set_spot(Id(4), "spot3"), grpc::StatusCode::OK);
    EXPECT_EQ(set_spot(Id(5), "spot3"), grpc::StatusCode::OK);
    EXPECT_EQ(set_spot(Id(5), "spot33"), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(set_spot(Id(77), "spot1"), grpc::StatusCode::NOT_FOUND);
    Ctx c;
    ::album::AlbumImageGallerySpotResponse spots;
    ASSERT_TRUE(stub_->GetAlbumImagesGallerySpot(&c.ctx, {}, &spots).ok());
    ASSERT_EQ(spots.spot_images().size(), 1u);
    EXPECT_EQ(spots.spot_images().at("spot3").images(0).id(), Id(5));

    const std::string batch = core::RandomUuidV4();
    Ctx c2;
    ::album::CreateUploadBatchRequest create;
    create.set_batch_id(batch);
    auto* f = create.add_files();
    f->set_staging_key("staging/" + batch + "/0");
    f->set_filename("사진 1.JPG");
    f->set_mime_type("image/jpeg");
    f->set_size(10);
    f->set_sha256(std::string(64, 'a'));
    ::album::CreateUploadBatchResponse created;
    ASSERT_TRUE(stub_->CreateUploadBatch(&c2.ctx, create, &created).ok());
    Ctx c3;
    ::album::GetUploadBatchRequest get;
    get.set_batch_id(batch);
    ::album::GetUploadBatchResponse status;
    ASSERT_TRUE(stub_->GetUploadBatch(&c3.ctx, get, &status).ok());
    ASSERT_EQ(status.files_size(), 1);
    EXPECT_EQ(status.files(0).status(), "queued");
    EXPECT_EQ(status.files(0).filename(), "사진 1.JPG");

    Ctx c4;
    ::album::DeleteAlbumImagesRequest del;
    del.add_image_ids(Id(1));
    del.add_image_ids(Id(98));
    ::album::DeleteAlbumImagesResponse deleted;
    ASSERT_TRUE(stub_->DeleteAlbumImages(&c4.ctx, del, &deleted).ok());
    EXPECT_TRUE(deleted.success());
    EXPECT_EQ(deleted.deleted_count(), 1);
    Ctx c5;
    del.add_image_ids("not-a-uuid");
    EXPECT_EQ(
        stub_->DeleteAlbumImages(&c5.ctx, del, &deleted).error_code(),
        grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace hatongsu
