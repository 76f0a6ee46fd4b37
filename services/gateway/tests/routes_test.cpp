// The routes and guards through a real HTTP server, with the user service faked.
#include "services/gateway/adapter/http/routes.h"

#include <thread>

#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "hatongsu/net/server.h"
#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/openapi.h"
#include "services/gateway/adapter/http/openapi_document.h"
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

class RoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        users_.With()->accounts["u1"] = {"u1", "user@example.com", "User", std::nullopt, "user"};
        users_.With()->accounts["a1"] = {"a1", "admin@example.com", "Admin", "https://p", "admin"};
        RouteDeps deps{users_, sessions_};
        AddSystemRoutes(router_, deps);
        AddAuthRoutes(router_, deps);
        AddUserRoutes(router_, deps);
        server_ = std::make_unique<net::Server>(io_, net::ServerOptions{}, router_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        io_.stop();
        thread_.join();
    }
    testkit::HttpResult Get(const std::string& target, const std::string& auth = "") {
        std::map<std::string, std::string> headers;
        if (!auth.empty()) {
            headers["Authorization"] = auth;
        }
        return Checked(verb::get, target, HttpCall(server_->Port(), verb::get, target, headers));
    }
    testkit::HttpResult Post(
        const std::string& target, const std::string& body, const std::string& auth = "") {
        std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
        if (!auth.empty()) {
            headers["Authorization"] = auth;
        }
        return Checked(
            verb::post, target, HttpCall(server_->Port(), verb::post, target, headers, body));
    }

    testing::FakeUserClient users_;
    testkit::FakeClock clock_;
    Sessions sessions_{users_, clock_, {std::chrono::milliseconds(1000), 1000}};
    net::Router router_;
    boost::asio::io_context io_;
    std::unique_ptr<net::Server> server_;
    std::thread thread_;
};

TEST_F(RoutesTest, HealthAndVersionAreText) {
    auto h = Get("/health");
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.body, "OK");
    EXPECT_EQ(h.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(Get("/version").body, "0.1.0");
    EXPECT_EQ(Get("/livez").status, 200);
}

TEST_F(RoutesTest, ReadyzReportsTheUserService) {
    EXPECT_EQ(Get("/readyz").status, 200);
    users_.With()->fail_with = absl::UnavailableError("USER_SERVICE_UNAVAILABLE");
    auto r = Get("/readyz");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.Json().at("checks").at("user").as_string(), "USER_SERVICE_UNAVAILABLE");
}

TEST_F(RoutesTest, MeNeedsAValidTokenAndReturnsTheStoredAccount) {
    auto r = Get("/user/me", "Bearer tok-a1");
    ASSERT_EQ(r.status, 200);
    auto user = r.Json().at("user").as_object();
    EXPECT_EQ(user.at("id").as_string(), "a1");
    EXPECT_EQ(user.at("email").as_string(), "admin@example.com");
    EXPECT_EQ(user.at("nickname").as_string(), "Admin");
    EXPECT_EQ(user.at("profile").as_string(), "https://p");
    EXPECT_EQ(user.at("role").as_string(), "admin");
    EXPECT_FALSE(
        Get("/user/me", "Bearer tok-u1").Json().at("user").as_object().contains("profile"));
    EXPECT_EQ(Get("/user/me").status, 401);
    EXPECT_EQ(Get("/user/me", "Bearer nope").status, 401);
    EXPECT_EQ(Get("/user/me", "Bearer nope").Json().at("message").as_string(), "INVALID_TOKEN");
    EXPECT_EQ(Get("/user/me", "Bearer tok-gone").status, 401);
}

// A valid token whose account was deleted: one mapping (Sessions::CurrentAccount) for every route.
TEST_F(RoutesTest, ATokenWhoseAccountIsGoneIs401InvalidTokenOnEveryRoute) {
    for (const char* target : {"/user/me", "/user/all"}) {
        auto r = Get(target, "Bearer tok-gone");
        EXPECT_EQ(r.status, 401) << target;
        EXPECT_EQ(r.Json().at("message").as_string(), "INVALID_TOKEN") << target;
    }
}

TEST_F(RoutesTest, TokensAndAccountsAreCached) {
    // Shaped like a JWT so the gateway can read its expiry.
    int64_t exp =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count() +
        3600;
    std::string token =
        "Bearer tok-u1." + core::Base64UrlEncode("{\"exp\":" + std::to_string(exp) + "}") + ".sig";
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(Get("/user/me", token).status, 200);
    }
    EXPECT_EQ(users_.With()->parse_calls, 1);
    EXPECT_EQ(users_.With()->account_calls, 1);
    clock_.Advance(std::chrono::seconds(2));
    ASSERT_EQ(Get("/user/me", token).status, 200);
    EXPECT_EQ(users_.With()->account_calls, 2);
    EXPECT_EQ(users_.With()->parse_calls, 1);
    clock_.Advance(
        std::chrono::hours(2));  // past the token's exp: asked again (and refused by the service)
    Get("/user/me", token);
    EXPECT_EQ(users_.With()->parse_calls, 2);
}

TEST_F(RoutesTest, UserListIsForAdminsOnlyWithTheRoleFromTheDatabase) {
    EXPECT_EQ(Get("/user/all").status, 401);
    auto denied = Get("/user/all", "Bearer tok-u1");
    EXPECT_EQ(denied.status, 403);
    EXPECT_EQ(denied.Json().at("message").as_string(), "No permission");
    auto ok =
        Get("/user/"
            "all?page=2&limit=5&sort=%5B%7B%22orderBy%22%3A%22createdAt%22%2C%22order%22%3A%22desc%"
            "22%7D%5D",
            "Bearer tok-a1");
    ASSERT_EQ(ok.status, 200);
    EXPECT_EQ(ok.Json().at("totalCount").as_int64(), 2);
    EXPECT_EQ(ok.Json().at("users").as_array().size(), 2u);
    EXPECT_EQ(users_.With()->last_query.page, 2);
    EXPECT_EQ(users_.With()->last_query.limit, 5);
    ASSERT_EQ(users_.With()->last_query.sort.size(), 1u);
    // Demoted in the database: the still-valid token no longer opens admin routes once the cache
    // expires.
    users_.With()->accounts["a1"].role = "user";
    clock_.Advance(std::chrono::seconds(2));
    EXPECT_EQ(Get("/user/all", "Bearer tok-a1").status, 403);
}

TEST_F(RoutesTest, UserListRefusesBadQueries) {
    EXPECT_EQ(Get("/user/all?page=abc", "Bearer tok-a1").status, 422);
    EXPECT_EQ(Get("/user/all?sort=notjson", "Bearer tok-a1").status, 400);
    auto password =
        Get("/user/all?filter=%7B%22field%22%3A%22password%22%2C%22value%22%3A%22x%22%7D",
            "Bearer tok-a1");
    EXPECT_EQ(password.status, 400);
    EXPECT_EQ(
        password.Json().at("message").as_string(),
        "filter.field must be one of: email, nickname, role, provider");
    EXPECT_EQ(
        Get("/user/all?sort=%5B%7B%22orderBy%22%3A%22password%22%2C%22order%22%3A%22asc%22%7D%5D",
            "Bearer tok-a1")
            .status,
        400);
    EXPECT_EQ(
        users_.With()->list_calls, 0);  // refused by the gateway itself, not by the (fake) service
    auto r =
        Get("/user/all?sort=%5B%7B%22orderBy%22%3A%22email%22%2C%22order%22%3A1%7D%5D",
            "Bearer tok-a1");
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(
        r.Json().at("errors").at("sort").at("0").at("order").as_string(), "order must be a string");
}

TEST_F(RoutesTest, RegisterValidatesTheNicknameBeforeCallingTheService) {
    auto missing = Post("/auth/register", "{}", "Basic eDp5");
    EXPECT_EQ(missing.status, 422);
    EXPECT_EQ(
        missing.Json().at("errors").at("nickname").as_string(),
        "nickname should not be empty, nickname must be a string");
    EXPECT_EQ(Post("/auth/register", R"({"nickname":5})", "Basic eDp5").status, 422);
    EXPECT_EQ(Post("/auth/register", R"({"nickname":)", "Basic eDp5").status, 400);
    EXPECT_EQ(users_.With()->last_nickname, "");
    auto ok = Post("/auth/register", R"({"nickname":"Nick","extra":true})", "Basic eDp5");
    EXPECT_EQ(ok.status, 201);
    EXPECT_EQ(ok.body, R"({"success":true,"message":"USER_REGISTRATION_SUCCESS"})");
}

TEST_F(RoutesTest, LoginAnswers201WithTokensAndMapsErrors) {
    auto ok = Post("/auth/login", "", "Basic eDp5");
    EXPECT_EQ(ok.status, 201);
    EXPECT_EQ(ok.body, R"({"accessToken":"access","refreshToken":"refresh"})");
    EXPECT_EQ(Post("/auth/login", "").status, 400);
    users_.With()->fail_with = absl::NotFoundError("USER_NOT_FOUND");
    auto nf = Post("/auth/login", "", "Basic eDp5");
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(nf.Json().at("message").as_string(), "USER_NOT_FOUND");
    EXPECT_EQ(nf.Json().at("statusCode").as_int64(), 404);
    users_.With()->fail_with = absl::UnavailableError("USER_SERVICE_UNAVAILABLE");
    EXPECT_EQ(Post("/auth/login", "", "Basic eDp5").status, 503);
    users_.With()->fail_with = absl::DeadlineExceededError("USER_SERVICE_TIMEOUT");
    EXPECT_EQ(Post("/auth/login", "", "Basic eDp5").status, 504);
}

// Issue 5 §6: bytes that cannot be base64 (invalid UTF-8 among them) are a 400 at the edge; the
// fake would have answered 201, as the user service's protobuf parser answered 500.
TEST_F(RoutesTest, CredentialsThatAreNotPrintableAsciiAre400BeforeTheService) {
    auto login = Post("/auth/login", "", "Basic \xff\xfe");
    EXPECT_EQ(login.status, 400);
    EXPECT_EQ(login.Json().at("message").as_string(), "INVALID_CREDENTIALS");
    auto reg = Post("/auth/register", R"({"nickname":"Nick"})", "Basic eDp5\x80");
    EXPECT_EQ(reg.status, 400);
    EXPECT_EQ(users_.With()->last_nickname, "");
}

TEST_F(RoutesTest, GoogleLoginValidatesTheBody) {
    auto bad = Post("/auth/google/login", R"({"email":"a@b.c","nickname":"n","profile":"p"})");
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(bad.Json().at("errors").at("email").as_string(), "email must be an email");
    EXPECT_TRUE(bad.Json().at("errors").as_object().contains("idToken"));
    auto body = R"({"email":"a@b.co","nickname":"n","profile":"p","idToken":"good"})";
    EXPECT_EQ(Post("/auth/google/login", body).status, 201);
    EXPECT_EQ(
        Post(
            "/auth/google/login",
            R"({"email":"a@b.co","nickname":"n","profile":"p","idToken":"bad"})")
            .status,
        401);
}

TEST_F(RoutesTest, RefreshTradesARefreshToken) {
    EXPECT_EQ(Post("/auth/refresh", R"({"refreshToken":"refresh"})").status, 201);
    EXPECT_EQ(Post("/auth/refresh", R"({"refreshToken":"access"})").status, 401);
    EXPECT_EQ(Post("/auth/refresh", "{}").status, 422);
}

}  // namespace
}  // namespace hatongsu::gateway::http
