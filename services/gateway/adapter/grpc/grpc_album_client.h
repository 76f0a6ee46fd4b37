// AlbumClient over gRPC (proto/album.proto) with a deadline on every call and the service secret
// as x-service-token metadata; transport failures become Unavailable ALBUM_SERVICE_UNAVAILABLE /
// DeadlineExceeded ALBUM_SERVICE_TIMEOUT. Thread-safe.
#pragma once

#include <chrono>
#include <memory>

#include <grpcpp/grpcpp.h>

#include "hatongsu/rpc/call_tracker.h"
#include "hatongsu/rpc/metrics.h"
#include "proto/album.grpc.pb.h"
#include "proto/health.grpc.pb.h"
#include "services/gateway/port/album_client.h"

namespace hatongsu::metrics {
class Registry;
}

namespace hatongsu::gateway::grpc_adapter {

class GrpcAlbumClient final : public AlbumClient {
public:
    // With `metrics`, every call is counted and timed there (rpc/metrics.h); it must outlive this.
    GrpcAlbumClient(
        const std::string& address,
        std::shared_ptr<grpc::ChannelCredentials> credentials,
        std::chrono::milliseconds timeout,
        std::string service_secret,
        metrics::Registry* metrics = nullptr);

    boost::asio::awaitable<absl::StatusOr<AlbumPage>> List(
        CallMeta meta, AlbumQuery query) override;
    boost::asio::awaitable<absl::StatusOr<AlbumCursorPage>> Cursor(
        CallMeta meta, std::optional<std::string> cursor, int limit) override;
    boost::asio::awaitable<absl::StatusOr<AlbumInfinitePage>> Infinite(
        CallMeta meta, std::optional<std::string> next_cursor, int limit) override;
    boost::asio::awaitable<absl::StatusOr<AlbumImage>> FerrisNext(
        CallMeta meta, std::string id, int skip) override;
    boost::asio::awaitable<absl::StatusOr<std::vector<DateCount>>> CountByDate(
        CallMeta meta, std::string start_date, std::string end_date) override;
    boost::asio::awaitable<absl::StatusOr<DeleteResult>> Delete(
        CallMeta meta, std::vector<std::string> image_ids) override;
    boost::asio::awaitable<absl::StatusOr<SpotImages>> GallerySpots(CallMeta meta) override;
    boost::asio::awaitable<absl::Status> UpdateGallerySpot(
        CallMeta meta, std::string image_id, std::string spot_type) override;
    boost::asio::awaitable<absl::Status> CreateUploadBatch(
        CallMeta meta, std::string batch_id, std::vector<StagedFile> files) override;
    boost::asio::awaitable<absl::StatusOr<std::vector<UploadFileStatus>>> GetUploadBatch(
        CallMeta meta, std::string batch_id) override;
    boost::asio::awaitable<absl::Status> CheckHealth() override;

    rpc::CallTracker& Calls() { return calls_; }

private:
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<::album::AlbumService::Stub> album_;
    std::unique_ptr<::grpc::health::v1::Health::Stub> health_;
    const std::chrono::milliseconds timeout_;
    rpc::CallTracker calls_;
    const std::string service_secret_;
    std::unique_ptr<rpc::GrpcMetrics> metrics_;  // empty: calls are not counted
};

}  // namespace hatongsu::gateway::grpc_adapter
