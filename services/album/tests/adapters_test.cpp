// Adapter code that needs no server: proto mapping, the queue message codec, configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/storage/in_memory_object_store.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/album/adapter/grpc/album_grpc_service.h"
#include "services/album/config.h"

namespace hatongsu::album {
namespace {

using testkit::IsOk;
using testkit::StatusIs;

using Vars = std::map<std::string, std::string>;
constexpr const char* kId = "b16f7b3d-60af-44f9-895f-72c92c032127";

TEST(AlbumProtoMapping, SetsOptionalFieldsOnlyWhenPresent) {
    storage::InMemoryObjectStore store("https://files.example");
    AlbumImage image;
    image.id = kId;
    image.filename = "사진 1.jpg";
    image.object_key = std::string(kId) + ".jpg";
    image.thumbnail_key = ThumbnailKey(kId);
    image.preview_key = PreviewKey(kId);
    image.width = 4032;
    image.height = 3024;
    image.date_time_original = FromCivil(2024, 5, 6, 7, 8, 9, 0);
    image.original_offset_minutes = 540;
    image.gallery_spot = SpotType::kSpot2;
    image.created_at = *FromCivil(2025, 1, 4, 10, 21, 12, 513);
    image.updated_at = image.created_at;
    ::album::AlbumImageProto p;
    grpc_adapter::ToProto(image, store, &p);
    EXPECT_EQ(p.id(), kId);
    EXPECT_EQ(p.filename(), "사진 1.jpg");
    EXPECT_EQ(p.path(), "https://files.example/files/" + std::string(kId) + ".jpg");
    EXPECT_EQ(
        p.thumbnail_path(), "https://files.example/files/" + std::string(kId) + ".thumb.webp");
    EXPECT_EQ(p.preview_path(), "https://files.example/files/" + std::string(kId) + ".preview.jpg");
    EXPECT_EQ(p.date_time_original(), "2024-05-06T07:08:09.000Z");
    EXPECT_FALSE(p.has_date_time());
    EXPECT_FALSE(p.has_date_time_digitized());
    EXPECT_EQ(p.created_at(), "2025-01-04T10:21:12.513Z");
    EXPECT_EQ(p.gallery_spot_type(), "spot2");
    EXPECT_EQ(p.date_time_original_offset(), "+09:00");
    EXPECT_EQ(p.width(), 4032);

    // A row of the original service: no derivatives, no offset.
    AlbumImage old = image;
    old.thumbnail_key.clear();
    old.preview_key.clear();
    old.original_offset_minutes.reset();
    ::album::AlbumImageProto q;
    grpc_adapter::ToProto(old, store, &q);
    EXPECT_EQ(q.thumbnail_path(), q.path());
    EXPECT_EQ(q.preview_path(), q.path());
    EXPECT_FALSE(q.has_date_time_original_offset());
}

TEST(AlbumProtoMapping, RequestsAndBatches) {
    ::album::AlbumImageRequest req;
    auto* s = req.add_sort();
    s->set_orderby("dateTimeOriginal");
    s->set_order("desc");
    req.set_page(2);
    req.set_limit(20);
    GetAlbumImagesCommand c = grpc_adapter::FromProto(req);
    ASSERT_EQ(c.sort.size(), 1u);
    EXPECT_EQ(c.sort[0].first, "dateTimeOriginal");
    EXPECT_EQ(c.page, 2);

    ::album::CreateUploadBatchRequest create;
    auto* f = create.add_files();
    f->set_staging_key("staging/a");
    f->set_size(5);
    auto* g = create.add_files();
    g->set_last_modified_ms(0);
    auto files = grpc_adapter::FromProto(create);
    EXPECT_FALSE(files[0].last_modified_ms);
    EXPECT_EQ(files[1].last_modified_ms, 0);

    UploadBatch batch{kId, {{0, {}, UploadStatus::kFailed, "", "NOT_AN_IMAGE"}}};
    ::album::GetUploadBatchResponse out;
    grpc_adapter::ToProto(batch, &out);
    EXPECT_EQ(out.files(0).status(), "failed");
    EXPECT_EQ(out.files(0).reason(), "NOT_AN_IMAGE");
}

TEST(AlbumConfig, DefaultsAndTheOriginalNames) {
    config::Env env(
        {{"DB_URL", "postgresql://x"},
         {"GRPC_URL", "127.0.0.1:4999"},
         {"TCP_PORT", "4002"},
         {"RABBITMQ_URL", "amqp://u:p@h:5672/"},
         {"ALBUM_GRPC_URL", "gateway's"}});
    auto c = LoadConfig(env);
    ASSERT_THAT(c, IsOk());
    EXPECT_EQ(c->grpc_address, "127.0.0.1:4999");
    EXPECT_EQ(c->pg_url, "postgresql://x");
    EXPECT_EQ(c->amqp_url, "amqp://u:p@h:5672/");
    EXPECT_EQ(c->queue, "album_queue");
    EXPECT_EQ(c->job_threads, 2 * c->decode_threads);
    EXPECT_GE(c->pg_pool_size, c->io_threads + c->job_threads);
    EXPECT_GE(c->prefetch, c->job_threads);
    config::Env defaults(Vars{{"ALBUM_PG_URL", "postgresql://y"}});
    EXPECT_EQ(LoadConfig(defaults)->grpc_address, "127.0.0.1:4002");
}

TEST(AlbumConfig, RefusesTyposAndOpenNonLoopbackListeners) {
    config::Env typo(Vars{{"ALBUM_PG_URL", "postgresql://y"}, {"ALBUM_PREFECTH", "3"}});
    EXPECT_THAT(LoadConfig(typo), StatusIs(absl::StatusCode::kInvalidArgument));
    config::Env open(Vars{{"ALBUM_PG_URL", "postgresql://y"}, {"ALBUM_GRPC_ADDR", "0.0.0.0:4002"}});
    EXPECT_THAT(LoadConfig(open), StatusIs(absl::StatusCode::kInvalidArgument));
    config::Env small(
        {{"ALBUM_PG_URL", "postgresql://y"},
         {"ALBUM_THREADS", "4"},
         {"ALBUM_DECODE_THREADS", "2"},
         {"ALBUM_PG_POOL_SIZE", "7"}});  // 4 gRPC threads + 4 job threads need 8
    EXPECT_THAT(LoadConfig(small), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hatongsu::album
