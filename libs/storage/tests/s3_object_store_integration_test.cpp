// S3ObjectStore against a real S3-compatible server (s3rver, started by scripts/test.sh, which
// sets HATONGSU_S3_ENDPOINT and the credentials). Each test gets its own bucket.
#include <cstdlib>
#include <fstream>

#include <curl/curl.h>
#include <dirent.h>
#include <sys/stat.h>

#include "hatongsu/core/random.h"
#include "hatongsu/storage/s3_object_store.h"
#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/process.h"
#include "hatongsu/testkit/test_pki.h"
#include "libs/storage/tests/object_store_contract.h"

namespace hatongsu::storage {
namespace {

using ::hatongsu::testkit::IsOk;
using ::hatongsu::testkit::IsOkAndHolds;
using ::hatongsu::testkit::StatusIs;
using ::testing::ElementsAre;

std::string EnvOr(const char* name, const char* fallback) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): test setup
    return value == nullptr ? fallback : value;
}

std::string UniqueBucket() {
    std::string bucket = "t-";
    for (unsigned char c : core::RandomBytes(8)) {
        bucket += "0123456789abcdef"[c >> 4];
        bucket += "0123456789abcdef"[c & 0x0f];
    }
    return bucket;
}

S3Options ServerOptions() {
    return {
        .endpoint = EnvOr("HATONGSU_S3_ENDPOINT", ""),
        .bucket = UniqueBucket(),
        .access_key = EnvOr("HATONGSU_S3_ACCESS_KEY", "S3RVER"),
        .secret_key = EnvOr("HATONGSU_S3_SECRET_KEY", "S3RVER"),
    };
}

std::string SkipUnlessServer() {
    return EnvOr("HATONGSU_S3_ENDPOINT", "").empty()
               ? "HATONGSU_S3_ENDPOINT is not set (scripts/test.sh starts s3rver and sets it)"
               : "";
}

// Files in a folder (the writers' spool folder here): the spool files must never outlive a call.
std::size_t CountEntries(const std::filesystem::path& folder) {
    std::error_code ec;
    std::size_t count = 0;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
         it.increment(ec)) {
        ++count;
    }
    return count;
}

class S3Backend {
public:
    static std::string SkipReason() { return SkipUnlessServer(); }
    S3Backend() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "hatongsu-spool-XXXXXX").string();
        spool_ = ::mkdtemp(pattern.data());
        S3Options options = ServerOptions();
        options.spool_dir = spool_;
        store_ = std::make_unique<S3ObjectStore>(options, clock_);
    }
    S3Backend(const S3Backend&) = delete;
    S3Backend& operator=(const S3Backend&) = delete;
    ~S3Backend() {
        std::error_code ec;
        std::filesystem::remove_all(spool_, ec);
    }
    absl::Status Ready() { return store_->EnsureBucket(); }
    ObjectStore& Store() { return *store_; }
    std::size_t LeftoverFiles() { return CountEntries(spool_); }

private:
    testkit::FakeClock clock_;
    std::filesystem::path spool_;
    std::unique_ptr<S3ObjectStore> store_;
};

}  // namespace

namespace contract {
INSTANTIATE_TYPED_TEST_SUITE_P(S3, ObjectStoreContract, S3Backend);
}  // namespace contract

namespace {

// A plain GET with no credentials, as a browser does it: (HTTP status, body).
std::pair<long, std::string> BrowserGet(const std::string& url) {
    std::pair<long, std::string> result{0, ""};
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* user) {
            static_cast<std::string*>(user)->append(data, size * n);
            return size * n;
        });
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.second);
    if (curl_easy_perform(curl) == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.first);
    }
    curl_easy_cleanup(curl);
    return result;
}

class S3ObjectStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::string reason = SkipUnlessServer(); !reason.empty()) {
            GTEST_SKIP() << reason;
        }
    }
};

TEST_F(S3ObjectStoreTest, EnsureBucketCreatesTheBucketOnceAndIsIdempotent) {
    testkit::FakeClock clock;
    S3ObjectStore store(ServerOptions(), clock);
    EXPECT_THAT(store.List("", 10), StatusIs(absl::StatusCode::kNotFound));  // no bucket yet
    ASSERT_THAT(store.EnsureBucket(), IsOk());
    ASSERT_THAT(store.EnsureBucket(), IsOk());
    EXPECT_THAT(store.List("", 10), IsOkAndHolds(::testing::IsEmpty()));
}

TEST_F(S3ObjectStoreTest, StatReportsTheServersTypeAndModificationTime) {
    testkit::FakeClock clock;
    S3ObjectStore store(ServerOptions(), clock);
    ASSERT_THAT(store.EnsureBucket(), IsOk());
    ASSERT_THAT(store.Put("typed.bin", "abc", {.content_type = "image/webp"}), IsOk());
    ASSERT_THAT(store.Put("untyped.bin", "abc", {.content_type = ""}), IsOk());
    auto typed = store.Stat("typed.bin");
    ASSERT_THAT(typed, IsOk());
    EXPECT_EQ(typed->content_type, "image/webp");
    EXPECT_GT(
        typed->modified, std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 50)));
    EXPECT_THAT(
        store.Stat("untyped.bin"),
        IsOkAndHolds(::testing::Field(&ObjectStat::content_type, "application/octet-stream")));
}

TEST_F(S3ObjectStoreTest, ABrowserCanLoadThePresignedUrlAllDay) {
    // Signed at the start of the current day (real time: the server checks expiry against it).
    core::SystemClock clock;
    S3ObjectStore store(ServerOptions(), clock);
    ASSERT_THAT(store.EnsureBucket(), IsOk());
    ASSERT_THAT(store.Put("img/p.jpg", "jpeg bytes", {.content_type = "image/jpeg"}), IsOk());
    std::string url = store.PublicUrl("img/p.jpg");
    EXPECT_EQ(BrowserGet(url), std::make_pair(200L, std::string("jpeg bytes")));
    // s3rver checks the access key and the expiry of a presigned URL, not its signature (nor does
    // it keep anonymous requests out); the signature itself is checked against AWS's documented
    // example in sigv4_test.cpp.
}

TEST_F(S3ObjectStoreTest, AnExpiredPresignedUrlIsRefused) {
    testkit::FakeClock long_ago(
        std::chrono::system_clock::time_point(std::chrono::seconds(1'600'000'000)));
    S3Options options = ServerOptions();
    S3ObjectStore store(options, long_ago);
    ASSERT_THAT(store.EnsureBucket(), IsOk());
    ASSERT_THAT(store.Put("old.jpg", "x", {}), IsOk());
    EXPECT_EQ(BrowserGet(store.PublicUrl("old.jpg")).first, 403L);
}

TEST_F(S3ObjectStoreTest, UnknownCredentialsArePermissionDenied) {
    testkit::FakeClock clock;
    S3Options options = ServerOptions();
    S3ObjectStore good(options, clock);
    ASSERT_THAT(good.EnsureBucket(), IsOk());
    options.access_key = "NOT-A-KEY";
    S3ObjectStore bad(options, clock);
    EXPECT_THAT(bad.Get("a.jpg", 10), StatusIs(absl::StatusCode::kPermissionDenied));
    EXPECT_THAT(bad.Put("a.jpg", "x", {}), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(S3ObjectStoreTest, ListPagesThroughMoreKeysThanOnePage) {
    testkit::FakeClock clock;
    S3Options options = ServerOptions();
    options.list_page_keys = 2;
    S3ObjectStore store(options, clock);
    ASSERT_THAT(store.EnsureBucket(), IsOk());
    for (const char* key : {"many/e", "many/a", "many/d", "many/c", "many/b", "other/x"}) {
        ASSERT_THAT(store.Put(key, "", {}), IsOk());
    }
    EXPECT_THAT(
        store.List("many/", 100),
        IsOkAndHolds(ElementsAre("many/a", "many/b", "many/c", "many/d", "many/e")));
    EXPECT_THAT(store.List("many/", 3), IsOkAndHolds(ElementsAre("many/a", "many/b", "many/c")));
    EXPECT_THAT(store.List("", 100), IsOkAndHolds(::testing::SizeIs(6)));
}

// A second s3rver, serving HTTPS with a certificate from a throw-away private CA.
class TlsS3rver {
public:
    TlsS3rver() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "hatongsu-s3tls-XXXXXX").string();
        dir_ = ::mkdtemp(pattern.data());
        pki_ = testkit::WriteTestPki(dir_.string());
        port_ = testkit::FreePort();
        std::filesystem::create_directories(dir_ / "data");
        // ChildProcess runs a program without arguments: a script carries them.
        const std::filesystem::path script = dir_ / "run.sh";
        std::ofstream(script) << "#!/bin/sh\nexec node --openssl-legacy-provider "
                              << HATONGSU_S3RVER_JS << " -d " << (dir_ / "data").string()
                              << " -a 127.0.0.1 -p " << port_ << " --key " << pki_.server_key
                              << " --cert " << pki_.server_cert << " --silent\n";
        ::chmod(script.c_str(), 0755);
        process_ = std::make_unique<testkit::ChildProcess>(
            script.string(),
            std::map<std::string, std::string>{{"PATH", EnvOr("PATH", "/usr/bin:/bin")}},
            (dir_ / "s3rver.log").string());
        ready_ = process_->WaitForPort(port_, std::chrono::seconds(30));
    }
    TlsS3rver(const TlsS3rver&) = delete;
    TlsS3rver& operator=(const TlsS3rver&) = delete;
    ~TlsS3rver() {
        process_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    bool Ready() const { return ready_; }
    std::string Endpoint() const { return "https://localhost:" + std::to_string(port_); }
    const std::string& CaFile() const { return pki_.ca_cert; }

private:
    std::filesystem::path dir_;
    testkit::TestPki pki_;
    uint16_t port_ = 0;
    std::unique_ptr<testkit::ChildProcess> process_;
    bool ready_ = false;
};

TEST_F(S3ObjectStoreTest, VerifiesTheServersCertificate) {
    TlsS3rver server;
    ASSERT_TRUE(server.Ready()) << "the TLS s3rver did not start";
    testkit::FakeClock clock;
    S3Options options = ServerOptions();
    options.endpoint = server.Endpoint();

    // Signed by a CA the system does not trust: refused, never sent anything to.
    S3ObjectStore untrusting(options, clock);
    absl::Status refused = untrusting.EnsureBucket();
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("certificate"));

    options.ca_file = server.CaFile();
    S3ObjectStore trusting(options, clock);
    ASSERT_THAT(trusting.EnsureBucket(), IsOk());
    ASSERT_THAT(trusting.Put("tls.jpg", "over tls", {}), IsOk());
    EXPECT_THAT(trusting.Get("tls.jpg", 100), IsOkAndHolds(std::string("over tls")));
}

}  // namespace
}  // namespace hatongsu::storage
