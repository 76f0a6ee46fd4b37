#include "services/gateway/adapter/grpc/grpc_album_client.h"

#include "services/gateway/adapter/grpc/call.h"

namespace hatongsu::gateway::grpc_adapter {
namespace {

absl::Status Edge(const absl::Status& s) {
    return grpc_adapter::Edge(s, "ALBUM");
}

AlbumImage FromProto(const ::album::AlbumImageProto& p) {
    AlbumImage a;
    a.id = p.id();
    a.filename = p.filename();
    a.path = p.path();
    if (p.has_date_time()) {
        a.date_time = p.date_time();
    }
    if (p.has_date_time_original()) {
        a.date_time_original = p.date_time_original();
    }
    if (p.has_date_time_digitized()) {
        a.date_time_digitized = p.date_time_digitized();
    }
    if (p.has_date_time_original_offset()) {
        a.date_time_original_offset = p.date_time_original_offset();
    }
    a.gallery_spot_type = p.has_gallery_spot_type() ? p.gallery_spot_type() : "none";
    a.created_at = p.created_at();
    a.updated_at = p.updated_at();
    a.thumbnail_path = p.thumbnail_path();
    a.preview_path = p.preview_path();
    a.width = p.width();
    a.height = p.height();
    return a;
}

template <typename Repeated>
std::vector<AlbumImage> FromProtos(const Repeated& images) {
    std::vector<AlbumImage> out;
    out.reserve(static_cast<std::size_t>(images.size()));
    for (const auto& p : images) {
        out.push_back(FromProto(p));
    }
    return out;
}

}  // namespace

GrpcAlbumClient::GrpcAlbumClient(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    std::chrono::milliseconds timeout,
    std::string service_secret,
    metrics::Registry* metrics)
    : channel_(grpc::CreateChannel(address, std::move(credentials))),
      album_(::album::AlbumService::NewStub(channel_)),
      health_(::grpc::health::v1::Health::NewStub(channel_)),
      timeout_(timeout),
      service_secret_(std::move(service_secret)),
      metrics_(
          metrics != nullptr
              ? std::make_unique<rpc::GrpcMetrics>(*metrics, rpc::GrpcMetrics::Side::kClient)
              : nullptr) {}

#define HATONGSU_CALL HATONGSU_GATEWAY_CALL
#define HATONGSU_GRPC_SERVICE_album_ "/album.AlbumService/"
#define HATONGSU_GRPC_SERVICE_health_ "/grpc.health.v1.Health/"

boost::asio::awaitable<absl::StatusOr<AlbumPage>> GrpcAlbumClient::List(
    CallMeta meta, AlbumQuery query) {
    ::album::AlbumImageRequest req;
    for (const auto& [order_by, order] : query.sort) {
        auto* s = req.add_sort();
        s->set_orderby(order_by);
        s->set_order(order);
    }
    req.set_page(query.page);
    req.set_limit(query.limit);
    auto reply =
        co_await HATONGSU_CALL(album_, GetAlbumImages, ::album::AlbumImageResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    co_return AlbumPage{FromProtos(reply->album_images()), reply->total_count()};
}

boost::asio::awaitable<absl::StatusOr<AlbumCursorPage>> GrpcAlbumClient::Cursor(
    CallMeta meta, std::optional<std::string> cursor, int limit) {
    ::album::AlbumImageCursorRequest req;
    if (cursor) {
        req.set_cursor(std::move(*cursor));
    }
    req.set_limit(limit);
    auto reply = co_await HATONGSU_CALL(
        album_, GetAlbumImagesCursor, ::album::AlbumImageCursorResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    AlbumCursorPage page{FromProtos(reply->album_images()), std::nullopt, reply->has_next_page()};
    if (reply->has_next_cursor()) {
        page.next_cursor = reply->next_cursor();
    }
    co_return page;
}

boost::asio::awaitable<absl::StatusOr<AlbumInfinitePage>> GrpcAlbumClient::Infinite(
    CallMeta meta, std::optional<std::string> next_cursor, int limit) {
    ::album::AlbumImageInfiniteRequest req;
    if (next_cursor) {
        req.set_next_cursor(std::move(*next_cursor));
    }
    req.set_limit(limit);
    auto reply = co_await HATONGSU_CALL(
        album_, GetAlbumImagesInfinite, ::album::AlbumImageInfiniteResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    co_return AlbumInfinitePage{FromProtos(reply->album_images()), reply->next_cursor()};
}

boost::asio::awaitable<absl::StatusOr<AlbumImage>> GrpcAlbumClient::FerrisNext(
    CallMeta meta, std::string id, int skip) {
    ::album::AlbumImageFerrisNextRequest req;
    req.set_id(std::move(id));
    req.set_skip(skip);
    auto reply = co_await HATONGSU_CALL(
        album_, GetAlbumImageFerrisNext, ::album::AlbumImageFerrisNextResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    co_return FromProto(reply->album_image());
}

boost::asio::awaitable<absl::StatusOr<std::vector<DateCount>>> GrpcAlbumClient::CountByDate(
    CallMeta meta, std::string start_date, std::string end_date) {
    ::album::AlbumImageCountDateRequest req;
    req.set_startdate(std::move(start_date));
    req.set_enddate(std::move(end_date));
    auto reply = co_await HATONGSU_CALL(
        album_, GetAlbumImageCountDate, ::album::AlbumImageCountDateResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    std::vector<DateCount> out;
    for (const auto& r : reply->result()) {
        out.push_back(DateCount{r.date(), r.count()});
    }
    co_return out;
}

boost::asio::awaitable<absl::StatusOr<DeleteResult>> GrpcAlbumClient::Delete(
    CallMeta meta, std::vector<std::string> image_ids) {
    ::album::DeleteAlbumImagesRequest req;
    for (auto& id : image_ids) {
        req.add_image_ids(std::move(id));
    }
    auto reply = co_await HATONGSU_CALL(
        album_, DeleteAlbumImages, ::album::DeleteAlbumImagesResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    co_return DeleteResult{reply->success(), reply->deleted_count()};
}

boost::asio::awaitable<absl::StatusOr<SpotImages>> GrpcAlbumClient::GallerySpots(CallMeta meta) {
    ::album::AlbumImageGallerySpotRequest req;
    auto reply = co_await HATONGSU_CALL(
        album_, GetAlbumImagesGallerySpot, ::album::AlbumImageGallerySpotResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    // A protobuf map has no order: put the spots back in enum order (spot1 ... spot10).
    SpotImages out;
    for (int n = 1; n <= 10; ++n) {
        std::string spot = "spot" + std::to_string(n);
        auto it = reply->spot_images().find(spot);
        if (it != reply->spot_images().end() && it->second.images_size() > 0) {
            out.emplace_back(spot, FromProtos(it->second.images()));
        }
    }
    co_return out;
}

boost::asio::awaitable<absl::Status> GrpcAlbumClient::UpdateGallerySpot(
    CallMeta meta, std::string image_id, std::string spot_type) {
    ::album::UpdateGallerySpotRequest req;
    req.set_image_id(std::move(image_id));
    req.set_spot_type(std::move(spot_type));
    auto reply = co_await HATONGSU_CALL(
        album_, UpdateGallerySpot, ::album::UpdateGallerySpotResponse, meta, req);
    co_return reply.ok() ? absl::OkStatus() : Edge(reply.status());
}

boost::asio::awaitable<absl::Status> GrpcAlbumClient::CreateUploadBatch(
    CallMeta meta, std::string batch_id, std::vector<StagedFile> files) {
    ::album::CreateUploadBatchRequest req;
    req.set_batch_id(std::move(batch_id));
    for (auto& f : files) {
        auto* p = req.add_files();
        p->set_staging_key(std::move(f.staging_key));
        p->set_filename(std::move(f.filename));
        p->set_mime_type(std::move(f.mime_type));
        p->set_size(f.size);
        p->set_sha256(std::move(f.sha256));
        if (f.last_modified_ms) {
            p->set_last_modified_ms(*f.last_modified_ms);
        }
    }
    auto reply = co_await HATONGSU_CALL(
        album_, CreateUploadBatch, ::album::CreateUploadBatchResponse, meta, req);
    co_return reply.ok() ? absl::OkStatus() : Edge(reply.status());
}

boost::asio::awaitable<absl::StatusOr<std::vector<UploadFileStatus>>>
GrpcAlbumClient::GetUploadBatch(CallMeta meta, std::string batch_id) {
    ::album::GetUploadBatchRequest req;
    req.set_batch_id(std::move(batch_id));
    auto reply =
        co_await HATONGSU_CALL(album_, GetUploadBatch, ::album::GetUploadBatchResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    std::vector<UploadFileStatus> out;
    for (const auto& f : reply->files()) {
        out.push_back(
            UploadFileStatus{f.index(), f.filename(), f.status(), f.image_id(), f.reason()});
    }
    co_return out;
}

boost::asio::awaitable<absl::Status> GrpcAlbumClient::CheckHealth() {
    ::grpc::health::v1::HealthCheckRequest req;
    CallMeta no_meta;
    auto reply = co_await HATONGSU_CALL(
        health_, Check, ::grpc::health::v1::HealthCheckResponse, no_meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    co_return reply->status() == ::grpc::health::v1::HealthCheckResponse::SERVING
        ? absl::OkStatus()
        : absl::UnavailableError("ALBUM_SERVICE_NOT_SERVING");
}

#undef HATONGSU_CALL
#undef HATONGSU_GRPC_SERVICE_album_
#undef HATONGSU_GRPC_SERVICE_health_

}  // namespace hatongsu::gateway::grpc_adapter
