// The web client's routes through a real HTTP server, beside an API route: index.html for "/" and
// for the client's own routes when HTML is wanted, hashed assets cached for a year, the top
// folder's files revalidated, and nothing outside the build folder reachable.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "hatongsu/net/server.h"
#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/raw_http.h"
#include "services/gateway/adapter/http/routes.h"

namespace hatongsu::gateway::http {
namespace {

namespace fs = std::filesystem;
using net::http::verb;
using testkit::HttpCall;

constexpr std::string_view kIndex =
    "<!doctype html><html><head>"
    R"(<meta name="hatongsu-google-client-id" content="" />)"
    R"(<meta name="hatongsu-upload-limits" content="">)"
    R"(<meta name="hatongsu-event-url" content="" />)"
    R"(<meta name="hatongsu-world-url" content="" />)"
    "</head><body><div id=app></div></body></html>";

void Write(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

class WebRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::path(::testing::TempDir()) / ("web-routes-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        Write(dir_ / "dist" / "index.html", kIndex);
        Write(dir_ / "dist" / "assets" / "index-3Fa9c1.js", "console.log(1)");
        Write(dir_ / "dist" / "assets" / "index-77aa01.css", "body{}");
        Write(dir_ / "dist" / "favicon.svg", "<svg/>");
        Write(dir_ / "dist" / "assets" / "world.glb", std::string("glTF\x02\0\0\0world", 13));
        Write(dir_ / "dist" / "assets" / "player.glb", std::string("glTF\x02\0\0\0player", 14));
        Write(dir_ / "secret.txt", "outside the build");
        web_ = {
            (dir_ / "dist").string(),
            "1234-abc.apps.googleusercontent.com\"><script>",
            {.max_files = 7, .max_file_bytes = 1000, .max_total_bytes = 5000},
            "http://chat.example:2567",
            "https://world.example:4100"};

        router_.Add(
            verb::get, "/album", [](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
                co_return net::Json(ctx, net::http::status::ok, {{"api", true}});
            });
        router_.AddPrefix(
            verb::get, "/files/", [](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
                co_return net::Json(ctx, net::http::status::ok, {{"file", ctx.params["*"]}});
            });
        AddWebRoutes(router_, web_);
        server_ = std::make_unique<net::Server>(io_, net::ServerOptions{}, router_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        io_.stop();
        thread_.join();
        fs::remove_all(dir_);
    }
    testkit::HttpResult Get(
        const std::string& target, const std::string& accept = "text/html,application/xhtml+xml") {
        return HttpCall(server_->Port(), verb::get, target, {{"Accept", accept}});
    }

    fs::path dir_;
    WebDeps web_;
    net::Router router_;
    boost::asio::io_context io_;
    std::unique_ptr<net::Server> server_;
    std::thread thread_;
};

TEST_F(WebRoutesTest, TheRootAndTheClientsOwnRoutesAreIndexHtmlRevalidatedEachTime) {
    for (std::string target : {"/", "/dashboard/album", "/login?next=%2Fdashboard", "/Gallery"}) {
        auto r = Get(target);
        ASSERT_EQ(r.status, 200) << target;
        EXPECT_NE(r.body.find("<div id=app>"), std::string::npos) << target;
        EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
        EXPECT_EQ(r.Header("cache-control"), "no-cache");
        EXPECT_NE(
            r.Header("content-security-policy").find("default-src 'self'"), std::string::npos);
        EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    }
    // "/" is the client whatever the Accept header says.
    EXPECT_EQ(Get("/", "*/*").status, 200);
}

TEST_F(WebRoutesTest, TheGoogleClientIdIsWrittenIntoTheMetaTagEscaped) {
    auto r = Get("/");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(
        r.body.find(R"(content="1234-abc.apps.googleusercontent.com&quot;&gt;&lt;script&gt;")"),
        std::string::npos)
        << r.body;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos);
}

TEST_F(WebRoutesTest, TheUploadLimitsAreWrittenIntoTheirMetaTag) {
    auto r = Get("/dashboard/upload");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(
        r.body.find(R"(<meta name="hatongsu-upload-limits" content="7 1000 5000">)"),
        std::string::npos)
        << r.body;
}

TEST_F(WebRoutesTest, TheGallerysServerUrlsAreWrittenIntoTheirMetaTags) {
    auto r = Get("/gallery");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(
        r.body.find(R"(<meta name="hatongsu-event-url" content="http://chat.example:2567" />)"),
        std::string::npos)
        << r.body;
    EXPECT_NE(
        r.body.find(R"(<meta name="hatongsu-world-url" content="https://world.example:4100" />)"),
        std::string::npos)
        << r.body;
}

TEST(WebRoutes, UnsetServerUrlsLeaveTheirMetaTagsEmpty) {
    fs::path dir = fs::path(::testing::TempDir()) / ("web-unset-" + std::to_string(::getpid()));
    Write(dir / "index.html", kIndex);
    WebDeps web{dir.string(), "", {}, "", ""};
    net::Router router;
    AddWebRoutes(router, web);
    boost::asio::io_context io;
    net::Server server(io, net::ServerOptions{}, router);
    server.Start();
    std::thread t([&io] { io.run(); });
    auto r = HttpCall(server.Port(), verb::get, "/gallery", {{"Accept", "text/html"}});
    io.stop();
    t.join();
    fs::remove_all(dir);
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.body.find(R"(<meta name="hatongsu-event-url" content="" />)"), std::string::npos);
    EXPECT_NE(r.body.find(R"(<meta name="hatongsu-world-url" content="" />)"), std::string::npos);
}

TEST_F(WebRoutesTest, IndexHtmlAnswersIfNoneMatchWith304) {
    auto first = Get("/");
    std::string etag = first.Header("etag");
    ASSERT_FALSE(etag.empty());
    auto again = HttpCall(
        server_->Port(), verb::get, "/dashboard",
        {{"Accept", "text/html"}, {"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304);
    EXPECT_EQ(again.body, "");
    EXPECT_EQ(again.Header("content-length"), "");  // a 304 has no length of its own
    auto head = HttpCall(
        server_->Port(), verb::head, "/", {{"Accept", "text/html"}, {"If-None-Match", etag}});
    EXPECT_EQ(head.status, 304);
    EXPECT_EQ(head.Header("content-length"), "");
    auto head_full = HttpCall(server_->Port(), verb::head, "/", {{"Accept", "text/html"}});
    EXPECT_EQ(head_full.status, 200);
    EXPECT_EQ(head_full.Header("content-length"), first.Header("content-length"));
    // A rebuild changes the page, its tag, and the answer.
    Write(dir_ / "dist" / "index.html", std::string(kIndex) + "<!-- new build -->");
    auto rebuilt = HttpCall(
        server_->Port(), verb::get, "/", {{"Accept", "text/html"}, {"If-None-Match", etag}});
    EXPECT_EQ(rebuilt.status, 200);
    EXPECT_NE(rebuilt.Header("etag"), etag);
}

TEST_F(WebRoutesTest, HashedAssetsAreCachedForAYearAndTopFilesRevalidated) {
    auto js = Get("/assets/index-3Fa9c1.js", "*/*");
    ASSERT_EQ(js.status, 200);
    EXPECT_EQ(js.body, "console.log(1)");
    EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.Header("cache-control"), "public, max-age=31536000, immutable");
    auto css = Get("/assets/index-77aa01.css", "text/css");
    EXPECT_EQ(css.Header("content-type"), "text/css; charset=utf-8");
    auto icon = Get("/favicon.svg", "image/*");
    ASSERT_EQ(icon.status, 200);
    EXPECT_EQ(icon.Header("content-type"), "image/svg+xml");
    EXPECT_EQ(icon.Header("cache-control"), "no-cache");
}

TEST_F(WebRoutesTest, TheGallerysModelsAreGltfBinaryOpenToEveryOriginAndRevalidated) {
    for (std::string name : {"world", "player"}) {
        std::string target = "/assets/" + name + ".glb";
        auto r =
            HttpCall(server_->Port(), verb::get, target, {{"Origin", "https://elsewhere.example"}});
        ASSERT_EQ(r.status, 200) << target;
        EXPECT_EQ(r.body.substr(0, 4), "glTF");
        EXPECT_NE(r.body.find(name), std::string::npos);
        EXPECT_EQ(r.Header("content-type"), "model/gltf-binary");
        EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
        EXPECT_EQ(r.Header("cache-control"), "public, max-age=300");
        std::string etag = r.Header("etag");
        ASSERT_FALSE(etag.empty());
        auto again = HttpCall(server_->Port(), verb::get, target, {{"If-None-Match", etag}});
        EXPECT_EQ(again.status, 304) << target;
        auto part = HttpCall(server_->Port(), verb::get, target, {{"Range", "bytes=0-3"}});
        EXPECT_EQ(part.status, 206);
        EXPECT_EQ(part.body, "glTF");
        auto head = HttpCall(server_->Port(), verb::head, target);
        EXPECT_EQ(head.status, 200);
        EXPECT_EQ(head.Header("content-length"), std::to_string(r.body.size()));
        auto preflight = HttpCall(
            server_->Port(), verb::options, target,
            {{"Origin", "https://elsewhere.example"}, {"Access-Control-Request-Method", "GET"}});
        EXPECT_EQ(preflight.status, 204);
        EXPECT_EQ(preflight.Header("access-control-allow-origin"), "*");
    }
    // Other assets keep their year-long cache.
    auto js = Get("/assets/index-3Fa9c1.js", "*/*");
    EXPECT_EQ(js.Header("cache-control"), "public, max-age=31536000, immutable");
}

TEST_F(WebRoutesTest, AMissingModelIsA404) {
    fs::remove(dir_ / "dist" / "assets" / "player.glb");
    auto r = Get("/assets/player.glb");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.Json().at("message").as_string(), "Cannot GET /assets/player.glb");
}

TEST_F(WebRoutesTest, ApiRoutesKeepTheirPathsAndUnknownApiCallsStayJson404) {
    auto api = Get("/album");  // even when HTML is accepted
    ASSERT_EQ(api.status, 200);
    EXPECT_TRUE(api.Json().at("api").as_bool());
    auto file = Get("/files/a.jpg");
    ASSERT_EQ(file.status, 200);
    EXPECT_EQ(file.Json().at("file").as_string(), "a.jpg");

    auto unknown = Get("/user/nothing-here", "application/json");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.Json().at("message").as_string(), "Cannot GET /user/nothing-here");
    // A missing asset is a 404, never the page (a script tag must not receive HTML).
    auto missing = Get("/assets/gone-1234.js");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.Json().at("message").as_string(), "Cannot GET /assets/gone-1234.js");
    // Other methods are not the client's.
    auto post = HttpCall(server_->Port(), verb::post, "/dashboard", {{"Accept", "text/html"}});
    EXPECT_EQ(post.status, 404);
}

TEST_F(WebRoutesTest, NothingOutsideTheBuildFolderIsReachable) {
    testkit::RawHttp c(server_->Port());
    for (std::string target :
         {"/../secret.txt", "/assets/../../secret.txt", "/assets/..%2F..%2Fsecret.txt",
          "/%2e%2e/secret.txt", "/assets//index-3Fa9c1.js", "/index.html"}) {
        c.Send("GET " + target + " HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n");
        auto r = c.Read();
        EXPECT_EQ(r.status, 404) << target;
        EXPECT_EQ(r.body.find("outside the build"), std::string::npos) << target;
    }
    // With HTML accepted, such paths get the page, never the file.
    auto html = Get("/assets/../../secret.txt");
    EXPECT_EQ(html.body.find("outside the build"), std::string::npos);
}

TEST(WebRoutes, WithoutABuildTheRootSaysSo) {
    WebDeps web{::testing::TempDir() + "/no-such-web-build", "", {}, "", ""};
    net::Router router;
    AddWebRoutes(router, web);
    boost::asio::io_context io;
    net::Server server(io, net::ServerOptions{}, router);
    server.Start();
    std::thread t([&io] { io.run(); });
    auto r = HttpCall(server.Port(), verb::get, "/", {{"Accept", "text/html"}});
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.Json().at("message").as_string().find("not built"), std::string::npos);
    io.stop();
    t.join();
}

}  // namespace
}  // namespace hatongsu::gateway::http
