#include "services/album/adapter/grpc/album_grpc_service.h"

#include "hatongsu/log/log.h"

namespace hatongsu::album::grpc_adapter {
namespace {

// Failures a client can cause are answered as they are; the rest is logged here, once.
absl::Status Logged(absl::Status status, grpc::CallbackServerContext* ctx, std::string_view rpc) {
    auto code = status.code();
    if (code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
        code == absl::StatusCode::kUnavailable) {
        log::Error(
            "rpc failed", {{"rpc", rpc},
                           {"code", absl::StatusCodeToString(code)},
                           {"error", std::string(status.message())},
                           {"request_id", rpc::RequestIdOf(ctx)}});
    }
    return status;
}

}  // namespace

void ToProto(
    const AlbumImage& image, const storage::ObjectStore& store, ::album::AlbumImageProto* out) {
    out->set_id(image.id);
    out->set_filename(image.filename);
    const std::string original = store.PublicUrl(image.object_key);
    out->set_path(original);
    if (image.date_time) {
        out->set_date_time(ToIsoZ(*image.date_time));
    }
    if (image.date_time_original) {
        out->set_date_time_original(ToIsoZ(*image.date_time_original));
    }
    if (image.date_time_digitized) {
        out->set_date_time_digitized(ToIsoZ(*image.date_time_digitized));
    }
    out->set_created_at(ToIsoZ(image.created_at));
    out->set_updated_at(ToIsoZ(image.updated_at));
    out->set_gallery_spot_type(std::string(SpotTypeName(image.gallery_spot)));
    out->set_thumbnail_path(
        image.thumbnail_key.empty() ? original : store.PublicUrl(image.thumbnail_key));
    out->set_preview_path(
        image.preview_key.empty() ? original : store.PublicUrl(image.preview_key));
    out->set_width(image.width);
    out->set_height(image.height);
    if (image.original_offset_minutes) {
        out->set_date_time_original_offset(FormatOffset(*image.original_offset_minutes));
    }
}

GetAlbumImagesCommand FromProto(const ::album::AlbumImageRequest& req) {
    GetAlbumImagesCommand command;
    for (const auto& s : req.sort()) {
        command.sort.emplace_back(s.orderby(), s.order());
    }
    command.page = req.page();
    command.limit = req.limit();
    return command;
}

std::vector<NewUploadFile> FromProto(const ::album::CreateUploadBatchRequest& req) {
    std::vector<NewUploadFile> files;
    files.reserve(static_cast<std::size_t>(req.files_size()));
    for (const auto& f : req.files()) {
        NewUploadFile n;
        n.staging_key = f.staging_key();
        n.filename = f.filename();
        n.mime_type = f.mime_type();
        n.size = f.size();
        n.sha256 = f.sha256();
        if (f.has_last_modified_ms()) {
            n.last_modified_ms = f.last_modified_ms();
        }
        files.push_back(std::move(n));
    }
    return files;
}

void ToProto(const UploadBatch& batch, ::album::GetUploadBatchResponse* out) {
    out->set_batch_id(batch.id);
    for (const UploadFileRecord& f : batch.files) {
        auto* s = out->add_files();
        s->set_index(f.index);
        s->set_filename(f.file.filename);
        s->set_status(std::string(UploadStatusName(f.status)));
        s->set_image_id(f.image_id);
        s->set_reason(f.reason);
    }
}

grpc::ServerUnaryReactor* AlbumService::GetAlbumImages(
    grpc::CallbackServerContext* ctx,
    const ::album::AlbumImageRequest* req,
    ::album::AlbumImageResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req, resp] {
        auto page = uc_.get_images.Execute(FromProto(*req));
        if (page.ok()) {
            for (const AlbumImage& i : page->images) {
                ToProto(i, store_, resp->add_album_images());
            }
            resp->set_total_count(static_cast<int32_t>(
                std::min<int64_t>(page->total_count, std::numeric_limits<int32_t>::max())));
        }
        return Logged(page.status(), ctx, "GetAlbumImages");
    });
}

grpc::ServerUnaryReactor* AlbumService::GetAlbumImagesCursor(
    grpc::CallbackServerContext* ctx,
    const ::album::AlbumImageCursorRequest* req,
    ::album::AlbumImageCursorResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req, resp] {
        std::optional<std::string> cursor;
        if (req->has_cursor()) {
            cursor = req->cursor();
        }
        auto page = uc_.get_cursor.Execute(cursor, req->limit());
        if (page.ok()) {
            for (const AlbumImage& i : page->images) {
                ToProto(i, store_, resp->add_album_images());
            }
            if (page->next_cursor) {
                resp->set_next_cursor(*page->next_cursor);
            }
            resp->set_has_next_page(page->has_next_page);
        }
        return Logged(page.status(), ctx, "GetAlbumImagesCursor");
    });
}

grpc::ServerUnaryReactor* AlbumService::GetAlbumImagesInfinite(
    grpc::CallbackServerContext* ctx,
    const ::album::AlbumImageInfiniteRequest* req,
    ::album::AlbumImageInfiniteResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req, resp] {
        std::optional<std::string> cursor;
        if (req->has_next_cursor()) {
            cursor = req->next_cursor();
        }
        auto page = uc_.get_infinite.Execute(cursor, req->limit());
        if (page.ok()) {
            for (const AlbumImage& i : page->images) {
                ToProto(i, store_, resp->add_album_images());
            }
            resp->set_next_cursor(page->next_cursor);
        }
        return Logged(page.status(), ctx, "GetAlbumImagesInfinite");
    });
}

grpc::ServerUnaryReactor* AlbumService::GetAlbumImageFerrisNext(
    grpc::CallbackServerContext* ctx,
    const ::album::AlbumImageFerrisNextRequest* req,
    ::album::AlbumImageFerrisNextResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req, resp] {
        auto image = uc_.ferris_next.Execute(req->id(), req->skip());
        if (image.ok()) {
            ToProto(*image, store_, resp->mutable_album_image());
        }
        return Logged(image.status(), ctx, "GetAlbumImageFerrisNext");
    });
}

grpc::ServerUnaryReactor* AlbumService::GetAlbumImageCountDate(
    grpc::CallbackServerContext* ctx,
    const ::album::AlbumImageCountDateRequest* req,
    ::album::AlbumImageCountDateResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req, resp] {
        auto counts = uc_.count_by_date.Execute(req->startdate(), req->enddate());
        if (counts.ok()) {
            for (const DateCountText& c : *counts) {
                auto* r = resp->add_result();
                r->set_date(c.date);
                r->set_count(static_cast<int32_t>(c.count));
            }
        }
        return Logged(counts.status(), ctx, "GetAlbumImageCountDate");
    });
}

grpc::ServerUnaryReactor* AlbumService::DeleteAlbumImages(
    grpc::CallbackServerContext* ctx,
    const ::album::DeleteAlbumImagesRequest* req,
    ::album::DeleteAlbumImagesResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req, resp] {
        std::vector<std::string> ids(req->image_ids().begin(), req->image_ids().end());
        auto result = uc_.delete_images.Execute(ids);
        if (result.ok()) {
            resp->set_success(result->success);
            resp->set_deleted_count(result->deleted_count);
        }
        return Logged(result.status(), ctx, "DeleteAlbumImages");
    });
}

grpc::ServerUnaryReactor* AlbumService::GetAlbumImagesGallerySpot(
    grpc::CallbackServerContext* ctx,
    const ::album::AlbumImageGallerySpotRequest*,
    ::album::AlbumImageGallerySpotResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, resp] {
        auto spots = uc_.get_spots.Execute();
        if (spots.ok()) {
            auto& map = *resp->mutable_spot_images();
            for (const auto& [spot, images] : *spots) {
                auto& list = map[std::string(SpotTypeName(spot))];
                for (const AlbumImage& i : images) {
                    ToProto(i, store_, list.add_images());
                }
            }
        }
        return Logged(spots.status(), ctx, "GetAlbumImagesGallerySpot");
    });
}

grpc::ServerUnaryReactor* AlbumService::UpdateGallerySpot(
    grpc::CallbackServerContext* ctx,
    const ::album::UpdateGallerySpotRequest* req,
    ::album::UpdateGallerySpotResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req, resp] {
        absl::Status s = uc_.update_spot.Execute(req->image_id(), req->spot_type());
        if (s.ok()) {
            resp->set_success(true);
        }
        return Logged(s, ctx, "UpdateGallerySpot");
    });
}

grpc::ServerUnaryReactor* AlbumService::CreateUploadBatch(
    grpc::CallbackServerContext* ctx,
    const ::album::CreateUploadBatchRequest* req,
    ::album::CreateUploadBatchResponse*) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req] {
        return Logged(
            uc_.create_batch.Execute(req->batch_id(), FromProto(*req)), ctx, "CreateUploadBatch");
    });
}

grpc::ServerUnaryReactor* AlbumService::GetUploadBatch(
    grpc::CallbackServerContext* ctx,
    const ::album::GetUploadBatchRequest* req,
    ::album::GetUploadBatchResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pool_, ctx, [this, ctx, req, resp] {
        auto batch = uc_.get_batch.Execute(req->batch_id());
        if (batch.ok()) {
            ToProto(*batch, resp);
        }
        return Logged(batch.status(), ctx, "GetUploadBatch");
    });
}

}  // namespace hatongsu::album::grpc_adapter
