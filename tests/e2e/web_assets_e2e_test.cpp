// The real gateway binary serving the real build (web/dist, made by scripts/web.sh build): the
// gallery's generated models at /assets/world.glb and /assets/player.glb as glTF binaries that a
// page on any origin may load (the original frontend runs on its own), and index.html naming the
// gallery's event and world servers from GATEWAY_EVENT_PUBLIC_URL and GATEWAY_WORLD_PUBLIC_URL.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "hatongsu/core/random.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/process.h"

namespace hatongsu {
namespace {

namespace fs = std::filesystem;
using boost::beast::http::verb;

constexpr std::string_view kOrigin = "http://original-frontend.example:3000";

std::string ReadAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class WebAssetsE2E : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        for (const char* name : {"index.html", "assets/world.glb", "assets/player.glb"}) {
            if (!fs::exists(fs::path(HATONGSU_WEB_DIST) / name)) {
                ADD_FAILURE() << HATONGSU_WEB_DIST << "/" << name
                              << " is missing: build the web client first (scripts/web.sh build)";
                return;
            }
        }
        work_ = fs::path(::testing::TempDir()) / ("web-assets-" + core::RandomToken(6));
        fs::create_directories(work_);
        port_ = testkit::FreePort();
        gateway_ = std::make_unique<testkit::ChildProcess>(
            HATONGSU_GATEWAY_BIN,
            std::map<std::string, std::string>{
                {"GATEWAY_HTTP_PORT", std::to_string(port_)},
                {"GATEWAY_WEB_DIR", HATONGSU_WEB_DIST},
                {"GATEWAY_EVENT_PUBLIC_URL", "http://127.0.0.1:2999"},
                {"GATEWAY_WORLD_PUBLIC_URL", "https://world.example:4443"},
                {"USER_GRPC_URL", "127.0.0.1:" + std::to_string(testkit::FreePort())},
                {"ALBUM_GRPC_URL", "127.0.0.1:" + std::to_string(testkit::FreePort())},
                {"STORAGE_DIR", (work_ / "objects").string()},
                {"LOG_FORMAT", "text"}},
            (work_ / "gateway.log").string());
        if (!gateway_->WaitForPort(port_)) {
            ADD_FAILURE() << "the gateway did not start:\n" << gateway_->Log();
            gateway_.reset();
        }
    }
    void SetUp() override { ASSERT_TRUE(gateway_) << "the gateway did not start (see above)"; }
    static void TearDownTestSuite() {
        gateway_.reset();
        fs::remove_all(work_);
    }

    static inline fs::path work_;
    static inline uint16_t port_ = 0;
    static inline std::unique_ptr<testkit::ChildProcess> gateway_;
};

TEST_F(WebAssetsE2E, TheModelsAreGltfBinariesOpenToEveryOrigin) {
    for (std::string name : {"world.glb", "player.glb"}) {
        std::string target = "/assets/" + name;
        auto r = testkit::HttpCall(port_, verb::get, target, {{"Origin", std::string(kOrigin)}});
        ASSERT_EQ(r.status, 200) << target << "\n" << gateway_->Log();
        EXPECT_EQ(r.Header("content-type"), "model/gltf-binary") << target;
        EXPECT_EQ(r.Header("access-control-allow-origin"), "*") << target;
        EXPECT_EQ(r.Header("cache-control"), "public, max-age=300") << target;
        EXPECT_FALSE(r.Header("etag").empty()) << target;
        EXPECT_EQ(r.body.substr(0, 4), "glTF") << target;  // the GLB magic
        EXPECT_EQ(r.body, ReadAll(fs::path(HATONGSU_WEB_DIST) / "assets" / name)) << target;

        auto preflight = testkit::HttpCall(
            port_, verb::options, target,
            {{"Origin", std::string(kOrigin)},
             {"Access-Control-Request-Method", "GET"},
             {"Access-Control-Request-Headers", "range"}});
        EXPECT_EQ(preflight.status, 204) << target;
        EXPECT_EQ(preflight.Header("access-control-allow-origin"), "*") << target;
        EXPECT_EQ(preflight.Header("access-control-allow-headers"), "range") << target;

        auto revalidated = testkit::HttpCall(
            port_, verb::get, target,
            {{"Origin", std::string(kOrigin)}, {"If-None-Match", r.Header("etag")}});
        EXPECT_EQ(revalidated.status, 304) << target;
        auto part = testkit::HttpCall(port_, verb::get, target, {{"Range", "bytes=0-11"}});
        EXPECT_EQ(part.status, 206) << target;
        EXPECT_EQ(part.body, r.body.substr(0, 12)) << target;  // the GLB header
    }
}

TEST_F(WebAssetsE2E, IndexHtmlNamesTheGallerysServers) {
    auto r = testkit::HttpCall(port_, verb::get, "/gallery", {{"Accept", "text/html"}});
    ASSERT_EQ(r.status, 200) << gateway_->Log();
    EXPECT_NE(
        r.body.find(R"(<meta name="hatongsu-event-url" content="http://127.0.0.1:2999" />)"),
        std::string::npos)
        << r.body;
    EXPECT_NE(
        r.body.find(R"(<meta name="hatongsu-world-url" content="https://world.example:4443" />)"),
        std::string::npos)
        << r.body;
}

}  // namespace
}  // namespace hatongsu
