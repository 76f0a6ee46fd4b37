// S3ObjectStore without an S3 server: presigned public URLs, the checks that run before any request
// (nothing listens behind the first endpoint, so a request would fail as Unavailable), and what it
// sends and makes of answers, against a loopback socket that plays back a canned HTTP response.
#include "hatongsu/storage/s3_object_store.h"

#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hatongsu/storage/sigv4.h"
#include "hatongsu/testkit/fake_clock.h"
#include "libs/storage/tests/object_store_contract.h"

namespace hatongsu::storage {
namespace {

using ::hatongsu::testkit::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

// 2027-01-15T00:00:00Z
constexpr auto kDayStart = std::chrono::system_clock::time_point(1'799'971'200s);

S3Options Unreachable() {
    return {
        .endpoint = "http://127.0.0.1:1",  // nothing listens on port 1
        .bucket = "album",
        .access_key = "AKIDEXAMPLE",
        .secret_key = "secret-value",
        .connect_timeout = 2000ms,
    };
}

TEST(S3ObjectStore, PresignedUrlsAreStableForADay) {
    testkit::FakeClock clock(kDayStart + 1s);
    S3ObjectStore store(Unreachable(), clock);
    const std::string morning = store.PublicUrl("ab/cd.jpg");
    EXPECT_THAT(morning, StartsWith("http://127.0.0.1:1/album/ab/cd.jpg?X-Amz-Algorithm="));
    EXPECT_THAT(morning, HasSubstr("&X-Amz-Date=20270115T000000Z&X-Amz-Expires=604800&"));
    EXPECT_THAT(morning, HasSubstr("X-Amz-Credential=AKIDEXAMPLE%2F20270115%2Fus-east-1%2Fs3"));
    EXPECT_THAT(morning, ::testing::Not(HasSubstr("secret-value")));

    clock.Advance(24h - 2s);  // 23:59:59 the same day
    EXPECT_EQ(store.PublicUrl("ab/cd.jpg"), morning);
    clock.Advance(1s);  // the next day: a new signing date
    const std::string next_day = store.PublicUrl("ab/cd.jpg");
    EXPECT_NE(next_day, morning);
    EXPECT_THAT(next_day, HasSubstr("&X-Amz-Date=20270116T000000Z&"));
    EXPECT_NE(store.PublicUrl("ab/ce.jpg"), next_day);
}

TEST(S3ObjectStore, PresignedUrlsMatchTheSignerForTheEndpointsHost) {
    testkit::FakeClock clock(kDayStart + 5h);
    S3Options options = Unreachable();
    options.endpoint = "https://s3.example.com:443/";
    options.region = "eu-west-1";
    S3ObjectStore store(options, clock);
    EXPECT_EQ(
        store.PublicUrl("k.jpg"),
        PresignUrl({
            .scheme = "https",
            .host = "s3.example.com",  // the default port is not part of Host
            .path = "/album/k.jpg",
            .region = "eu-west-1",
            .access_key = "AKIDEXAMPLE",
            .secret_key = "secret-value",
            .signing_time = kDayStart,
            .expires = kPresignExpiry,
        }));
}

TEST(S3ObjectStore, APublicBaseUrlGivesPlainUrls) {
    testkit::FakeClock clock;
    S3Options options = Unreachable();
    options.public_url = "https://cdn.example.com/media/";
    S3ObjectStore store(options, clock);
    EXPECT_EQ(store.PublicUrl("ab/cd.jpg"), "https://cdn.example.com/media/album/ab/cd.jpg");
}

TEST(S3ObjectStore, BadKeysAreRefusedBeforeAnyRequest) {
    testkit::FakeClock clock;
    S3ObjectStore store(Unreachable(), clock);
    for (const std::string& key : contract::BadKeys()) {
        SCOPED_TRACE(::testing::PrintToString(key));
        EXPECT_THAT(store.Create(key, {}), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store.Put(key, "x", {}), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store.Get(key, 10), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store.Stat(key), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store.Delete(key), StatusIs(absl::StatusCode::kInvalidArgument));
    }
    EXPECT_THAT(store.List("../", 10), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        store.Put("ok.jpg", "x", {.content_type = "image/jpeg\r\nX-Evil: 1"}),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(S3ObjectStore, AnUnreachableServerIsUnavailable) {
    testkit::FakeClock clock;
    S3ObjectStore store(Unreachable(), clock);
    EXPECT_THAT(store.EnsureBucket(), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(store.Get("a.jpg", 10), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(store.Put("a.jpg", "x", {}), StatusIs(absl::StatusCode::kUnavailable));
    auto writer = store.Create("a.jpg", {});
    ASSERT_THAT(writer, testkit::IsOk());
    ASSERT_THAT((*writer)->Write("bytes"), testkit::IsOk());
    absl::Status commit = (*writer)->Commit();
    EXPECT_THAT(commit, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(std::string(commit.message()), ::testing::Not(HasSubstr("secret-value")));
}

// Answers every connection with one canned HTTP response (then closes it) and keeps the last
// request it read. A loopback port of its own; stopped and joined by the destructor.
class CannedServer {
public:
    explicit CannedServer(std::string response) : response_(std::move(response)) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
            ::listen(listen_fd_, 8) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ADD_FAILURE() << "cannot listen on loopback";
        }
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { Serve(); });
    }
    CannedServer(const CannedServer&) = delete;
    CannedServer& operator=(const CannedServer&) = delete;
    ~CannedServer() {
        ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
        thread_.join();
        ::close(listen_fd_);
    }

    std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string LastRequest() {
        std::lock_guard lock(mu_);
        return last_request_;
    }

private:
    void Serve() {
        while (true) {
            int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) {
                return;
            }
            std::string request = ReadRequest(fd);
            {
                std::lock_guard lock(mu_);
                last_request_ = request;
            }
            std::string_view out = response_;
            while (!out.empty()) {
                ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
                if (n <= 0) {
                    break;
                }
                out.remove_prefix(static_cast<std::size_t>(n));
            }
            ::close(fd);
        }
    }

    // The head, then as many body bytes as Content-Length says.
    static std::string ReadRequest(int fd) {
        std::string request;
        char buf[4096];
        std::size_t want = std::string::npos;
        while (request.size() < want) {
            ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
            if (n <= 0) {
                break;
            }
            request.append(buf, static_cast<std::size_t>(n));
            std::size_t head_end = request.find("\r\n\r\n");
            if (want == std::string::npos && head_end != std::string::npos) {
                std::size_t length = 0;
                if (std::size_t at = request.find("Content-Length: "); at < head_end) {
                    length = std::stoul(request.substr(at + 16));
                }
                want = head_end + 4 + length;
                // libcurl asks before sending a PUT body (and waits a second for an answer).
                if (request.find("Expect: 100-continue") < head_end) {
                    constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                    ::send(fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
                }
            }
        }
        return request;
    }

    const std::string response_;
    int listen_fd_ = -1;
    uint16_t port_ = 0;
    std::thread thread_;
    std::mutex mu_;
    std::string last_request_;  // guarded by mu_
};

std::string Answer(std::string_view status_line, std::string_view body) {
    return "HTTP/1.1 " + std::string(status_line) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
           std::string(body);
}

S3Options At(const CannedServer& server) {
    S3Options options = Unreachable();
    options.endpoint = server.Endpoint();
    return options;
}

TEST(S3ObjectStore, MapsHttpAnswersToStatusCodes) {
    struct Case {
        const char* status_line;
        absl::StatusCode code;
    };
    for (Case c : {
             Case{"500 Internal Server Error", absl::StatusCode::kUnavailable},
             Case{"503 Slow Down", absl::StatusCode::kUnavailable},
             Case{"429 Too Many Requests", absl::StatusCode::kUnavailable},
             Case{"404 Not Found", absl::StatusCode::kNotFound},
             Case{"403 Forbidden", absl::StatusCode::kPermissionDenied},
             Case{"400 Bad Request", absl::StatusCode::kInternal},
             Case{"301 Moved Permanently", absl::StatusCode::kInternal},  // never followed
         }) {
        SCOPED_TRACE(c.status_line);
        CannedServer server(Answer(c.status_line, "<Error><Code>SomeCode</Code></Error>"));
        testkit::FakeClock clock;
        S3ObjectStore store(At(server), clock);
        absl::StatusOr<std::string> got = store.Get("a.jpg", 100);
        EXPECT_THAT(got, StatusIs(c.code));
        EXPECT_THAT(std::string(got.status().message()), HasSubstr("SomeCode"));
        EXPECT_THAT(store.Put("a.jpg", "x", {}), StatusIs(c.code));
    }
}

TEST(S3ObjectStore, DeleteTreatsNotFoundAsDone) {
    CannedServer server(Answer("404 Not Found", "<Error><Code>NoSuchKey</Code></Error>"));
    testkit::FakeClock clock;
    S3ObjectStore store(At(server), clock);
    EXPECT_THAT(store.Delete("gone.jpg"), testkit::IsOk());
    EXPECT_THAT(server.LastRequest(), StartsWith("DELETE /album/gone.jpg HTTP/1.1\r\n"));
}

TEST(S3ObjectStore, KeepsOnlySafeCharactersOfAServersErrorCode) {
    CannedServer server(Answer("500 Oops", "<Error><Code>Bad\r\nX-Injected: 1<b></Code></Error>"));
    testkit::FakeClock clock;
    S3ObjectStore store(At(server), clock);
    absl::StatusOr<std::string> got = store.Get("a.jpg", 100);
    EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_EQ(got.status().message(), "S3 GET object: HTTP 500 BadXInjected1b");
}

TEST(S3ObjectStore, RefusesADeclaredOversizedObjectBeforeItsBody) {
    // Declares 10 MB and sends three bytes: waiting for the rest would hang until the stall
    // timeout.
    CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\nabc");
    testkit::FakeClock clock;
    S3ObjectStore store(At(server), clock);
    EXPECT_THAT(store.Get("big.jpg", 1000), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(S3ObjectStore, CutsAnUndeclaredOversizedBody) {
    std::string chunk(600, 'x');
    CannedServer server(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n258\r\n" +
        chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
    testkit::FakeClock clock;
    S3ObjectStore store(At(server), clock);
    EXPECT_THAT(store.Get("big.jpg", 1000), StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(store.Get("big.jpg", 1200), testkit::IsOkAndHolds(chunk + chunk));
}

TEST(S3ObjectStore, SignsEveryRequestWithThePayloadHashAndNoSecret) {
    CannedServer server(Answer("200 OK", ""));
    testkit::FakeClock clock;
    S3ObjectStore store(At(server), clock);
    ASSERT_THAT(store.Put("k.jpg", "hello", {.content_type = "image/jpeg"}), testkit::IsOk());
    std::string put = server.LastRequest();
    EXPECT_THAT(put, StartsWith("PUT /album/k.jpg HTTP/1.1\r\n"));
    EXPECT_THAT(put, HasSubstr("Content-Type: image/jpeg\r\n"));
    EXPECT_THAT(put, HasSubstr("Content-Length: 5\r\n"));
    EXPECT_THAT(
        put, HasSubstr("x-amz-content-sha256: "
                       "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\r\n"));
    EXPECT_THAT(put, HasSubstr("Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    EXPECT_THAT(put, HasSubstr("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date"));
    EXPECT_THAT(put, ::testing::EndsWith("\r\n\r\nhello"));
    EXPECT_THAT(put, ::testing::Not(HasSubstr("secret-value")));

    // A streamed writer sends the same request.
    auto writer = store.Create("k.jpg", {.content_type = "image/jpeg"});
    ASSERT_THAT(writer, testkit::IsOk());
    ASSERT_THAT((*writer)->Write("hel"), testkit::IsOk());
    ASSERT_THAT((*writer)->Write("lo"), testkit::IsOk());
    ASSERT_THAT((*writer)->Commit(), testkit::IsOk());
    std::string streamed = server.LastRequest();
    EXPECT_THAT(streamed, HasSubstr("x-amz-content-sha256: 2cf24dba5fb0a30e"));
    EXPECT_THAT(streamed, ::testing::EndsWith("\r\n\r\nhello"));

    EXPECT_THAT(store.Get("k.jpg", 10), testkit::IsOkAndHolds(std::string()));
    EXPECT_THAT(
        server.LastRequest(),
        HasSubstr("x-amz-content-sha256: "
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n"));
}

TEST(S3ObjectStore, ListSendsACanonicalQuery) {
    // libcurl signs the query as written, so it must already be sorted and fully encoded.
    CannedServer server(Answer(
        "200 OK",
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
        "<Contents><Key>a/b&amp;c.jpg</Key></Contents><Contents><Key>a/d.jpg</Key></Contents>"
        "</ListBucketResult>"));
    testkit::FakeClock clock;
    S3ObjectStore store(At(server), clock);
    EXPECT_THAT(
        store.List("a/", 10),
        testkit::IsOkAndHolds(::testing::ElementsAre("a/b&c.jpg", "a/d.jpg")));
    EXPECT_THAT(
        server.LastRequest(),
        StartsWith("GET /album?list-type=2&max-keys=10&prefix=a%2F HTTP/1.1"));
}

}  // namespace
}  // namespace hatongsu::storage
