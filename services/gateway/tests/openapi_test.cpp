// docs/openapi.yaml against the gateway: the router's route table and the document's operations
// name the same routes, both ways (a route added without documenting it, or a documented route
// that is gone, fails here); the document is one the response checker can read; and
// GET /openapi.json serves it.
#include "hatongsu/testkit/openapi.h"

#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/net/server.h"
#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/http_client.h"
#include "services/gateway/adapter/http/openapi_document.h"
#include "services/gateway/adapter/http/routes.h"
#include "services/gateway/testing/fake_album_client.h"
#include "services/gateway/testing/fake_user_client.h"

namespace hatongsu::gateway::http {
namespace {

using ::testing::IsEmpty;

constexpr std::array<std::string_view, 8> kMethods = {"get",   "put",     "post", "delete",
                                                      "patch", "options", "head", "trace"};

// "GET /file/uploads/{batchId}" for an exact route, "GET /files/*" for a prefix route.
std::set<std::string> RouterRoutes(const net::Router& router) {
    std::set<std::string> out;
    for (const net::Router::RouteInfo& route : router.Routes()) {
        std::string path;
        if (route.prefix) {
            path = route.pattern + "*";
        } else {
            std::size_t start = 0;
            while (start < route.pattern.size()) {
                std::size_t slash = route.pattern.find('/', start + 1);
                std::string segment = route.pattern.substr(
                    start + 1,
                    (slash == std::string::npos ? route.pattern.size() : slash) - start - 1);
                path += "/" + (segment.starts_with(':') ? "{" + segment.substr(1) + "}" : segment);
                start = slash == std::string::npos ? route.pattern.size() : slash;
            }
            if (path.empty()) {
                path = "/";
            }
        }
        std::string method(net::http::to_string(route.method));
        out.insert(method + " " + path);
    }
    return out;
}

// The same form from the document: a path item marked x-hatongsu-prefix-route loses its last
// ("{rest}") segment and gets the "*".
std::set<std::string> DocumentRoutes(const testkit::OpenApiDocument& doc) {
    std::set<std::string> out;
    for (const auto& [key, item] : doc.Root().at("paths").as_object()) {
        std::string path(key);
        const auto* prefix = item.as_object().if_contains("x-hatongsu-prefix-route");
        if (prefix != nullptr && prefix->as_bool()) {
            path = path.substr(0, path.rfind('/') + 1) + "*";
        }
        for (const auto& [method, operation] : item.as_object()) {
            if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
                continue;
            }
            std::string upper(method);
            for (char& c : upper) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            out.insert(upper + " " + path);
        }
    }
    return out;
}

std::vector<std::string> Minus(const std::set<std::string>& a, const std::set<std::string>& b) {
    std::vector<std::string> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

class OpenApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        RouteDeps deps{users_, sessions_};
        deps.albums = &albums_;
        // Every optional route on: the disk store's /files/ and the web client's.
        uploads_.files_root = "/nonexistent-objects";
        web_.root = "/nonexistent-web";
        AddGatewayRoutes(router_, deps, uploads_, web_);
    }

    testing::FakeUserClient users_;
    testing::FakeAlbumClient albums_;
    testkit::FakeClock clock_;
    Sessions sessions_{users_, clock_, {std::chrono::milliseconds(1000), 1000}};
    UploadDeps uploads_;
    WebDeps web_;
    net::Router router_;
};

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
    testkit::OpenApiDocument doc(OpenApiJson());
    std::set<std::string> routed = RouterRoutes(router_);
    std::set<std::string> documented = DocumentRoutes(doc);
    ASSERT_GT(routed.size(), 20u);  // the table really was read
    EXPECT_THAT(Minus(routed, documented), IsEmpty())
        << "routes of the gateway that docs/openapi.yaml does not describe";
    EXPECT_THAT(Minus(documented, routed), IsEmpty())
        << "operations of docs/openapi.yaml that the gateway's router does not have";
}

TEST_F(OpenApiTest, EveryPathParameterIsDeclaredAndEveryOperationListsItsStatuses) {
    testkit::OpenApiDocument doc(OpenApiJson());
    EXPECT_EQ(doc.Root().at("openapi").as_string(), "3.1.0");
    for (const auto& [key, item] : doc.Root().at("paths").as_object()) {
        std::string path(key);
        for (const auto& [method, operation] : item.as_object()) {
            if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
                continue;
            }
            std::string where = std::string(method) + " " + path;
            const auto& op = operation.as_object();
            ASSERT_TRUE(op.contains("operationId")) << where;
            ASSERT_TRUE(op.contains("responses")) << where;
            // Every route can be refused by the server before it runs, with the one error shape.
            for (const char* status : {"400", "413", "431", "500", "501"}) {
                EXPECT_TRUE(op.at("responses").as_object().contains(status))
                    << where << " does not list " << status;
            }
            std::set<std::string> declared;
            if (const auto* params = op.if_contains("parameters")) {
                for (const auto& p : params->as_array()) {
                    const auto& param =
                        p.as_object().contains("$ref")
                            ? doc.Root()
                                  .at("components")
                                  .at("parameters")
                                  .at(std::string(p.at("$ref").as_string()).substr(24))
                            : p;
                    if (param.at("in").as_string() == "path") {
                        declared.insert(std::string(param.at("name").as_string()));
                    }
                }
            }
            std::set<std::string> templated;
            for (std::size_t open = path.find('{'); open != std::string::npos;
                 open = path.find('{', open + 1)) {
                templated.insert(path.substr(open + 1, path.find('}', open) - open - 1));
            }
            EXPECT_EQ(declared, templated) << where;
        }
    }
}

TEST(OpenApiRoute, ServesTheDocumentAsJson) {
    testing::FakeUserClient users;
    testkit::FakeClock clock;
    Sessions sessions{users, clock, {std::chrono::milliseconds(1000), 1000}};
    net::Router router;
    AddSystemRoutes(router, RouteDeps{users, sessions});
    boost::asio::io_context io;
    net::Server server(io, net::ServerOptions{}, router);
    server.Start();
    std::thread thread([&io] { io.run(); });
    auto r = testkit::HttpCall(server.Port(), net::http::verb::get, "/openapi.json");
    auto head = testkit::HttpCall(server.Port(), net::http::verb::head, "/openapi.json");
    io.stop();
    thread.join();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(boost::json::parse(r.body), boost::json::parse(OpenApiJson()));
    EXPECT_EQ(r.Json().at("info").at("title").as_string(), "Hatongsu gateway");
    EXPECT_EQ(head.status, 200);
    testkit::OpenApiDocument doc(OpenApiJson());
    testkit::ExpectResponseMatchesOpenApi(doc, net::http::verb::get, "/openapi.json", r);
}

// The event and world servers' documents (not held to their routers yet): JSON the build made
// (which checked that every $ref resolves), readable by the checker (only keywords it knows).
TEST(OpenApiDocuments, TheEventAndWorldDocumentsAreCheckable) {
    for (const char* file : {HATONGSU_OPENAPI_EVENT_JSON, HATONGSU_OPENAPI_WORLD_JSON}) {
        std::ifstream in(file);
        ASSERT_TRUE(in) << file;
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        testkit::OpenApiDocument doc(text);
        EXPECT_EQ(doc.Root().at("openapi").as_string(), "3.1.0") << file;
        EXPECT_TRUE(doc.FindPath("/health").has_value()) << file;
        for (const auto& [name, schema] : doc.Root().at("components").at("schemas").as_object()) {
            // Following each schema's top-level $ref: a dangling one throws.
            EXPECT_NO_THROW(doc.Validate(schema, boost::json::value(nullptr)))
                << file << " " << std::string(name);
        }
    }
}

}  // namespace
}  // namespace hatongsu::gateway::http
