// Accounts end to end: HTTP -> gateway -> gRPC -> user service -> PostgreSQL, with the real
// binaries. Checks what a client sees: status codes, JSON field names and the bad-input answers.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/jwt/jwt.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/openapi.h"
#include "hatongsu/testkit/process.h"
#include "hatongsu/testkit/raw_http.h"
#include "hatongsu/testkit/test_pki.h"
#include "libs/jwt/testing/test_rsa_key.h"
#include "proto/health.grpc.pb.h"
#include "proto/user.grpc.pb.h"
#include "services/gateway/adapter/http/openapi_document.h"

namespace hatongsu {
namespace {

// docs/openapi.yaml: every response the gateway gives these tests must match it.
const testkit::OpenApiDocument& OpenApi() {
    static const testkit::OpenApiDocument doc(gateway::http::OpenApiJson());
    return doc;
}

using boost::beast::http::verb;
using testkit::HttpResult;

constexpr const char* kAccessSecret = "e2e-access-secret";
constexpr const char* kAdminEmail = "root@hatongsu.test";
constexpr const char* kAdminPassword = "admin-pass-1";
constexpr const char* kGoogleClient = "e2e-client.apps.example";
constexpr const char* kServiceSecret = "e2e-service-secret-0123456789";

std::string Basic(const std::string& text) {
    return "Basic " + core::Base64Encode(text);
}

int64_t Now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A fresh, empty database on the test server; returns its name.
std::string CreateDatabase(const std::string& prefix) {
    const char* base =
        std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): test setup
    if (base == nullptr) {
        throw std::runtime_error(
            "HATONGSU_PG_BASE is not set: run through scripts/test.sh (make test)");
    }
    std::string name = prefix + core::AsciiLower(core::RandomUuidV4().substr(0, 8));
    pqxx::connection admin(std::string(base) + "/postgres");
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + name);
    return name;
}

void DropDatabase(const std::string& name) {
    const char* base = std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): teardown
    if (base != nullptr && !name.empty()) {
        pqxx::connection admin(std::string(base) + "/postgres");
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
}

// One database, one user service and two gateways (one pointed at the user service, one at a
// closed port) for the whole suite.
class AccountsE2E : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const char* base = std::getenv("HATONGSU_PG_BASE");
        ASSERT_NE(base, nullptr)
            << "HATONGSU_PG_BASE is not set: run through scripts/test.sh (make test)";
        db_name_ = CreateDatabase("e2e_accounts_");
        google_key_ = new jwt::testing::TestRsaKey("e2e-google");
        jwks_path_ = ::testing::TempDir() + "/" + db_name_ + "-jwks.json";
        std::ofstream(jwks_path_) << google_key_->Jwks();

        user_port_ = testkit::FreePort();
        std::string dir = ::testing::TempDir();
        user_ = new testkit::ChildProcess(
            HATONGSU_USER_BIN,
            {{"USER_GRPC_ADDR", "127.0.0.1:" + std::to_string(user_port_)},
             {"USER_PG_URL", std::string(base) + "/" + db_name_},
             {"ACCESS_TOKEN_SECRET", kAccessSecret},
             {"REFRESH_TOKEN_SECRET", "e2e-refresh-secret"},
             {"USER_ARGON2_OPSLIMIT", "1"},
             {"USER_ARGON2_MEMLIMIT_KIB", "64"},
             {"USER_LOGIN_MAX_FAILURES", "5"},
             {"USER_REGISTER_MAX_PER_IP", "50"},
             {"GOOGLE_CLIENT_ID", kGoogleClient},
             {"USER_GOOGLE_JWKS", jwks_path_},
             {"HATONGSU_ADMIN_EMAIL", kAdminEmail},
             {"HATONGSU_ADMIN_PASSWORD", kAdminPassword},
             {"HATONGSU_SERVICE_SECRET", kServiceSecret},
             {"LOG_FORMAT", "text"}},
            dir + "/" + db_name_ + "-user.log");
        ASSERT_TRUE(user_->WaitForPort(user_port_)) << user_->Log();

        gateway_port_ = testkit::FreePort();
        gateway_ = new testkit::ChildProcess(
            HATONGSU_GATEWAY_BIN,
            {{"GATEWAY_HTTP_PORT", std::to_string(gateway_port_)},
             {"USER_GRPC_URL", "127.0.0.1:" + std::to_string(user_port_)},
             {"FRONTEND_URL", "https://app.example"},
             {"GATEWAY_JSON_BODY_LIMIT", "65536"},
             {"GATEWAY_ACCOUNT_CACHE_MS", "0"},
             {"HATONGSU_SERVICE_SECRET", kServiceSecret},
             {"GATEWAY_TRUST_FORWARDED_FOR", "true"},
             {"GATEWAY_LOGIN_RATE_PER_S", "0"},  // the user service's own limits are under test  //
                                                 // tests play clients at several addresses
             {"LOG_FORMAT", "text"}},
            dir + "/" + db_name_ + "-gateway.log");
        ASSERT_TRUE(gateway_->WaitForPort(gateway_port_)) << gateway_->Log();

        // A gateway whose user service is not there, and one whose user service never answers.
        blackhole_ = new boost::asio::ip::tcp::acceptor(
            blackhole_io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
        orphan_port_ = testkit::FreePort();
        orphan_ = new testkit::ChildProcess(
            HATONGSU_GATEWAY_BIN,
            {{"GATEWAY_HTTP_PORT", std::to_string(orphan_port_)},
             {"USER_GRPC_URL", "127.0.0.1:" + std::to_string(testkit::FreePort())},
             {"GATEWAY_GRPC_TIMEOUT_MS", "2000"},
             {"LOG_FORMAT", "text"}},
            dir + "/" + db_name_ + "-orphan.log");
        ASSERT_TRUE(orphan_->WaitForPort(orphan_port_)) << orphan_->Log();
        stuck_port_ = testkit::FreePort();
        stuck_ = new testkit::ChildProcess(
            HATONGSU_GATEWAY_BIN,
            {{"GATEWAY_HTTP_PORT", std::to_string(stuck_port_)},
             {"USER_GRPC_URL", "127.0.0.1:" + std::to_string(blackhole_->local_endpoint().port())},
             {"GATEWAY_GRPC_TIMEOUT_MS", "500"},
             {"LOG_FORMAT", "text"}},
            dir + "/" + db_name_ + "-stuck.log");
        ASSERT_TRUE(stuck_->WaitForPort(stuck_port_)) << stuck_->Log();
    }

    static void TearDownTestSuite() {
        for (auto* p : {gateway_, orphan_, stuck_, user_}) {
            if (p != nullptr) {
                EXPECT_EQ(p->Stop(), 0) << "graceful shutdown on SIGTERM\n" << p->Log();
                delete p;
            }
        }
        delete blackhole_;
        delete google_key_;
        DropDatabase(db_name_);
    }

    static HttpResult Call(
        verb method,
        const std::string& target,
        const std::map<std::string, std::string>& headers = {},
        const std::string& body = "",
        uint16_t port = 0) {
        HttpResult r =
            testkit::HttpCall(port != 0 ? port : gateway_port_, method, target, headers, body);
        testkit::ExpectResponseMatchesOpenApi(OpenApi(), method, target, r);
        return r;
    }
    static HttpResult Login(const std::string& email, const std::string& password) {
        return Call(
            verb::post, "/auth/login",
            {{"Authorization", Basic(email + ":" + password)},
             {"Content-Type", "application/json"}});
    }
    // As a client at `ip` (the gateway trusts X-Forwarded-For here).
    static HttpResult LoginFrom(
        const std::string& email, const std::string& password, const std::string& ip) {
        return Call(
            verb::post, "/auth/login",
            {{"Authorization", Basic(email + ":" + password)}, {"X-Forwarded-For", ip}});
    }
    static HttpResult Register(
        const std::string& email,
        const std::string& password,
        const std::string& nickname,
        const std::string& ip = "127.0.0.1") {
        boost::json::object body{{"nickname", nickname}};
        return Call(
            verb::post, "/auth/register",
            {{"Authorization", Basic(email + ":" + password)},
             {"Content-Type", "application/json"},
             {"X-Forwarded-For", ip}},
            boost::json::serialize(body));
    }
    static std::string Bearer(const HttpResult& login) {
        return "Bearer " + std::string(login.Json().at("accessToken").as_string());
    }
    static HttpResult Me(const std::string& authorization) {
        return Call(verb::get, "/user/me", {{"Authorization", authorization}});
    }
    static std::string Unique(const std::string& name) {
        return name + "-" + core::AsciiLower(core::RandomToken(4)) + "@example.com";
    }

    static std::vector<std::string> Keys(const boost::json::object& o) {
        std::vector<std::string> keys;
        for (const auto& kv : o) {
            keys.emplace_back(kv.key());
        }
        return keys;
    }

    static inline std::string db_name_;
    static inline std::string jwks_path_;
    static inline jwt::testing::TestRsaKey* google_key_ = nullptr;
    static inline uint16_t user_port_ = 0;
    static inline uint16_t gateway_port_ = 0;
    static inline uint16_t orphan_port_ = 0;
    static inline uint16_t stuck_port_ = 0;
    static inline testkit::ChildProcess* user_ = nullptr;
    static inline testkit::ChildProcess* gateway_ = nullptr;
    static inline testkit::ChildProcess* orphan_ = nullptr;
    static inline testkit::ChildProcess* stuck_ = nullptr;
    static inline boost::asio::io_context blackhole_io_;
    static inline boost::asio::ip::tcp::acceptor* blackhole_ = nullptr;
};

TEST_F(AccountsE2E, HealthVersionAndReadiness) {
    auto health = Call(verb::get, "/health");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, "OK");
    EXPECT_EQ(Call(verb::get, "/version").body, "0.1.0");
    EXPECT_EQ(Call(verb::get, "/livez").status, 200);
    auto ready = Call(verb::get, "/readyz");
    EXPECT_EQ(ready.status, 200) << ready.body;
    EXPECT_EQ(health.Header("access-control-allow-origin"), "https://app.example");
    EXPECT_EQ(health.Header("access-control-allow-credentials"), "true");
}

TEST_F(AccountsE2E, TheBootstrappedAdminLogsInAndSeesItself) {
    auto login = Login(kAdminEmail, kAdminPassword);
    ASSERT_EQ(login.status, 201) << login.body;
    EXPECT_EQ(
        Keys(login.Json().as_object()), (std::vector<std::string>{"accessToken", "refreshToken"}));
    auto me = Me(Bearer(login));
    ASSERT_EQ(me.status, 200) << me.body;
    auto user = me.Json().at("user").as_object();
    EXPECT_EQ(Keys(user), (std::vector<std::string>{"id", "email", "nickname", "role"}));
    EXPECT_TRUE(core::IsUuid(user.at("id").as_string()));
    EXPECT_EQ(user.at("email").as_string(), kAdminEmail);
    EXPECT_EQ(user.at("role").as_string(), "admin");
    // The access token carries the original's claims.
    auto claims =
        jwt::VerifyHs256(std::string(login.Json().at("accessToken").as_string()), kAccessSecret);
    ASSERT_TRUE(claims.ok());
    EXPECT_EQ(Keys(*claims), (std::vector<std::string>{"exp", "iat", "role", "sub", "type"}));
    EXPECT_EQ(claims->at("type").as_string(), "access");
}

TEST_F(AccountsE2E, RegisterThenLoginThenMe) {
    std::string email = Unique("Mixed.Case");
    auto reg = Register(email, "pa:ss:word", "하통수 Ω");
    ASSERT_EQ(reg.status, 201) << reg.body;
    EXPECT_EQ(reg.body, R"({"success":true,"message":"USER_REGISTRATION_SUCCESS"})");
    EXPECT_EQ(reg.Header("content-type"), "application/json; charset=utf-8");

    auto dup = Register(core::AsciiLower(email), "other-pass", "Twin");
    EXPECT_EQ(dup.status, 409);
    EXPECT_EQ(dup.Json().at("message").as_string(), "EMAIL_ALREADY_EXISTS");
    EXPECT_EQ(dup.Json().at("statusCode").as_int64(), 409);

    auto login = Login(
        core::AsciiLower(email),
        "pa:ss:word");  // e-mails are case-insensitive; ':' in passwords works
    ASSERT_EQ(login.status, 201) << login.body;
    auto me = Me(Bearer(login));
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(me.Json().at("user").at("nickname").as_string(), "하통수 Ω");
    EXPECT_EQ(me.Json().at("user").at("email").as_string(), core::AsciiLower(email));
    EXPECT_EQ(me.Json().at("user").at("role").as_string(), "user");
}

TEST_F(AccountsE2E, LoginFailuresKeepTheOriginalIdentifiers) {
    std::string email = Unique("wrong");
    ASSERT_EQ(Register(email, "right-pass", "W").status, 201);
    auto wrong = Login(email, "wrong-pass");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.Json().at("message").as_string(), "INCORRECT_PASSWORD");
    auto unknown = Login(Unique("nobody"), "whatever");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.Json().at("message").as_string(), "USER_NOT_FOUND");
}

TEST_F(AccountsE2E, GarbledCredentialsAre400) {
    EXPECT_EQ(Call(verb::post, "/auth/login").status, 400);
    EXPECT_EQ(Call(verb::post, "/auth/login", {{"Authorization", Basic("no-colon")}}).status, 400);
    EXPECT_EQ(Call(verb::post, "/auth/login", {{"Authorization", "Basic"}}).status, 400);
    EXPECT_EQ(Call(verb::post, "/auth/login", {{"Authorization", "Digest abc"}}).status, 400);
    auto reg = Call(
        verb::post, "/auth/register", {{"Content-Type", "application/json"}},
        R"({"nickname":"x"})");
    EXPECT_EQ(reg.status, 400);
    EXPECT_EQ(reg.Json().at("message").as_string(), "INVALID_CREDENTIALS");
    EXPECT_EQ(Register("not-an-email", "secret", "x").status, 400);
    EXPECT_EQ(Register(Unique("short"), "abc", "x").status, 400);
}

TEST_F(AccountsE2E, BadTokensAre401) {
    EXPECT_EQ(Me("").status, 401);
    EXPECT_EQ(Me("Bearer").status, 401);
    EXPECT_EQ(Me("Bearer undefined").status, 401);
    EXPECT_EQ(Me("Basic abc").status, 401);
    std::string sub = "6cebfa72-5c4c-40f2-8c9c-b9398d172b86";
    auto expired = jwt::SignHs256(
        {{"sub", sub},
         {"role", "admin"},
         {"type", "access"},
         {"iat", Now() - 100},
         {"exp", Now() - 10}},
        kAccessSecret);
    EXPECT_EQ(Me("Bearer " + *expired).status, 401);
    auto forged = jwt::SignHs256(
        {{"sub", sub}, {"role", "admin"}, {"type", "access"}, {"exp", Now() + 100}}, "guess");
    EXPECT_EQ(Me("Bearer " + *forged).status, 401);
    std::string none =
        core::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
        core::Base64UrlEncode(
            R"({"sub":")" + sub + R"(","role":"admin","type":"access","exp":9999999999})") +
        ".";
    EXPECT_EQ(Me("Bearer " + none).status, 401);
    auto rs = google_key_->Sign(
        {{"sub", sub}, {"role", "admin"}, {"type", "access"}, {"exp", Now() + 100}});
    EXPECT_EQ(Me("Bearer " + rs).status, 401);
    auto login = Login(kAdminEmail, kAdminPassword);
    auto refresh = "Bearer " + std::string(login.Json().at("refreshToken").as_string());
    auto r = Me(refresh);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.Json().at("message").as_string(), "INVALID_TOKEN");
}

TEST_F(AccountsE2E, UserListIsAdminOnly) {
    std::string email = Unique("lister");
    ASSERT_EQ(Register(email, "secret1", "Lister").status, 201);
    auto user = Login(email, "secret1");
    auto denied = Call(verb::get, "/user/all", {{"Authorization", Bearer(user)}});
    EXPECT_EQ(denied.status, 403);
    EXPECT_EQ(denied.Json().at("message").as_string(), "No permission");
    EXPECT_EQ(Call(verb::get, "/user/all").status, 401);

    auto admin = Bearer(Login(kAdminEmail, kAdminPassword));
    auto all = Call(verb::get, "/user/all?page=1&limit=100", {{"Authorization", admin}});
    ASSERT_EQ(all.status, 200) << all.body;
    EXPECT_EQ(Keys(all.Json().as_object()), (std::vector<std::string>{"users", "totalCount"}));
    EXPECT_GE(all.Json().at("totalCount").as_int64(), 2);
    auto filtered = Call(
        verb::get,
        "/user/"
        "all?limit=10&sort=%5B%7B%22orderBy%22%3A%22createdAt%22%2C%22order%22%3A%22desc%22%7D%5D"
        "&filter=%7B%22field%22%3A%22email%22%2C%22value%22%3A%22LISTER-%22%7D",
        {{"Authorization", admin}});
    ASSERT_EQ(filtered.status, 200) << filtered.body;
    EXPECT_EQ(filtered.Json().at("totalCount").as_int64(), 1);
    EXPECT_EQ(filtered.Json().at("users").at(0).at("email").as_string(), email);
    auto none = Call(
        verb::get, "/user/all?filter=%7B%22field%22%3A%22email%22%2C%22value%22%3A%22%25%22%7D",
        {{"Authorization", admin}});
    EXPECT_EQ(none.Json().at("users").as_array().size(), 0u);  // '%' is literal, and [] is present
    EXPECT_EQ(Call(verb::get, "/user/all?page=abc", {{"Authorization", admin}}).status, 422);
    EXPECT_EQ(
        Call(
            verb::get,
            "/user/all?sort=%5B%7B%22orderBy%22%3A%22password%22%2C%22order%22%3A%22asc%22%7D%5D",
            {{"Authorization", admin}})
            .status,
        400);
    EXPECT_EQ(Call(verb::get, "/user/all?sort=x", {{"Authorization", admin}}).status, 400);
}

TEST_F(AccountsE2E, RefreshRotatesAndRefusesReuse) {
    auto login = Login(kAdminEmail, kAdminPassword);
    std::string refresh(login.Json().at("refreshToken").as_string());
    auto body = boost::json::serialize(boost::json::object{{"refreshToken", refresh}});
    auto next = Call(verb::post, "/auth/refresh", {{"Content-Type", "application/json"}}, body);
    ASSERT_EQ(next.status, 201) << next.body;
    EXPECT_EQ(Me(Bearer(next)).status, 200);
    auto again = Call(verb::post, "/auth/refresh", {{"Content-Type", "application/json"}}, body);
    EXPECT_EQ(again.status, 401);
    auto access_as_refresh = boost::json::serialize(
        boost::json::object{{"refreshToken", next.Json().at("accessToken")}});
    EXPECT_EQ(Call(verb::post, "/auth/refresh", {}, access_as_refresh).status, 401);
}

// Issue 5, section 6: ids that are not UUIDs, in tokens signed with the real secrets (a leaked
// secret, or a bug elsewhere), are refused as unknown, never answered with a 500.
TEST_F(AccountsE2E, TokensCarryingMalformedIdsAre401Not500) {
    auto access = jwt::SignHs256(
        {{"sub", "not-a-uuid"},
         {"role", "user"},
         {"type", "access"},
         {"iat", Now()},
         {"exp", Now() + 100}},
        kAccessSecret);
    auto me = Me("Bearer " + *access);
    EXPECT_EQ(me.status, 401) << me.body;
    auto refresh = jwt::SignHs256(
        {{"sub", "'; DROP TABLE x"},
         {"type", "refresh"},
         {"jti", "garbage"},
         {"iat", Now()},
         {"exp", Now() + 100}},
        "e2e-refresh-secret");
    auto body = boost::json::serialize(boost::json::object{{"refreshToken", *refresh}});
    auto r = Call(verb::post, "/auth/refresh", {{"Content-Type", "application/json"}}, body);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.Json().at("message").as_string(), "INVALID_TOKEN");
    // A real account id with a jti that is not a UUID.
    auto login = Login(kAdminEmail, kAdminPassword);
    ASSERT_EQ(login.status, 201);
    auto admin = Me(Bearer(login));
    std::string admin_id(admin.Json().at("user").at("id").as_string());
    auto real_sub = jwt::SignHs256(
        {{"sub", admin_id},
         {"type", "refresh"},
         {"jti", "garbage"},
         {"iat", Now()},
         {"exp", Now() + 100}},
        "e2e-refresh-secret");
    body = boost::json::serialize(boost::json::object{{"refreshToken", *real_sub}});
    r = Call(verb::post, "/auth/refresh", {{"Content-Type", "application/json"}}, body);
    EXPECT_EQ(r.status, 401) << r.body;
}

TEST_F(AccountsE2E, GoogleLoginTakesTheAccountFromTheVerifiedToken) {
    std::string email = Unique("google");
    auto id_token = google_key_->Sign(
        {{"iss", "https://accounts.google.com"},
         {"aud", kGoogleClient},
         {"sub", "g-1"},
         {"email", email},
         {"email_verified", true},
         {"name", "Goo Gle"},
         {"picture", "https://pics.example/g.png"},
         {"iat", Now()},
         {"exp", Now() + 600}});
    boost::json::object body{
        {"email", "victim@example.com"},
        {"nickname", "x"},
        {"profile", "y"},
        {"idToken", id_token}};
    auto login = Call(
        verb::post, "/auth/google/login", {{"Content-Type", "application/json"}},
        boost::json::serialize(body));
    ASSERT_EQ(login.status, 201) << login.body;
    auto me = Me(Bearer(login)).Json().at("user").as_object();
    EXPECT_EQ(me.at("email").as_string(), email);
    EXPECT_EQ(me.at("nickname").as_string(), "Goo Gle");
    EXPECT_EQ(me.at("profile").as_string(), "https://pics.example/g.png");
    // No password login for a Google account.
    EXPECT_EQ(Login(email, "google").status, 401);

    body["idToken"] = google_key_->Sign(
        {{"iss", "https://accounts.google.com"},
         {"aud", "someone-else"},
         {"email", email},
         {"email_verified", true},
         {"iat", Now()},
         {"exp", Now() + 600}});
    EXPECT_EQ(Call(verb::post, "/auth/google/login", {}, boost::json::serialize(body)).status, 401);
    body["idToken"] = google_key_->Sign(
        {{"iss", "accounts.google.com"},
         {"aud", kGoogleClient},
         {"email", kAdminEmail},
         {"email_verified", true},
         {"iat", Now()},
         {"exp", Now() + 600}});
    auto taken = Call(verb::post, "/auth/google/login", {}, boost::json::serialize(body));
    EXPECT_EQ(taken.status, 409);
    EXPECT_EQ(taken.Json().at("message").as_string(), "EMAIL_REGISTERED_WITH_PASSWORD");
}

TEST_F(AccountsE2E, BadBodiesGetClearErrorsAndWriteNothing) {
    auto malformed = Call(
        verb::post, "/auth/register", {{"Authorization", Basic(Unique("m") + ":secret")}},
        R"({"nickname":)");
    EXPECT_EQ(malformed.status, 400);
    EXPECT_EQ(malformed.Json().at("statusCode").as_int64(), 400);
    auto wrong_type = Call(
        verb::post, "/auth/register", {{"Authorization", Basic(Unique("t") + ":secret")}},
        R"({"nickname":["x"]})");
    EXPECT_EQ(wrong_type.status, 422);
    EXPECT_EQ(
        wrong_type.Json().at("errors").at("nickname").as_string(), "nickname must be a string");
    auto huge = Call(
        verb::post, "/auth/register", {{"Authorization", Basic(Unique("h") + ":secret")}},
        R"({"nickname":")" + std::string(100000, 'x') + R"("})");
    EXPECT_EQ(huge.status, 413);
    std::string long_email = std::string(300, 'a') + "@example.com";
    EXPECT_EQ(Register(long_email, "secret", "x").status, 400);
    std::string email = Unique("longnick");
    auto long_nick = Register(email, "secret", std::string(5000, 'n'));
    EXPECT_EQ(long_nick.status, 400);
    EXPECT_EQ(long_nick.Json().at("message").as_string(), "INVALID_NICKNAME");
    EXPECT_EQ(Login(email, "secret").status, 404);  // nothing was written
    EXPECT_EQ(Register(Unique("bin"), "secret", "\xff\xfe").status, 400);
}

TEST_F(AccountsE2E, UnknownRouteIs404Json) {
    auto r = Call(verb::get, "/nope?x=1");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.Json().at("message").as_string(), "Cannot GET /nope?x=1");
    EXPECT_EQ(r.Json().at("error").as_string(), "Not Found");
}

TEST_F(AccountsE2E, BytesThatAreNotTextNeverReachProtobufOrPostgres) {
    auto raw = [](const std::string& request) {
        testkit::RawHttp c(gateway_port_);
        c.Send(request);
        return c.Read();
    };
    EXPECT_EQ(
        raw("GET /user/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n").status,
        400);
    EXPECT_EQ(
        raw("POST /auth/login HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \xc3\xa9\r\n"
            "Content-Length: 0\r\n\r\n")
            .status,
        400);
    EXPECT_EQ(Call(verb::get, "/user/%FF").status, 400);
    EXPECT_EQ(Call(verb::get, "/user/all?filter[value]=%00").status, 400);
    for (std::string email :
         {"\xff\xfe@example.com", "a\xc0\xaf@example.com", "a\xed\xa0\x80@example.com"}) {
        auto login = Login(email, "secret");
        EXPECT_EQ(login.status, 400) << login.body;
        EXPECT_EQ(Register(email, "secret", "nick").status, 400);
    }
    for (const std::string& log : {gateway_->Log(), user_->Log()}) {
        EXPECT_EQ(log.find("libprotobuf"), std::string::npos) << log;
        EXPECT_EQ(log.find("invalid byte sequence"), std::string::npos) << log;
        EXPECT_EQ(log.find("database error"), std::string::npos) << log;
    }
}

// Issue 5 §6: the database pool has a connection for every thread that uses it, so a login storm
// of 64 connections is answered (201, 401, 404 or 429), never 503 "pool exhausted" nor 500.
TEST_F(AccountsE2E, ALoginStormOf64ConnectionsIsNever503) {
    std::string email = Unique("storm");
    ASSERT_EQ(Register(email, "right-pass", "S").status, 201);
    std::atomic<int> bad{0};
    std::string last_bad;
    std::mutex mu;
    std::vector<std::thread> storm;
    for (int i = 0; i < 64; ++i) {
        storm.emplace_back([&, i] {
            std::string ip = "198.51.100." + std::to_string(i + 1);
            for (int k = 0; k < 6; ++k) {
                auto r = k % 2 == 0 ? LoginFrom(email, "wrong-" + std::to_string(k), ip)
                                    : LoginFrom(Unique("nobody"), "x", ip);
                if (r.status >= 500) {
                    bad.fetch_add(1);
                    std::lock_guard lock(mu);
                    last_bad = std::to_string(r.status) + " " + r.body;
                }
            }
        });
    }
    for (auto& t : storm) {
        t.join();
    }
    EXPECT_EQ(bad.load(), 0) << last_bad;
    EXPECT_EQ(LoginFrom(email, "right-pass", "198.51.100.200").status, 201);
}

TEST_F(AccountsE2E, FailedLoginsAreThrottled) {
    std::string email = Unique("throttled");
    ASSERT_EQ(Register(email, "right-pass", "T").status, 201);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(Login(email, "wrong").status, 401);
    }
    auto locked = Login(email, "right-pass");
    EXPECT_EQ(locked.status, 429);
    EXPECT_EQ(locked.Json().at("message").as_string(), "TOO_MANY_LOGIN_ATTEMPTS");
}

// Issue 5 §3: an attacker's failures at one address lock that address out of the account, never
// the owner at another address.
TEST_F(AccountsE2E, FiftyFailuresFromOneAddressDoNotLockTheOwnerOutAtAnother) {
    std::string email = Unique("owner");
    ASSERT_EQ(Register(email, "right-pass", "O").status, 201);
    for (int i = 0; i < 50; ++i) {
        int status = LoginFrom(email, "wrong", "198.51.100.1").status;
        EXPECT_TRUE(status == 401 || status == 429) << status;
    }
    auto attacker = LoginFrom(email, "right-pass", "198.51.100.1");
    EXPECT_EQ(attacker.status, 429);
    EXPECT_EQ(attacker.Json().at("message").as_string(), "TOO_MANY_LOGIN_ATTEMPTS");
    auto owner = LoginFrom(email, "right-pass", "198.51.100.2");
    EXPECT_EQ(owner.status, 201) << owner.body;
}

// `victim@x\0junk` reached the victim's account (PostgreSQL stops at the NUL) and a Kelvin-sign
// variant could fold onto it; invalid UTF-8 made PostgreSQL fail (500). All are 400 now.
TEST_F(AccountsE2E, LoginEmailsThatPostgresWouldCutOrFoldAre400) {
    std::string email = Unique("kelvin");
    ASSERT_EQ(Register(email, "right-pass", "K").status, 201);
    std::string kelvin = "\xE2\x84\xAA" + email.substr(1);
    for (const std::string& variant :
         {email + std::string("\0junk", 5), kelvin, email + "\xff", email + "\n"}) {
        auto r = LoginFrom(variant, "right-pass", "198.51.100.20");
        EXPECT_EQ(r.status, 400) << ::testing::PrintToString(variant) << r.body;
        if (r.status == 400) {
            EXPECT_EQ(r.Json().at("message").as_string(), "INVALID_EMAIL");
        }
    }
    EXPECT_EQ(LoginFrom(email, "right-pass", "198.51.100.20").status, 201);
}

// One address (an office behind NAT) spraying cheap failures at unknown accounts: the people who
// have signed in from there keep getting in.
TEST_F(AccountsE2E, AnAddressSprayingFailuresDoesNotLockOutItsKnownUsers) {
    std::string email = Unique("office");
    ASSERT_EQ(Register(email, "right-pass", "Office").status, 201);
    ASSERT_EQ(LoginFrom(email, "right-pass", "198.51.100.30").status, 201);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(LoginFrom(Unique("ghost"), "x", "198.51.100.30").status, 404);
    }
    EXPECT_EQ(LoginFrom(Unique("ghost"), "x", "198.51.100.30").status, 429);
    auto known = LoginFrom(email, "right-pass", "198.51.100.30");
    EXPECT_EQ(known.status, 201) << known.body;
}

TEST_F(AccountsE2E, RegistrationIsRateLimitedPerAddress) {
    for (int i = 0; i < 50; ++i) {
        ASSERT_EQ(Register(Unique("bulk"), "secret", "B", "198.51.100.40").status, 201) << i;
    }
    auto refused = Register(Unique("bulk"), "secret", "B", "198.51.100.40");
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.Json().at("message").as_string(), "TOO_MANY_REGISTRATION_ATTEMPTS");
    EXPECT_EQ(Register(Unique("bulk"), "secret", "B", "198.51.100.41").status, 201);
}

TEST_F(AccountsE2E, NicknamesWithControlCharactersAre400NotTruncated) {
    std::string email = Unique("nul");
    auto r = Register(email, "secret", std::string("Bob\0Evil", 8));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Json().at("message").as_string(), "INVALID_NICKNAME");
    EXPECT_EQ(Register(email, "secret", "Bob\x1b[2J").status, 400);
    EXPECT_EQ(Login(email, "secret").status, 404);  // nothing was written
}

TEST_F(AccountsE2E, UserServiceDownIs503AndHungIs504) {
    auto down =
        Call(verb::post, "/auth/login", {{"Authorization", Basic("a@b.co:x")}}, "", orphan_port_);
    EXPECT_EQ(down.status, 503) << down.body;
    EXPECT_EQ(down.Json().at("message").as_string(), "USER_SERVICE_UNAVAILABLE");
    EXPECT_EQ(Call(verb::get, "/readyz", {}, "", orphan_port_).status, 503);
    auto hung = Call(verb::get, "/user/me", {{"Authorization", "Bearer x.y.z"}}, "", stuck_port_);
    EXPECT_EQ(hung.status, 504) << hung.body;
    EXPECT_EQ(hung.Json().at("message").as_string(), "USER_SERVICE_TIMEOUT");
}

// A direct gRPC call to the user service, as anyone who reaches its port could make it.
grpc::Status CallGetUsers(
    uint16_t port, const std::map<std::string, std::string>& metadata, int* total = nullptr) {
    auto stub = ::user::UserService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    for (const auto& [k, v] : metadata) {
        ctx.AddMetadata(k, v);
    }
    ::user::GetUsersRequest req;
    req.set_page(1);
    req.set_limit(10);
    ::user::GetUsersResponse resp;
    grpc::Status s = stub->GetUsers(&ctx, req, &resp);
    if (total != nullptr) {
        *total = resp.totalcount();
    }
    return s;
}

// Issue 5, section 4: without the secret, /user/all's admin check cannot be bypassed on port 4001.
TEST_F(AccountsE2E, OnlyCallersWithTheServiceSecretReachTheUserService) {
    EXPECT_EQ(CallGetUsers(user_port_, {}).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(
        CallGetUsers(user_port_, {{"x-service-token", "e2e-service-secret-0123456788"}})
            .error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
    int total = 0;
    EXPECT_EQ(
        CallGetUsers(user_port_, {{"x-service-token", kServiceSecret}}, &total).error_code(),
        grpc::StatusCode::OK);
    EXPECT_GE(total, 1);  // the bootstrapped admin at least

    // The health service stays open for readiness probes, and the gateway still gets through.
    auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(user_port_), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    EXPECT_TRUE(health->Check(&ctx, req, &resp).ok());
    EXPECT_EQ(Call(verb::get, "/readyz").status, 200);
    EXPECT_EQ(Login(kAdminEmail, kAdminPassword).status, 201);

    // A gateway with the wrong secret is refused; its clients see the service as unavailable,
    // not their own credentials as wrong.
    uint16_t port = testkit::FreePort();
    testkit::ChildProcess wrong(
        HATONGSU_GATEWAY_BIN,
        {{"GATEWAY_HTTP_PORT", std::to_string(port)},
         {"USER_GRPC_URL", "127.0.0.1:" + std::to_string(user_port_)},
         {"HATONGSU_SERVICE_SECRET", "not-the-service-secret-at-all"},
         {"LOG_FORMAT", "text"}},
        ::testing::TempDir() + "/" + db_name_ + "-wrong-secret.log");
    ASSERT_TRUE(wrong.WaitForPort(port)) << wrong.Log();
    auto refused = testkit::HttpCall(
        port, verb::post, "/auth/login",
        {{"Authorization", Basic(std::string(kAdminEmail) + ":" + kAdminPassword)}});
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.Json().at("message").as_string(), "USER_SERVICE_UNAVAILABLE");
    EXPECT_EQ(wrong.Stop(), 0) << wrong.Log();
    EXPECT_THAT(wrong.Log(), ::testing::HasSubstr("HATONGSU_SERVICE_SECRET"));
}

// An open user service (loopback, no secret) answers, but does not believe a caller's
// x-client-ip: failures sent with ever new addresses still count against the real peer.
TEST(ServiceAuthE2E, AnUnauthenticatedCallersClientAddressIsIgnored) {
    std::string db = CreateDatabase("e2e_open_");
    std::string dir = ::testing::TempDir() + "/" + db;
    std::filesystem::create_directories(dir);
    const char* base =
        std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): test setup
    uint16_t user_port = testkit::FreePort();
    testkit::ChildProcess user(
        HATONGSU_USER_BIN,
        {{"USER_GRPC_ADDR", "127.0.0.1:" + std::to_string(user_port)},
         {"USER_PG_URL", std::string(base) + "/" + db},
         {"ACCESS_TOKEN_SECRET", "a"},
         {"REFRESH_TOKEN_SECRET", "r"},
         {"USER_ARGON2_OPSLIMIT", "1"},
         {"USER_ARGON2_MEMLIMIT_KIB", "64"},
         {"USER_LOGIN_MAX_FAILURES_PER_IP", "3"},
         {"HATONGSU_ADMIN_EMAIL", kAdminEmail},
         {"HATONGSU_ADMIN_PASSWORD", kAdminPassword},
         {"LOG_FORMAT", "text"}},
        dir + "/user.log");
    ASSERT_TRUE(user.WaitForPort(user_port)) << user.Log();
    EXPECT_TRUE(CallGetUsers(user_port, {}).ok());  // open on loopback

    auto stub = ::user::AuthService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(user_port), grpc::InsecureChannelCredentials()));
    auto login = [&](int i) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        ctx.AddMetadata("x-client-ip", "198.51.100." + std::to_string(i));
        ::user::LoginUserRequest req;
        req.set_credentials(Basic("nobody-" + std::to_string(i) + "@example.com:whatever"));
        ::user::LoginUserResponse resp;
        return stub->LoginUser(&ctx, req, &resp).error_code();
    };
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(login(i), grpc::StatusCode::NOT_FOUND);
    }
    // Had the forged addresses been believed, each would have one failure and this would be 404.
    EXPECT_EQ(login(3), grpc::StatusCode::RESOURCE_EXHAUSTED);

    EXPECT_EQ(user.Stop(), 0) << user.Log();
    DropDatabase(db);
    std::filesystem::remove_all(dir);
}

TEST(ServiceAuthE2E, AUserServiceOnAPublicAddressWithoutSecretOrMutualTlsRefusesToStart) {
    std::string dir = ::testing::TempDir() + "/e2e-refuse-" + core::RandomToken(6);
    std::filesystem::create_directories(dir);
    uint16_t port = testkit::FreePort();
    testkit::ChildProcess user(
        HATONGSU_USER_BIN,
        {{"USER_GRPC_ADDR", "0.0.0.0:" + std::to_string(port)},
         {"USER_PG_URL", "postgresql://127.0.0.1:1/none"},
         {"ACCESS_TOKEN_SECRET", "a"},
         {"REFRESH_TOKEN_SECRET", "r"},
         {"LOG_FORMAT", "text"}},
        dir + "/user.log");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (user.Running() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(user.Stop(), 2) << user.Log();  // a configuration error
    EXPECT_THAT(user.Log(), ::testing::HasSubstr("HATONGSU_SERVICE_SECRET"));
    std::filesystem::remove_all(dir);
}

// The user service behind mutual TLS with a private CA, and gateways with and without a client
// certificate (weak point 8: gRPC between services need not be plaintext).
TEST(GrpcMutualTlsE2E, OnlyAGatewayWithAClientCertificateGetsThrough) {
    std::string db = CreateDatabase("e2e_tls_");
    std::string dir = ::testing::TempDir() + "/" + db;
    std::filesystem::create_directories(dir);
    auto pki = testkit::WriteTestPki(dir);
    const char* base =
        std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): test setup
    uint16_t user_port = testkit::FreePort();
    testkit::ChildProcess user(
        HATONGSU_USER_BIN,
        {{"USER_GRPC_ADDR", "127.0.0.1:" + std::to_string(user_port)},
         {"USER_PG_URL", std::string(base) + "/" + db},
         {"ACCESS_TOKEN_SECRET", "a"},
         {"REFRESH_TOKEN_SECRET", "r"},
         {"USER_ARGON2_OPSLIMIT", "1"},
         {"USER_ARGON2_MEMLIMIT_KIB", "64"},
         {"HATONGSU_ADMIN_EMAIL", kAdminEmail},
         {"HATONGSU_ADMIN_PASSWORD", kAdminPassword},
         {"USER_GRPC_TLS_CERT_FILE", pki.server_cert},
         {"USER_GRPC_TLS_KEY_FILE", pki.server_key},
         {"USER_GRPC_TLS_CLIENT_CA_FILE", pki.ca_cert},
         {"LOG_FORMAT", "text"}},
        dir + "/user.log");
    ASSERT_TRUE(user.WaitForPort(user_port)) << user.Log();
    auto gateway = [&](std::map<std::string, std::string> env, const std::string& log) {
        uint16_t port = testkit::FreePort();
        env["GATEWAY_HTTP_PORT"] = std::to_string(port);
        env["USER_GRPC_URL"] = "localhost:" + std::to_string(user_port);
        env["GATEWAY_GRPC_TIMEOUT_MS"] = "3000";
        env["LOG_FORMAT"] = "text";
        auto process =
            std::make_unique<testkit::ChildProcess>(HATONGSU_GATEWAY_BIN, env, dir + "/" + log);
        EXPECT_TRUE(process->WaitForPort(port)) << process->Log();
        return std::make_pair(std::move(process), port);
    };
    auto [trusted, trusted_port] = gateway(
        {{"GATEWAY_GRPC_CA_FILE", pki.ca_cert},
         {"GATEWAY_GRPC_TLS_CERT_FILE", pki.client_cert},
         {"GATEWAY_GRPC_TLS_KEY_FILE", pki.client_key}},
        "trusted.log");
    auto [anonymous, anonymous_port] =
        gateway({{"GATEWAY_GRPC_CA_FILE", pki.ca_cert}}, "anonymous.log");
    auto [plain, plain_port] = gateway({}, "plain.log");

    EXPECT_EQ(testkit::HttpCall(trusted_port, verb::get, "/readyz").status, 200) << trusted->Log();
    auto login = testkit::HttpCall(
        trusted_port, verb::post, "/auth/login",
        {{"Authorization", Basic(std::string(kAdminEmail) + ":" + kAdminPassword)}});
    EXPECT_EQ(login.status, 201) << login.body;
    EXPECT_EQ(testkit::HttpCall(anonymous_port, verb::get, "/readyz").status, 503);
    EXPECT_EQ(testkit::HttpCall(plain_port, verb::get, "/readyz").status, 503);

    for (auto* p : {trusted.get(), anonymous.get(), plain.get(), &user}) {
        EXPECT_EQ(p->Stop(), 0) << p->Log();
    }
    DropDatabase(db);
    std::filesystem::remove_all(dir);
}

// Issue 5 §3: one address looping valid logins on many connections must not starve another
// address's logins (150 connections, as the issue puts it). Hashing is made slow (32 MiB Argon2id
// on two threads) and the gateway's deadline short, so a first-come-first-served queue behind the
// flood would answer the other address 504; the fair queue serves it within a round and refuses the
// flood's excess with 429.
TEST(HashingFairnessE2E, AValidLoginFloodFromOneAddressLeavesAnotherAddressLoggingIn) {
    std::string db = CreateDatabase("e2e_fair_");
    std::string dir = ::testing::TempDir() + "/" + db;
    std::filesystem::create_directories(dir);
    const char* base =
        std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): test setup
    uint16_t user_port = testkit::FreePort();
    testkit::ChildProcess user(
        HATONGSU_USER_BIN,
        {{"USER_GRPC_ADDR", "127.0.0.1:" + std::to_string(user_port)},
         {"USER_PG_URL", std::string(base) + "/" + db},
         {"ACCESS_TOKEN_SECRET", "a"},
         {"REFRESH_TOKEN_SECRET", "r"},
         {"USER_ARGON2_OPSLIMIT", "2"},
         {"USER_ARGON2_MEMLIMIT_KIB", "32768"},
         {"USER_HASH_THREADS", "2"},
         {"USER_MAX_QUEUED_HASHES", "256"},
         {"HATONGSU_SERVICE_SECRET", kServiceSecret},  // so the client address is believed
         {"HATONGSU_ADMIN_EMAIL", kAdminEmail},
         {"HATONGSU_ADMIN_PASSWORD", kAdminPassword},
         {"LOG_FORMAT", "text"}},
        dir + "/user.log");
    ASSERT_TRUE(user.WaitForPort(user_port)) << user.Log();
    uint16_t port = testkit::FreePort();
    testkit::ChildProcess gateway(
        HATONGSU_GATEWAY_BIN,
        {{"GATEWAY_HTTP_PORT", std::to_string(port)},
         {"USER_GRPC_URL", "127.0.0.1:" + std::to_string(user_port)},
         {"GATEWAY_GRPC_TIMEOUT_MS", "4000"},
         {"GATEWAY_TRUST_FORWARDED_FOR", "true"},
         {"GATEWAY_LOGIN_RATE_PER_S", "0"},  // the user service's own limits are under test
         {"HATONGSU_SERVICE_SECRET", kServiceSecret},
         {"LOG_FORMAT", "text"}},
        dir + "/gateway.log");
    ASSERT_TRUE(gateway.WaitForPort(port)) << gateway.Log();
    auto login = [port](const std::string& who, const std::string& ip) {
        return testkit::HttpCall(
            port, verb::post, "/auth/login",
            {{"Authorization", Basic(who + "@example.com:pass-1234")}, {"X-Forwarded-For", ip}});
    };
    for (const char* who : {"flooder", "bystander"}) {
        auto r = testkit::HttpCall(
            port, verb::post, "/auth/register",
            {{"Authorization", Basic(std::string(who) + "@example.com:pass-1234")},
             {"Content-Type", "application/json"}},
            R"({"nickname":"x"})");
        ASSERT_EQ(r.status, 201) << r.body;
    }

    std::atomic<bool> stop{false};
    std::atomic<int> flood_ok{0};
    std::atomic<int> flood_busy{0};
    std::atomic<int> flood_other{0};
    std::atomic<int> flood_504{0};
    std::vector<std::thread> flood;
    for (int i = 0; i < 150; ++i) {
        flood.emplace_back([&] {
            while (!stop.load()) {
                try {
                    int status = login("flooder", "203.0.113.66").status;
                    (status == 201   ? flood_ok
                     : status == 429 ? flood_busy
                     : status == 504 ? flood_504
                                     : flood_other)
                        .fetch_add(1);
                } catch (const std::exception&) {
                    // a refused or reset connection is part of a flood
                }
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));  // let the queue fill up
    std::vector<int> bystander;
    for (int i = 0; i < 5; ++i) {
        bystander.push_back(login("bystander", "203.0.113.7").status);
    }
    stop.store(true);
    for (auto& t : flood) {
        t.join();
    }
    EXPECT_THAT(bystander, ::testing::Each(201)) << user.Log();
    std::cout << "flood: " << flood_ok.load() << " logged in, " << flood_busy.load()
              << " refused (429), " << flood_504.load() << " timed out (504), "
              << flood_other.load() << " other\n";
    EXPECT_GT(flood_ok.load(), 0);    // the flood got its share...
    EXPECT_GT(flood_busy.load(), 0);  // ...and its excess was refused at once
    // Accepted then timed out (504) only when the queue's estimate was off: rare, not the rule.
    EXPECT_LE(flood_504.load() * 10, flood_ok.load() + flood_busy.load());
    EXPECT_EQ(flood_other.load(), 0);

    EXPECT_EQ(gateway.Stop(), 0) << gateway.Log();
    EXPECT_EQ(user.Stop(), 0) << user.Log();
    DropDatabase(db);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hatongsu
