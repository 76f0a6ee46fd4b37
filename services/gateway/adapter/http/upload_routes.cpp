// POST /file/uploads (spec/api.md 1.9.17, claim check) and GET /files/{key} (the disk store's
// objects, for browsers). The upload streams: the admin guard runs before any body byte is read,
// the multipart body is parsed as it arrives, each file goes to a staging object through an
// UploadSession on the blocking pool, and the answer (202 with a batch id) comes once the album
// service knows the batch and the broker has confirmed one message per file. Any failure, the
// client's disconnect included, deletes what this request staged.
#include <memory>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/net/multipart.h"
#include "hatongsu/net/run_blocking.h"
#include "services/gateway/adapter/http/routes.h"
#include "services/gateway/usecase/upload_session.h"

namespace hatongsu::gateway::http {
namespace {

using net::http::status;
using net::http::verb;

constexpr std::size_t kReadPiece = 256 * 1024;
// File bytes are gathered up to this much before a hop to the blocking pool writes them: a socket
// read brings 64 KiB at most, and a hop per read cost the gateway more than the writes.
constexpr std::size_t kWriteBatch = 512 * 1024;
constexpr std::size_t kMaxFieldBytes = 64 * 1024;  // a text part (the timestamps list)

net::Response StatusResponse(const net::Context& ctx, const absl::Status& s) {
    if (s.code() == absl::StatusCode::kResourceExhausted) {
        return net::JsonError(ctx, status::payload_too_large, std::string(s.message()));
    }
    return net::ErrorFromStatus(ctx, s);
}

boost::asio::awaitable<void> Discard(UploadDeps& deps, UploadSession& session) {
    co_await net::RunBlocking(*deps.pool, [&session] {
        session.Abandon();
        return true;
    });
}

boost::asio::awaitable<net::Response> Upload(
    UploadDeps& deps, AlbumClient& albums, net::Context& ctx) {
    auto boundary = net::MultipartBoundary(ctx.request[net::http::field::content_type]);
    if (!boundary.ok()) {
        co_return net::JsonError(ctx, status::bad_request, "multipart/form-data body expected");
    }
    UploadSession session(*deps.store, deps.limits, core::RandomUuidV4());
    net::MultipartParser parser(
        *boundary, {.max_header_bytes = 8 * 1024,
                    .max_parts = static_cast<std::size_t>(deps.limits.max_files) * 2 + 16});
    bool in_file = false;
    std::string pending;  // file bytes not yet handed to the session (< kWriteBatch + a piece)
    std::string field_name;
    std::string field_value;
    absl::Status failure;
    for (bool done = false; !done && failure.ok();) {
        auto event = parser.Next();
        if (!event.ok()) {
            failure = event.status();
            break;
        }
        switch (*event) {
            case net::MultipartParser::Event::kNeedMore: {
                auto piece = co_await ctx.body->ReadSome(kReadPiece);
                if (!piece.ok()) {
                    failure = piece.status();  // the server answers (413/400) or the peer left
                } else if (piece->empty()) {
                    parser.FinishInput();
                } else {
                    parser.Feed(*piece);
                }
                break;
            }
            case net::MultipartParser::Event::kPartBegin: {
                const net::MultipartPart& part = parser.Part();
                in_file = part.filename.has_value();
                if (in_file) {
                    std::string name = part.name;
                    std::string filename = *part.filename;
                    std::string type = part.content_type;
                    failure = co_await net::RunBlocking(*deps.pool, [&] {
                        return session.BeginFile(name, std::move(filename), std::move(type));
                    });
                } else {
                    field_name = part.name;
                    field_value.clear();
                }
                break;
            }
            case net::MultipartParser::Event::kPartData: {
                std::string_view data = parser.Data();
                if (in_file) {
                    pending.append(data);
                    if (pending.size() >= kWriteBatch) {
                        failure = co_await net::RunBlocking(
                            *deps.pool, [&session, &pending] { return session.Write(pending); });
                        pending.clear();
                    }
                } else if (field_value.size() + data.size() > kMaxFieldBytes) {
                    failure = absl::InvalidArgumentError("a text field is over 64 KiB");
                } else {
                    field_value.append(data);
                }
                break;
            }
            case net::MultipartParser::Event::kPartEnd:
                if (in_file) {
                    failure = co_await net::RunBlocking(*deps.pool, [&session, &pending] {
                        absl::Status s =
                            pending.empty() ? absl::OkStatus() : session.Write(pending);
                        pending.clear();
                        return s.ok() ? session.EndFile() : s;
                    });
                } else {
                    failure = session.AddField(field_name, field_value);
                }
                in_file = false;
                break;
            case net::MultipartParser::Event::kEnd:
                done = true;
                break;
        }
    }
    std::string().swap(pending);  // not held while the batch is recorded and published
    if (!failure.ok()) {
        co_await Discard(deps, session);
        co_return StatusResponse(ctx, failure);
    }
    auto files = co_await net::RunBlocking(*deps.pool, [&session] { return session.Finish(); });
    if (!files.ok()) {
        co_await Discard(deps, session);
        co_return StatusResponse(ctx, files.status());
    }
    const std::string batch_id = session.BatchId();
    // The album service learns the batch first (every file "queued"), so its status is readable
    // as soon as we answer; a batch whose messages then fail to publish is never handed out.
    absl::Status created = co_await albums.CreateUploadBatch(MetaOf(ctx), batch_id, *files);
    if (!created.ok()) {
        co_await Discard(deps, session);
        co_return net::ErrorFromStatus(ctx, created);
    }
    if (!files->empty()) {
        CallMeta meta = MetaOf(ctx);
        absl::Status published = co_await net::RunBlocking(
            *deps.pool, [&] { return deps.queue->Publish(meta, batch_id, *files); });
        if (!published.ok()) {
            co_await Discard(deps, session);
            co_return net::ErrorFromStatus(ctx, published);
        }
    }
    co_return net::Json(
        ctx, status::accepted,
        {{"message", "FILE_UPLOADED_SUCCESS"},
         {"batchId", batch_id},
         {"files", static_cast<int64_t>(files->size())}});
}

}  // namespace

void AddUploadRoutes(net::Router& router, RouteDeps deps, UploadDeps& uploads) {
    router.Add(
        verb::post, "/file/uploads",
        [&uploads,
         &albums = *deps.albums](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            net::Response r = co_await Upload(uploads, albums, ctx);
            co_return r;
        },
        {.guard = AdminGuard(deps.sessions),
         .body = net::BodyMode::kStreamed,
         // The sum of the files plus multipart framing; the session enforces the exact limits.
         .body_limit = static_cast<uint64_t>(uploads.limits.max_total_bytes) + (1u << 20)});

    if (uploads.files_root.empty()) {
        return;  // objects live in S3: browsers get their URLs from there
    }
    router.AddPrefix(
        verb::get, "/files/", [&uploads](net::Context& ctx) -> boost::asio::awaitable<net::Reply> {
            // The key exactly as sent: "%2F", "..", "/" at the start can never become a path.
            const std::string& key = ctx.params["*"];
            if (!storage::ValidateKey(key).ok() || key.starts_with("staging/")) {
                co_return net::Reply{net::JsonError(ctx, status::not_found, "FILE_NOT_FOUND")};
            }
            auto file = net::OpenFile(uploads.files_root + "/" + key);
            if (!file.ok()) {
                co_return net::Reply{net::JsonError(ctx, status::not_found, "FILE_NOT_FOUND")};
            }
            // Raster images only: whatever else a key might name is never rendered by a browser.
            std::string type = net::ContentTypeFor(key);
            bool raster = type.starts_with("image/") && type != "image/svg+xml";
            file->content_type = raster ? type : "application/octet-stream";
            // Keys are never reused (<uuid>.<ext>), so a browser may keep a file forever.
            file->cache_control = "public, max-age=31536000, immutable";
            co_return net::Reply{std::move(*file)};
        });
}

}  // namespace hatongsu::gateway::http
