// The album routes through a real HTTP server with the user and album services faked: guards,
// the original's validation messages, the JSON shapes (empty collections included) and what is
// forwarded to the album service.
#include <thread>

#include <gtest/gtest.h>

#include "hatongsu/net/server.h"
#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/openapi.h"
#include "services/gateway/adapter/http/openapi_document.h"
#include "services/gateway/adapter/http/routes.h"
#include "services/gateway/testing/fake_album_client.h"
#include "services/gateway/testing/fake_user_client.h"

namespace hatongsu::gateway::http {
namespace {

// Every answer these tests get must match docs/openapi.yaml (status, content type, JSON schema).
testkit::HttpResult Checked(
    net::http::verb method, const std::string& target, testkit::HttpResult result) {
    static const testkit::OpenApiDocument doc(OpenApiJson());
    testkit::ExpectResponseMatchesOpenApi(doc, method, target, result);
    return result;
}

using net::http::verb;
using testkit::HttpCall;

constexpr const char* kAdmin = "Bearer tok-a1";
constexpr const char* kUser = "Bearer tok-u1";
constexpr const char* kId = "b16f7b3d-60af-44f9-895f-72c92c032127";

AlbumImage Image(std::string id) {
    AlbumImage a;
    a.id = std::move(id);
    a.filename = "사진 1.jpg";
    a.path = "http://files/" + a.id + ".jpg";
    a.date_time_original = "2024-05-06T07:08:09.000Z";
    a.gallery_spot_type = "none";
    a.created_at = "2025-01-04T10:21:12.513Z";
    a.updated_at = "2025-01-04T10:21:12.513Z";
    a.thumbnail_path = "http://files/" + a.id + ".thumb.webp";
    a.preview_path = "http://files/" + a.id + ".preview.jpg";
    a.width = 4000;
    a.height = 3000;
    return a;
}

class AlbumRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        users_.With()->accounts["u1"] = {"u1", "user@example.com", "User", std::nullopt, "user"};
        users_.With()->accounts["a1"] = {"a1", "admin@example.com", "Admin", std::nullopt, "admin"};
        RouteDeps deps{users_, sessions_};
        deps.albums = &albums_;
        deps.album_cache = &cache_;
        AddAlbumRoutes(router_, deps);
        server_ = std::make_unique<net::Server>(io_, net::ServerOptions{}, router_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        io_.stop();
        thread_.join();
    }
    testkit::HttpResult Call(
        verb method,
        const std::string& target,
        const std::string& auth = "",
        const std::string& body = "",
        const std::string& type = "application/json") {
        std::map<std::string, std::string> headers;
        if (!auth.empty()) {
            headers["Authorization"] = auth;
        }
        if (!body.empty()) {
            headers["Content-Type"] = type;
        }
        return Checked(method, target, HttpCall(server_->Port(), method, target, headers, body));
    }
    testkit::HttpResult Get(const std::string& target, const std::string& auth = "") {
        return Call(verb::get, target, auth);
    }
    std::string Error(const testkit::HttpResult& r, const std::string& field) {
        return std::string(r.Json().at("errors").at(field).as_string());
    }

    testing::FakeUserClient users_;
    testing::FakeAlbumClient albums_;
    testkit::FakeClock clock_;
    // On in every test: each test asks a given URL once, unless it tests the cache.
    ResponseCache cache_{clock_, {.ttl = std::chrono::milliseconds(1000), .max_bytes = 1 << 20}};
    Sessions sessions_{users_, clock_, {std::chrono::milliseconds(1000), 1000}};
    net::Router router_;
    boost::asio::io_context io_;
    std::unique_ptr<net::Server> server_;
    std::thread thread_;
};

TEST_F(AlbumRoutesTest, ListNeedsATokenAndForwardsPagingAndSort) {
    EXPECT_EQ(Get("/album").status, 401);
    albums_.With()->images = {Image(kId)};
    auto r =
        Get("/album?page=2&limit=5&sort=%5B%7B%22orderBy%22%3A%22createdAt%22%2C%22order%22%3A%"
            "22Desc%22%7D%5D",
            kUser);
    ASSERT_EQ(r.status, 200) << r.body;
    auto q = albums_.With()->last_query;
    EXPECT_EQ(q.page, 2);
    EXPECT_EQ(q.limit, 5);
    ASSERT_EQ(q.sort.size(), 1u);
    EXPECT_EQ(q.sort[0].first, "createdAt");
    EXPECT_EQ(q.sort[0].second, "Desc");
    auto json = r.Json();
    const auto& body = json.as_object();
    EXPECT_EQ(body.at("totalCount").as_int64(), 1);
    const auto& image = body.at("albumImages").as_array().at(0).as_object();
    EXPECT_EQ(image.at("filename").as_string(), "사진 1.jpg");
    EXPECT_EQ(image.at("dateTimeOriginal").as_string(), "2024-05-06T07:08:09.000Z");
    EXPECT_FALSE(image.contains("dateTime"));  // NULL dates are absent, never null
    EXPECT_EQ(
        image.at("thumbnailPath").as_string(), std::string("http://files/") + kId + ".thumb.webp");
    EXPECT_EQ(image.at("width").as_int64(), 4000);
    // Key order of the original first.
    std::vector<std::string> keys;
    for (const auto& kv : image) {
        keys.emplace_back(kv.key());
    }
    EXPECT_EQ(keys[0], "id");
    EXPECT_EQ(keys[1], "filename");
    EXPECT_EQ(keys[2], "path");
    EXPECT_EQ(keys[3], "dateTimeOriginal");
    EXPECT_EQ(keys[4], "gallerySpotType");
}

TEST_F(AlbumRoutesTest, ListRefusesBadSortsAndNonNumbers) {
    EXPECT_EQ(Get("/album?page=abc", kUser).status, 422);
    EXPECT_EQ(
        Error(Get("/album?limit=1&limit=2", kUser), "limit"),
        "limit must be a number conforming to the specified constraints");
    EXPECT_EQ(Get("/album?sort=notjson", kUser).status, 400);
    EXPECT_EQ(Get("/album?sort=%7B%7D", kUser).status, 400);  // an object, not an array
    auto unknown = Get(
        "/album?sort=%5B%7B%22orderBy%22%3A%22objectKey%22%2C%22order%22%3A%22asc%22%7D%5D", kUser);
    EXPECT_EQ(unknown.status, 400);
    auto direction = Get(
        "/album?sort=%5B%7B%22orderBy%22%3A%22id%22%2C%22order%22%3A%22descending%22%7D%5D", kUser);
    EXPECT_EQ(direction.status, 400);
    auto not_string =
        Get("/album?sort=%5B%7B%22orderBy%22%3A%22id%22%2C%22order%22%3A1%7D%5D", kUser);
    ASSERT_EQ(not_string.status, 422);
    EXPECT_EQ(
        not_string.Json().at("errors").at("sort").at("0").at("order").as_string(),
        "order must be a string");
    EXPECT_EQ(albums_.With()->calls, 0);
}

TEST_F(AlbumRoutesTest, EmptyListsAreEmptyArrays) {
    auto r = Get("/album/ferris-first?page=1&limit=8");
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.Json().at("albumImages").as_array().empty());
    EXPECT_EQ(r.Json().at("totalCount").as_int64(), 0);
    auto spots = Get("/album/gallery/spot");
    ASSERT_EQ(spots.status, 200);
    EXPECT_TRUE(spots.Json().at("spotImages").as_object().empty());
    auto counts = Get("/album/statistic/count-date?startDate=2025-01-01&endDate=2025-01-14");
    EXPECT_TRUE(counts.Json().at("result").as_array().empty());
}

TEST_F(AlbumRoutesTest, FerrisFirstIsPublicWithASmallPage) {
    EXPECT_EQ(Get("/album/ferris-first?limit=0").status, 200);
    EXPECT_EQ(albums_.With()->last_query.limit, 1);
    EXPECT_EQ(Get("/album/ferris-first?limit=100000").status, 200);
    EXPECT_EQ(albums_.With()->last_query.limit, 20);
    EXPECT_EQ(Get("/album/ferris-first?page=1&limit=8").status, 200);
    EXPECT_EQ(albums_.With()->last_query.limit, 8);
    // A bad token on a public route is ignored (weak point 10), not a 500.
    EXPECT_EQ(Get("/album/ferris-first", "Bearer undefined").status, 200);
}

TEST_F(AlbumRoutesTest, CursorAndInfiniteForwardTheirTokens) {
    albums_.With()->images = {Image(kId)};
    auto c = Get("/album/cursor?cursor=abc&limit=3");
    ASSERT_EQ(c.status, 200);
    EXPECT_EQ(albums_.With()->last_cursor, "abc");
    EXPECT_EQ(albums_.With()->last_limit, 3);
    EXPECT_EQ(c.Json().at("nextCursor").as_string(), std::string("next-") + kId);
    EXPECT_TRUE(c.Json().at("hasNextPage").as_bool());

    auto i = Get("/album/infinite?limit=10&nextCursor=");
    ASSERT_EQ(i.status, 200);
    EXPECT_FALSE(albums_.With()->last_cursor.has_value());
    EXPECT_EQ(i.Json().at("nextCursor").as_string(), std::string("next-") + kId);

    albums_.With()->images.clear();
    auto empty = Get("/album/cursor");
    EXPECT_FALSE(empty.Json().as_object().contains("nextCursor"));
    EXPECT_EQ(Get("/album/infinite").Json().at("nextCursor").as_string(), "");
}

TEST_F(AlbumRoutesTest, CursorErrorsFromTheServiceAre400) {
    albums_.With()->fail_with = absl::InvalidArgumentError("INVALID_CURSOR");
    auto r = Get("/album/cursor?cursor=%25%25%25");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.Json().at("message").as_string(), "INVALID_CURSOR");
}

TEST_F(AlbumRoutesTest, FerrisNextNeedsIdAndSkip) {
    auto none = Get("/album/ferris-next");
    ASSERT_EQ(none.status, 422);
    EXPECT_EQ(Error(none, "id"), "id must be a string");
    EXPECT_EQ(Error(none, "skip"), "skip must be a number conforming to the specified constraints");
    albums_.With()->images = {Image(kId)};
    auto empty_skip = Get(std::string("/album/ferris-next?id=") + kId + "&skip=");
    ASSERT_EQ(empty_skip.status, 200);
    EXPECT_EQ(albums_.With()->last_skip, 10);
    EXPECT_EQ(Get(std::string("/album/ferris-next?id=") + kId + "&skip=-3").status, 200);
    EXPECT_EQ(albums_.With()->last_skip, -3);
    EXPECT_EQ(empty_skip.Json().at("albumImage").at("id").as_string(), kId);
    albums_.With()->images.clear();
    EXPECT_EQ(Get(std::string("/album/ferris-next?id=") + kId + "&skip=8").status, 404);
}

TEST_F(AlbumRoutesTest, CountDateTakesIsoDatesAndSendsTheDatePart) {
    albums_.With()->counts = {{"2025-01-02", 3}};
    auto r =
        Get("/album/statistic/count-date?startDate=2025-01-01T10:00:00%2B09:00&endDate=2025-01-14");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(albums_.With()->last_range.first, "2025-01-01");
    EXPECT_EQ(albums_.With()->last_range.second, "2025-01-14");
    EXPECT_EQ(r.Json().at("result").at(0).at("count").as_int64(), 3);
    for (const char* bad :
         {"2025-13-01", "2025-02-30", "2023-02-29", "yesterday", "2025-01-01T25:00", "2025-01-01Tx",
          "2025-1-1"}) {
        auto b = Get(
            std::string("/album/statistic/count-date?startDate=") + bad + "&endDate=2025-01-14");
        EXPECT_EQ(b.status, 422) << bad;
        EXPECT_EQ(Error(b, "startDate"), "startDate must be a valid ISO 8601 date string");
    }
    EXPECT_EQ(
        Get("/album/statistic/count-date?startDate=2024-02-29&endDate=2024-03-01").status, 200);
    EXPECT_EQ(Get("/album/statistic/count-date?startDate=2025-01-01").status, 422);
}

TEST_F(AlbumRoutesTest, GallerySpotsKeepEnumOrder) {
    albums_.With()->spots = {{"spot1", {Image(kId)}}, {"spot3", {Image(kId)}}};
    auto r = Get("/album/gallery/spot");
    ASSERT_EQ(r.status, 200);
    auto json = r.Json();
    const auto& map = json.at("spotImages").as_object();
    ASSERT_EQ(map.size(), 2u);
    EXPECT_EQ(map.begin()->key(), "spot1");
    EXPECT_EQ(map.at("spot3").at("images").at(0).at("id").as_string(), kId);
}

TEST_F(AlbumRoutesTest, DeleteIsForAdminsAndValidatesTheIds) {
    std::string body = std::string("{\"imageIds\":[\"") + kId + "\"]}";
    EXPECT_EQ(Call(verb::delete_, "/album", "", body).status, 401);
    auto user = Call(verb::delete_, "/album", kUser, body);
    EXPECT_EQ(user.status, 403);
    EXPECT_EQ(user.Json().at("message").as_string(), "No permission");
    EXPECT_EQ(albums_.With()->calls, 0);

    auto ok = Call(verb::delete_, "/album", kAdmin, body);
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_TRUE(ok.Json().at("success").as_bool());
    EXPECT_EQ(ok.Json().at("deletedCount").as_int64(), 1);
    EXPECT_EQ(albums_.With()->last_delete, std::vector<std::string>{kId});

    EXPECT_EQ(
        Error(Call(verb::delete_, "/album", kAdmin, "{}"), "imageIds"),
        "imageIds should not be empty, imageIds must be an array");
    EXPECT_EQ(
        Error(Call(verb::delete_, "/album", kAdmin, "{\"imageIds\":[]}"), "imageIds"),
        "imageIds should not be empty");
    EXPECT_EQ(
        Error(Call(verb::delete_, "/album", kAdmin, "{\"imageIds\":[1]}"), "imageIds"),
        "each value in imageIds must be a string");
    EXPECT_EQ(Call(verb::delete_, "/album", kAdmin, "{\"imageIds\":[\"x\"]}").status, 400);
    EXPECT_EQ(Call(verb::delete_, "/album", kAdmin, "{\"imageIds\":").status, 400);
    EXPECT_EQ(Call(verb::delete_, "/album", kAdmin, "[1]").status, 400);
}

TEST_F(AlbumRoutesTest, SpotUpdateTakesJsonOrFormBodies) {
    std::string json = std::string("{\"imageId\":\"") + kId + "\",\"spotType\":\"spot3\"}";
    EXPECT_EQ(Call(verb::put, "/album/gallery/spot", kUser, json).status, 403);
    auto ok = Call(verb::put, "/album/gallery/spot", kAdmin, json);
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_TRUE(ok.Json().at("success").as_bool());
    EXPECT_EQ(albums_.With()->last_spot.second, "spot3");

    auto form = Call(
        verb::put, "/album/gallery/spot", kAdmin, std::string("imageId=") + kId + "&spotType=none",
        "application/x-www-form-urlencoded");
    ASSERT_EQ(form.status, 200) << form.body;
    EXPECT_EQ(albums_.With()->last_spot.second, "none");

    auto bad =
        Call(verb::put, "/album/gallery/spot", kAdmin, "{\"imageId\":1,\"spotType\":\"SPOT1\"}");
    ASSERT_EQ(bad.status, 422);
    EXPECT_EQ(Error(bad, "imageId"), "imageId must be a string");
    EXPECT_EQ(
        Error(bad, "spotType"),
        "spotType must be one of the following values: none, spot1, spot2, spot3, spot4, "
        "spot5, spot6, spot7, spot8, spot9, spot10");
    EXPECT_EQ(
        Call(
            verb::put, "/album/gallery/spot", kAdmin,
            "{\"imageId\":\"nope\",\"spotType\":\"spot1\"}")
            .status,
        404);
    albums_.With()->fail_with = absl::NotFoundError("IMAGE_NOT_FOUND");
    EXPECT_EQ(Call(verb::put, "/album/gallery/spot", kAdmin, json).status, 404);
}

TEST_F(AlbumRoutesTest, UploadBatchStatusSummarisesTheFiles) {
    EXPECT_EQ(Get(std::string("/file/uploads/") + kId, kUser).status, 403);
    EXPECT_EQ(Get("/file/uploads/not-a-uuid", kAdmin).status, 404);
    EXPECT_EQ(Get(std::string("/file/uploads/") + kId, kAdmin).status, 404);
    albums_.With()->batch = {
        {0, "a.jpg", "done", kId, ""},
        {1, "b.txt", "failed", "", "NOT_AN_IMAGE"},
        {2, "c.jpg", "queued", "", ""}};
    auto r = Get(std::string("/file/uploads/") + kId, kAdmin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.Json().at("finished").as_bool());
    EXPECT_EQ(r.Json().at("counts").at("done").as_int64(), 1);
    EXPECT_EQ(r.Json().at("counts").at("failed").as_int64(), 1);
    EXPECT_EQ(r.Json().at("files").at(1).at("reason").as_string(), "NOT_AN_IMAGE");
    EXPECT_EQ(r.Json().at("files").at(0).at("imageId").as_string(), kId);
}

TEST_F(AlbumRoutesTest, PublicAnswersAreCachedForTheirTtlAndDroppedByChanges) {
    albums_.With()->images = {Image(kId)};
    auto first = Get("/album/cursor?limit=3");
    ASSERT_EQ(first.status, 200);
    int calls = albums_.With()->calls;
    auto second = Get("/album/cursor?limit=3");
    EXPECT_EQ(second.body, first.body);
    EXPECT_EQ(albums_.With()->calls, calls);  // answered from the cache
    EXPECT_EQ(second.Header("content-type"), "application/json; charset=utf-8");
    Get("/album/cursor?limit=4");  // another question
    EXPECT_EQ(albums_.With()->calls, calls + 1);
    clock_.Advance(std::chrono::milliseconds(1000));
    Get("/album/cursor?limit=3");
    EXPECT_EQ(albums_.With()->calls, calls + 2);  // stale: this request refreshed it
    Get("/album/cursor?limit=3");
    EXPECT_EQ(albums_.With()->calls, calls + 2);
    // An admin's change drops every cached answer at once.
    std::string json = std::string("{\"imageId\":\"") + kId + "\",\"spotType\":\"spot3\"}";
    ASSERT_EQ(Call(verb::put, "/album/gallery/spot", kAdmin, json).status, 200);
    calls = albums_.With()->calls;
    Get("/album/cursor?limit=3");
    EXPECT_EQ(albums_.With()->calls, calls + 1);
    // Errors are not kept; /album (a token route) is never cached.
    albums_.With()->fail_with = absl::UnavailableError("ALBUM_SERVICE_UNAVAILABLE");
    EXPECT_EQ(Get("/album/infinite").status, 503);
    albums_.With()->fail_with = absl::OkStatus();
    EXPECT_EQ(Get("/album/infinite").status, 200);
    calls = albums_.With()->calls;
    Get("/album", kUser);
    Get("/album", kUser);
    EXPECT_EQ(albums_.With()->calls, calls + 2);
}

TEST_F(AlbumRoutesTest, AlbumServiceDownIs503) {
    albums_.With()->fail_with = absl::UnavailableError("ALBUM_SERVICE_UNAVAILABLE");
    auto r = Get("/album/infinite");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.Json().at("message").as_string(), "ALBUM_SERVICE_UNAVAILABLE");
}

}  // namespace
}  // namespace hatongsu::gateway::http
