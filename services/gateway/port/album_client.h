// The album service as the gateway sees it (GrpcAlbumClient implements it over gRPC with a
// deadline per call). Calls are awaited from connection coroutines and never block an I/O thread.
// Errors: the service's own (InvalidArgument for a bad sort/cursor/id/range, NotFound for an
// unknown image or batch), Unavailable ALBUM_SERVICE_UNAVAILABLE, DeadlineExceeded
// ALBUM_SERVICE_TIMEOUT.
#pragma once

#include <string>
#include <vector>

#include <absl/status/statusor.h>
#include <boost/asio/awaitable.hpp>

#include "services/gateway/domain/album.h"
#include "services/gateway/port/user_client.h"

namespace hatongsu::gateway {

class AlbumClient {
public:
    virtual ~AlbumClient() = default;
    virtual boost::asio::awaitable<absl::StatusOr<AlbumPage>> List(
        CallMeta meta, AlbumQuery query) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<AlbumCursorPage>> Cursor(
        CallMeta meta, std::optional<std::string> cursor, int limit) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<AlbumInfinitePage>> Infinite(
        CallMeta meta, std::optional<std::string> next_cursor, int limit) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<AlbumImage>> FerrisNext(
        CallMeta meta, std::string id, int skip) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<std::vector<DateCount>>> CountByDate(
        CallMeta meta, std::string start_date, std::string end_date) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<DeleteResult>> Delete(
        CallMeta meta, std::vector<std::string> image_ids) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<SpotImages>> GallerySpots(CallMeta meta) = 0;
    virtual boost::asio::awaitable<absl::Status> UpdateGallerySpot(
        CallMeta meta, std::string image_id, std::string spot_type) = 0;
    virtual boost::asio::awaitable<absl::Status> CreateUploadBatch(
        CallMeta meta, std::string batch_id, std::vector<StagedFile> files) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<std::vector<UploadFileStatus>>> GetUploadBatch(
        CallMeta meta, std::string batch_id) = 0;
    // OK when the service answers its health check as SERVING.
    virtual boost::asio::awaitable<absl::Status> CheckHealth() = 0;
};

}  // namespace hatongsu::gateway
