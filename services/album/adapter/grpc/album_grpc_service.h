// The gRPC edge of the album service (proto/album.proto): translates messages to use-case calls
// and absl::Status to gRPC status (InvalidArgument, NotFound, ... as they are: the gateway maps
// them to 400/404; the original answered UNKNOWN for everything). Every method first checks the
// caller (rpc::ServiceAuth), then runs on the bounded database pool: reactions never block.
#pragma once

#include "hatongsu/rpc/server.h"
#include "hatongsu/rpc/service_auth.h"
#include "hatongsu/storage/object_store.h"
#include "proto/album.grpc.pb.h"
#include "services/album/usecase/delete_album_images.h"
#include "services/album/usecase/listings.h"
#include "services/album/usecase/upload_batches.h"

namespace hatongsu::album::grpc_adapter {

// Everything the service calls; owned by main.
struct UseCases {
    GetAlbumImages& get_images;
    GetAlbumImagesCursor& get_cursor;
    GetAlbumImagesInfinite& get_infinite;
    GetFerrisNext& ferris_next;
    CountByDate& count_by_date;
    DeleteAlbumImages& delete_images;
    GetGallerySpots& get_spots;
    UpdateGallerySpot& update_spot;
    CreateUploadBatch& create_batch;
    GetUploadBatch& get_batch;
};

class AlbumService final : public ::album::AlbumService::CallbackService {
public:
    AlbumService(
        UseCases use_cases,
        rpc::WorkPool& pool,
        const storage::ObjectStore& store,
        const rpc::ServiceAuth& auth)
        : uc_(use_cases), pool_(pool), store_(store), auth_(auth) {}

    grpc::ServerUnaryReactor* GetAlbumImages(
        grpc::CallbackServerContext* ctx,
        const ::album::AlbumImageRequest* req,
        ::album::AlbumImageResponse* resp) override;
    grpc::ServerUnaryReactor* GetAlbumImagesCursor(
        grpc::CallbackServerContext* ctx,
        const ::album::AlbumImageCursorRequest* req,
        ::album::AlbumImageCursorResponse* resp) override;
    grpc::ServerUnaryReactor* GetAlbumImagesInfinite(
        grpc::CallbackServerContext* ctx,
        const ::album::AlbumImageInfiniteRequest* req,
        ::album::AlbumImageInfiniteResponse* resp) override;
    grpc::ServerUnaryReactor* GetAlbumImageFerrisNext(
        grpc::CallbackServerContext* ctx,
        const ::album::AlbumImageFerrisNextRequest* req,
        ::album::AlbumImageFerrisNextResponse* resp) override;
    grpc::ServerUnaryReactor* GetAlbumImageCountDate(
        grpc::CallbackServerContext* ctx,
        const ::album::AlbumImageCountDateRequest* req,
        ::album::AlbumImageCountDateResponse* resp) override;
    grpc::ServerUnaryReactor* DeleteAlbumImages(
        grpc::CallbackServerContext* ctx,
        const ::album::DeleteAlbumImagesRequest* req,
        ::album::DeleteAlbumImagesResponse* resp) override;
    grpc::ServerUnaryReactor* GetAlbumImagesGallerySpot(
        grpc::CallbackServerContext* ctx,
        const ::album::AlbumImageGallerySpotRequest* req,
        ::album::AlbumImageGallerySpotResponse* resp) override;
    grpc::ServerUnaryReactor* UpdateGallerySpot(
        grpc::CallbackServerContext* ctx,
        const ::album::UpdateGallerySpotRequest* req,
        ::album::UpdateGallerySpotResponse* resp) override;
    grpc::ServerUnaryReactor* CreateUploadBatch(
        grpc::CallbackServerContext* ctx,
        const ::album::CreateUploadBatchRequest* req,
        ::album::CreateUploadBatchResponse* resp) override;
    grpc::ServerUnaryReactor* GetUploadBatch(
        grpc::CallbackServerContext* ctx,
        const ::album::GetUploadBatchRequest* req,
        ::album::GetUploadBatchResponse* resp) override;

private:
    UseCases uc_;
    rpc::WorkPool& pool_;                // owned by main, outlive this object
    const storage::ObjectStore& store_;  // for the public URLs
    const rpc::ServiceAuth& auth_;
};

// Mapping, exposed for its unit test. Optional proto fields are set only when the value is not
// NULL; path/thumbnail_path/preview_path are the store's public URLs (rows of the original
// service have no derivatives: their thumbnail and preview paths are the original's URL).
void ToProto(
    const AlbumImage& image, const storage::ObjectStore& store, ::album::AlbumImageProto* out);
GetAlbumImagesCommand FromProto(const ::album::AlbumImageRequest& req);
std::vector<NewUploadFile> FromProto(const ::album::CreateUploadBatchRequest& req);
void ToProto(const UploadBatch& batch, ::album::GetUploadBatchResponse* out);

}  // namespace hatongsu::album::grpc_adapter
