// The album routes (spec/api.md 1.9.8-1.9.16) and GET /file/uploads/{batchId}: request validation
// with the original's 422 messages, then one album service call, then the original's JSON with
// empty collections as [] / {} (weak point 35). Paging limits are clamped by the service.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <variant>

#include "hatongsu/core/text.h"
#include "hatongsu/net/json_body.h"
#include "services/gateway/adapter/http/routes.h"
#include "services/gateway/adapter/http/validation.h"

namespace hatongsu::gateway::http {
namespace {

using net::http::status;
using net::http::verb;
using Awaitable = boost::asio::awaitable<net::Response>;

// /album/ferris-first is public: whatever it is asked, it answers at most this many images
// (the home page asks for 8; weak point 4).
constexpr int kFerrisFirstMaxLimit = 20;
// One DELETE /album names at most this many images.
constexpr std::size_t kMaxDeleteIds = 1000;

constexpr std::array<std::string_view, 11> kSpotTypes = {"none",  "spot1", "spot2", "spot3",
                                                         "spot4", "spot5", "spot6", "spot7",
                                                         "spot8", "spot9", "spot10"};

boost::json::array ImagesJson(const std::vector<AlbumImage>& images) {
    boost::json::array out;
    out.reserve(images.size());
    for (const AlbumImage& image : images) {
        out.push_back(AlbumImageJson(image));
    }
    return out;
}

// An optional string query parameter: absent -> nullopt; repeated -> a validation error.
std::optional<std::string> OptionalString(
    const net::Context& ctx, const std::string& name, Validation& v) {
    std::size_t count = ctx.query.Count(name);
    if (count > 1) {
        v.Add(name, name + " must be a string");
        return std::nullopt;
    }
    return count == 0 ? std::nullopt : ctx.query.Get(name);
}

bool IsDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

// "YYYY-MM-DD", optionally followed by a time ("T10:00", "T10:00:00.123Z", "T10:00:00+09:00")
// as ISO 8601 writes it; the date must exist. Returns the date part, which is all the count
// uses (the stored capture times carry no zone; docs/api.md).
std::optional<std::string> IsoDatePart(std::string_view text) {
    if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !IsDigits(text.substr(0, 4)) ||
        !IsDigits(text.substr(5, 2)) || !IsDigits(text.substr(8, 2))) {
        return std::nullopt;
    }
    int year = std::stoi(std::string(text.substr(0, 4)));
    int month = std::stoi(std::string(text.substr(5, 2)));
    int day = std::stoi(std::string(text.substr(8, 2)));
    static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > kDays[static_cast<std::size_t>(month - 1)] ||
        (month == 2 && day == 29 && !leap)) {
        return std::nullopt;
    }
    std::string_view rest = text.substr(10);
    if (!rest.empty()) {
        // T or space, hh:mm, optional :ss, optional .fraction, optional Z or +hh:mm / -hh:mm.
        if ((rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ') || rest.size() < 6 ||
            !IsDigits(rest.substr(1, 2)) || rest[3] != ':' || !IsDigits(rest.substr(4, 2))) {
            return std::nullopt;
        }
        if (std::stoi(std::string(rest.substr(1, 2))) > 23 ||
            std::stoi(std::string(rest.substr(4, 2))) > 59) {
            return std::nullopt;
        }
        rest = rest.substr(6);
        if (rest.size() >= 3 && rest[0] == ':') {
            if (!IsDigits(rest.substr(1, 2)) || std::stoi(std::string(rest.substr(1, 2))) > 59) {
                return std::nullopt;
            }
            rest = rest.substr(3);
            if (!rest.empty() && (rest[0] == '.' || rest[0] == ',')) {
                std::size_t n = 1;
                while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) {
                    ++n;
                }
                if (n == 1) {
                    return std::nullopt;
                }
                rest = rest.substr(n);
            }
        }
        if (rest == "Z" || rest == "z") {
            rest = {};
        } else if (!rest.empty()) {
            if ((rest[0] != '+' && rest[0] != '-') || rest.size() != 6 ||
                !IsDigits(rest.substr(1, 2)) || rest[3] != ':' || !IsDigits(rest.substr(4, 2))) {
                return std::nullopt;
            }
        }
    }
    return std::string(text.substr(0, 10));
}

// page/limit/sort of GET /album and /album/ferris-first, or the 422/400 to answer.
std::variant<AlbumQuery, net::Response> ListQuery(const net::Context& ctx) {
    Validation v;
    AlbumQuery query;
    query.page = NumericParam(ctx, "page", 1, v);
    query.limit = NumericParam(ctx, "limit", 10, v);
    auto sort = SortParam(ctx, v, kAlbumSortFields);
    if (!sort.ok()) {
        return net::ErrorFromStatus(ctx, sort.status());
    }
    if (!v.Ok()) {
        return v.Fail(ctx);
    }
    query.sort = std::move(*sort);
    return query;
}

Awaitable ListImages(AlbumClient& albums, net::Context& ctx, int max_limit) {
    auto parsed = ListQuery(ctx);
    if (auto* error = std::get_if<net::Response>(&parsed)) {
        co_return std::move(*error);
    }
    AlbumQuery query = std::get<AlbumQuery>(std::move(parsed));
    if (max_limit > 0 && (query.limit <= 0 || query.limit > max_limit)) {
        query.limit = std::clamp(query.limit, 1, max_limit);
    }
    auto page = co_await albums.List(MetaOf(ctx), std::move(query));
    if (!page.ok()) {
        co_return net::ErrorFromStatus(ctx, page.status());
    }
    co_return net::Json(
        ctx, status::ok,
        {{"albumImages", ImagesJson(page->images)}, {"totalCount", page->total_count}});
}

// The body of PUT /album/gallery/spot: JSON, or URL-encoded as the original also accepted.
absl::StatusOr<boost::json::object> FormOrJsonBody(const net::Context& ctx) {
    auto type = ctx.request[net::http::field::content_type];
    if (core::AsciiLower(std::string(type)).starts_with("application/x-www-form-urlencoded")) {
        boost::json::object body;
        net::Query form = net::Query::Parse(ctx.request.body());
        for (const auto& [key, value] : form.Items()) {
            if (body.contains(key)) {
                body[key] = boost::json::array{};  // repeated: not a string any more
            } else {
                body[key] = value;
            }
        }
        return body;
    }
    return net::JsonObjectBody(ctx);
}

// The public routes answer every visitor alike: a 200 is kept in the cache for its TTL, keyed by
// the target as sent (path and query).
net::Handler Cached(ResponseCache* cache, net::Handler handler) {
    if (cache == nullptr || !cache->Enabled()) {
        return handler;
    }
    return [cache, handler = std::move(handler)](net::Context& ctx) -> Awaitable {
        std::string key(ctx.request.target());
        ResponseCache::Lookup hit = cache->Get(key);
        if (!hit.refresh && hit.body) {
            net::Response res{status::ok, ctx.request.version()};
            res.set(net::http::field::content_type, "application/json; charset=utf-8");
            res.body() = *hit.body;
            res.prepare_payload();
            co_return res;
        }
        net::Response res = co_await handler(ctx);
        if (res.result() == status::ok) {
            cache->Put(key, res.body());
        } else {
            cache->Abandon(key);
        }
        co_return res;
    };
}

}  // namespace

boost::json::object AlbumImageJson(const AlbumImage& image) {
    boost::json::object o;
    o["id"] = image.id;
    o["filename"] = image.filename;
    o["path"] = image.path;
    if (image.date_time) {
        o["dateTime"] = *image.date_time;
    }
    if (image.date_time_original) {
        o["dateTimeOriginal"] = *image.date_time_original;
    }
    if (image.date_time_digitized) {
        o["dateTimeDigitized"] = *image.date_time_digitized;
    }
    o["gallerySpotType"] = image.gallery_spot_type;
    o["createdAt"] = image.created_at;
    o["updatedAt"] = image.updated_at;
    // Added by Hatongsu (the original had none of these).
    o["thumbnailPath"] = image.thumbnail_path;
    o["previewPath"] = image.preview_path;
    o["width"] = image.width;
    o["height"] = image.height;
    if (image.date_time_original_offset) {
        o["dateTimeOriginalOffset"] = *image.date_time_original_offset;
    }
    return o;
}

void AddAlbumRoutes(net::Router& router, RouteDeps deps) {
    router.Add(
        verb::get, "/album",
        RequireUser(
            deps.sessions, [&albums = *deps.albums](net::Context& ctx, Principal) -> Awaitable {
                net::Response r = co_await ListImages(albums, ctx, 0);
                co_return r;
            }));

    router.Add(
        verb::get, "/album/ferris-first",
        Cached(deps.album_cache, [&albums = *deps.albums](net::Context& ctx) -> Awaitable {
            net::Response r = co_await ListImages(albums, ctx, kFerrisFirstMaxLimit);
            co_return r;
        }));

    router.Add(
        verb::get, "/album/cursor",
        Cached(deps.album_cache, [&albums = *deps.albums](net::Context& ctx) -> Awaitable {
            Validation v;
            auto cursor = OptionalString(ctx, "cursor", v);
            int limit = NumericParam(ctx, "limit", 10, v);
            if (!v.Ok()) {
                co_return v.Fail(ctx);
            }
            auto page = co_await albums.Cursor(MetaOf(ctx), std::move(cursor), limit);
            if (!page.ok()) {
                co_return net::ErrorFromStatus(ctx, page.status());
            }
            boost::json::object body{{"albumImages", ImagesJson(page->images)}};
            if (page->next_cursor) {
                body["nextCursor"] = *page->next_cursor;
            }
            body["hasNextPage"] = page->has_next_page;
            co_return net::Json(ctx, status::ok, body);
        }));

    router.Add(
        verb::get, "/album/infinite",
        Cached(deps.album_cache, [&albums = *deps.albums](net::Context& ctx) -> Awaitable {
            Validation v;
            auto cursor = OptionalString(ctx, "nextCursor", v);
            int limit = NumericParam(ctx, "limit", 10, v);
            if (!v.Ok()) {
                co_return v.Fail(ctx);
            }
            if (cursor && cursor->empty()) {
                cursor.reset();  // "" is what the end of an empty album hands back
            }
            auto page = co_await albums.Infinite(MetaOf(ctx), std::move(cursor), limit);
            if (!page.ok()) {
                co_return net::ErrorFromStatus(ctx, page.status());
            }
            co_return net::Json(
                ctx, status::ok,
                {{"albumImages", ImagesJson(page->images)}, {"nextCursor", page->next_cursor}});
        }));

    router.Add(
        verb::get, "/album/ferris-next",
        Cached(deps.album_cache, [&albums = *deps.albums](net::Context& ctx) -> Awaitable {
            Validation v;
            auto id = OptionalString(ctx, "id", v);
            if (!id && ctx.query.Count("id") == 0) {
                v.Add("id", "id must be a string");
            }
            if (ctx.query.Count("skip") == 0) {
                v.Add("skip", "skip must be a number conforming to the specified constraints");
            }
            int skip = NumericParam(ctx, "skip", 10, v);
            if (!v.Ok()) {
                co_return v.Fail(ctx);
            }
            auto image = co_await albums.FerrisNext(MetaOf(ctx), std::move(*id), skip);
            if (!image.ok()) {
                co_return net::ErrorFromStatus(ctx, image.status());
            }
            co_return net::Json(ctx, status::ok, {{"albumImage", AlbumImageJson(*image)}});
        }));

    router.Add(
        verb::get, "/album/statistic/count-date",
        Cached(deps.album_cache, [&albums = *deps.albums](net::Context& ctx) -> Awaitable {
            Validation v;
            std::array<std::string, 2> dates;
            std::array<const char*, 2> names = {"startDate", "endDate"};
            for (std::size_t i = 0; i < 2; ++i) {
                auto text = ctx.query.Count(names[i]) == 1 ? ctx.query.Get(names[i]) : std::nullopt;
                auto date = text ? IsoDatePart(*text) : std::nullopt;
                if (!date) {
                    v.Add(
                        names[i], std::string(names[i]) + " must be a valid ISO 8601 date string");
                } else {
                    dates[i] = *date;
                }
            }
            if (!v.Ok()) {
                co_return v.Fail(ctx);
            }
            auto counts = co_await albums.CountByDate(MetaOf(ctx), dates[0], dates[1]);
            if (!counts.ok()) {
                co_return net::ErrorFromStatus(ctx, counts.status());
            }
            boost::json::array result;
            for (const DateCount& c : *counts) {
                result.push_back({{"date", c.date}, {"count", c.count}});
            }
            co_return net::Json(ctx, status::ok, {{"result", result}});
        }));

    router.Add(
        verb::get, "/album/gallery/spot",
        Cached(deps.album_cache, [&albums = *deps.albums](net::Context& ctx) -> Awaitable {
            auto spots = co_await albums.GallerySpots(MetaOf(ctx));
            if (!spots.ok()) {
                co_return net::ErrorFromStatus(ctx, spots.status());
            }
            boost::json::object map;
            for (const auto& [spot, images] : *spots) {
                map[spot] = {{"images", ImagesJson(images)}};
            }
            co_return net::Json(ctx, status::ok, {{"spotImages", map}});
        }));

    router.Add(
        verb::delete_, "/album",
        RequireAdmin(
            deps.sessions,
            [&albums = *deps.albums, cache = deps.album_cache](
                net::Context& ctx, Principal) -> Awaitable {
                auto body = net::JsonObjectBody(ctx);
                if (!body.ok()) {
                    co_return net::ErrorFromStatus(ctx, body.status());
                }
                Validation v;
                std::vector<std::string> ids;
                const auto* field = body->if_contains("imageIds");
                if (field == nullptr || !field->is_array()) {
                    v.Add("imageIds", "imageIds should not be empty");
                    v.Add("imageIds", "imageIds must be an array");
                } else if (field->get_array().empty()) {
                    v.Add("imageIds", "imageIds should not be empty");
                } else {
                    for (const auto& id : field->get_array()) {
                        if (!id.is_string()) {
                            v.Add("imageIds", "each value in imageIds must be a string");
                            break;
                        }
                        ids.emplace_back(id.get_string());
                    }
                }
                if (!v.Ok()) {
                    co_return v.Fail(ctx);
                }
                if (ids.size() > kMaxDeleteIds) {
                    co_return net::JsonError(
                        ctx, status::bad_request, "imageIds may hold at most 1000 ids");
                }
                for (const std::string& id : ids) {
                    if (!core::IsUuid(id)) {
                        co_return net::JsonError(
                            ctx, status::bad_request, "each value in imageIds must be a UUID");
                    }
                }
                auto result = co_await albums.Delete(MetaOf(ctx), std::move(ids));
                if (!result.ok()) {
                    co_return net::ErrorFromStatus(ctx, result.status());
                }
                if (cache != nullptr) {
                    cache->Invalidate();
                }
                co_return net::Json(
                    ctx, status::ok,
                    {{"success", result->success}, {"deletedCount", result->deleted_count}});
            }));

    router.Add(
        verb::put, "/album/gallery/spot",
        RequireAdmin(
            deps.sessions,
            [&albums = *deps.albums, cache = deps.album_cache](
                net::Context& ctx, Principal) -> Awaitable {
                auto body = FormOrJsonBody(ctx);
                if (!body.ok()) {
                    co_return net::ErrorFromStatus(ctx, body.status());
                }
                Validation v;
                const auto* image_id = body->if_contains("imageId");
                const auto* spot = body->if_contains("spotType");
                if (image_id == nullptr || !image_id->is_string()) {
                    v.Add("imageId", "imageId must be a string");
                }
                if (spot == nullptr || !spot->is_string() ||
                    std::find(kSpotTypes.begin(), kSpotTypes.end(), spot->get_string()) ==
                        kSpotTypes.end()) {
                    v.Add(
                        "spotType",
                        "spotType must be one of the following values: none, spot1, spot2, spot3, "
                        "spot4, spot5, spot6, spot7, spot8, spot9, spot10");
                }
                if (!v.Ok()) {
                    co_return v.Fail(ctx);
                }
                std::string id(image_id->get_string());
                if (!core::IsUuid(id)) {
                    co_return net::JsonError(ctx, status::not_found, "IMAGE_NOT_FOUND");
                }
                absl::Status s = co_await albums.UpdateGallerySpot(
                    MetaOf(ctx), std::move(id), std::string(spot->get_string()));
                if (cache != nullptr) {
                    cache->Invalidate();  // also after a failure: part of it may have happened
                }
                if (!s.ok()) {
                    co_return net::ErrorFromStatus(ctx, s);
                }
                co_return net::Json(ctx, status::ok, {{"success", true}});
            }));

    router.Add(
        verb::get, "/file/uploads/:batchId",
        RequireAdmin(
            deps.sessions, [&albums = *deps.albums](net::Context& ctx, Principal) -> Awaitable {
                std::string batch_id = ctx.params["batchId"];
                if (!core::IsUuid(batch_id)) {
                    co_return net::JsonError(ctx, status::not_found, "BATCH_NOT_FOUND");
                }
                auto files = co_await albums.GetUploadBatch(MetaOf(ctx), batch_id);
                if (!files.ok()) {
                    co_return net::ErrorFromStatus(ctx, files.status());
                }
                boost::json::array list;
                std::map<std::string, int> summary{
                    {"queued", 0}, {"processing", 0}, {"done", 0}, {"duplicate", 0}, {"failed", 0}};
                for (const UploadFileStatus& f : *files) {
                    boost::json::object o{
                        {"index", f.index}, {"filename", f.filename}, {"status", f.status}};
                    if (!f.image_id.empty()) {
                        o["imageId"] = f.image_id;
                    }
                    if (!f.reason.empty()) {
                        o["reason"] = f.reason;
                    }
                    list.push_back(std::move(o));
                    ++summary[f.status];
                }
                boost::json::object counts;
                for (const auto& [name, n] : summary) {
                    counts[name] = n;
                }
                bool finished = summary["queued"] == 0 && summary["processing"] == 0;
                co_return net::Json(
                    ctx, status::ok,
                    {{"batchId", batch_id},
                     {"finished", finished},
                     {"counts", counts},
                     {"files", list}});
            }));
}

}  // namespace hatongsu::gateway::http
