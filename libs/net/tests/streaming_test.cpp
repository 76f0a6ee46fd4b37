// Routing on the head: guards before any body byte is read, per-route limits, streamed bodies,
// 100-continue, file replies (ETag, Range, 304, HEAD) and prefix routes, on a real server.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "hatongsu/net/server.h"
#include "hatongsu/testkit/raw_http.h"

namespace hatongsu::net {
namespace {

using namespace std::chrono_literals;
using testkit::HttpCall;
using testkit::RawHttp;

constexpr std::string_view kFileBytes = "0123456789abcdefghij";  // 20 bytes

std::uint32_t Fnv1a(std::string_view bytes, std::uint32_t hash = 2166136261u) {
    for (char c : bytes) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
    }
    return hash;
}

// A key as the stores accept it: [A-Za-z0-9._-] segments, none empty, "." or "..".
bool IsSafeKey(std::string_view key) {
    std::size_t start = 0;
    while (start <= key.size()) {
        std::size_t slash = std::min(key.find('/', start), key.size());
        std::string_view seg = key.substr(start, slash - start);
        if (seg.empty() || seg == "." || seg == "..") {
            return false;
        }
        for (char c : seg) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        start = slash + 1;
    }
    return true;
}

class Streaming : public ::testing::Test {
protected:
    void SetUp() override {
        // One file per process: ctest runs the tests of this fixture in parallel processes.
        file_path_ =
            ::testing::TempDir() + "/streaming_test_data-" + std::to_string(::getpid()) + ".bin";
        std::ofstream(file_path_, std::ios::binary) << kFileBytes;

        Guard guard = [this](Context& ctx) -> boost::asio::awaitable<std::optional<Response>> {
            ++guard_calls_;
            auto it = ctx.request.find(http::field::authorization);
            if (it == ctx.request.end() || it->value() != "Bearer good") {
                co_return JsonError(ctx, http::status::unauthorized, "MISSING_TOKEN");
            }
            ctx.guard_data = std::string("alice");
            co_return std::nullopt;
        };
        Handler count = [this](Context& ctx) -> boost::asio::awaitable<Response> {
            ++handler_calls_;
            std::uint64_t total = 0;
            std::uint64_t pieces = 0;
            std::uint64_t max_piece = 0;
            std::uint32_t hash = 2166136261u;
            for (;;) {
                auto piece = co_await ctx.body->ReadSome(64 * 1024);
                if (!piece.ok()) {
                    co_return ErrorFromStatus(ctx, piece.status());
                }
                if (piece->empty()) {
                    break;
                }
                total += piece->size();
                ++pieces;
                max_piece = std::max<std::uint64_t>(max_piece, piece->size());
                hash = Fnv1a(*piece, hash);
            }
            std::string who = ctx.guard_data.has_value()
                                  ? std::any_cast<std::string>(ctx.guard_data)
                                  : std::string("nobody");
            co_return Json(
                ctx, http::status::ok,
                {{"bytes", total},
                 {"pieces", pieces},
                 {"max_piece", max_piece},
                 {"hash", hash},
                 {"who", who}});
        };
        router_.Add(
            http::verb::post, "/small", [](Context& ctx) -> boost::asio::awaitable<Response> {
                co_return Json(ctx, http::status::ok, {{"bytes", ctx.request.body().size()}});
            });
        router_.Add(
            http::verb::post, "/upload", count,
            RouteOptions{
                .guard = guard, .body = BodyMode::kStreamed, .body_limit = 8 * 1024 * 1024});
        router_.Add(http::verb::post, "/open", count, RouteOptions{.body = BodyMode::kStreamed});
        router_.Add(
            http::verb::post, "/capped", count,
            RouteOptions{.body = BodyMode::kStreamed, .body_limit = 1024 * 1024});
        router_.Add(
            http::verb::post, "/guarded-small",
            [this](Context& ctx) -> boost::asio::awaitable<Response> {
                ++handler_calls_;
                co_return Json(ctx, http::status::ok, {{"bytes", ctx.request.body().size()}});
            },
            RouteOptions{.guard = guard});
        router_.Add(
            http::verb::post, "/early",
            [this](Context& ctx) -> boost::asio::awaitable<Response> {
                ++handler_calls_;
                co_return Text(ctx, http::status::ok, "not reading that");
            },
            RouteOptions{.body = BodyMode::kStreamed});
        router_.AddPrefix(
            http::verb::get, "/echo-raw/", [](Context& ctx) -> boost::asio::awaitable<Response> {
                co_return Json(
                    ctx, http::status::ok, {{"rest", ctx.params.at("*")}, {"path", ctx.path}});
            });
        router_.AddPrefix(
            http::verb::get, "/files/", [this](Context& ctx) -> boost::asio::awaitable<Reply> {
                const std::string& key = ctx.params.at("*");
                if (!IsSafeKey(key)) {
                    co_return Reply{JsonError(ctx, http::status::bad_request, "INVALID_KEY")};
                }
                if (key != "data.bin") {
                    co_return Reply{JsonError(ctx, http::status::not_found, "NOT_FOUND")};
                }
                auto file = OpenFile(file_path_);
                if (!file.ok()) {
                    co_return Reply{ErrorFromStatus(ctx, file.status())};
                }
                file->content_type = "image/jpeg";
                file->cache_control = "public, max-age=31536000, immutable";
                co_return Reply{std::move(*file)};
            });
        ServerOptions options;
        options.body_limit = 1024;
        options.cors_origins = {"https://app.example"};
        server_ = std::make_unique<Server>(io_, options, router_);
        server_->Start();
        for (int i = 0; i < 2; ++i) {
            threads_.emplace_back([this] { io_.run(); });
        }
    }
    void TearDown() override {
        server_->Abort();
        io_.stop();
        for (auto& t : threads_) {
            t.join();
        }
        std::remove(file_path_.c_str());
    }
    uint16_t Port() const { return server_->Port(); }

    std::string file_path_;
    std::atomic<int> guard_calls_{0};
    std::atomic<int> handler_calls_{0};
    boost::asio::io_context io_;
    Router router_;
    std::unique_ptr<Server> server_;
    std::vector<std::thread> threads_;
};

std::string Head(std::string_view method_path, std::vector<std::string> headers) {
    std::string out(method_path);
    out += " HTTP/1.1\r\nHost: x\r\n";
    for (const auto& h : headers) {
        out += h + "\r\n";
    }
    return out + "\r\n";
}

TEST_F(Streaming, AGuardRefusesBeforeAnyBodyByteIsReadAndTheConnectionCloses) {
    RawHttp c(Port());
    // A 10 MB upload announced; only 64 KiB of it sent before the answer is awaited.
    c.Send(Head("POST /upload", {"Content-Length: 10485760"}));
    c.Send(std::string(64 * 1024, 'x'));
    auto r = c.Read();
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.Json().at("message").as_string(), "MISSING_TOKEN");
    EXPECT_EQ(r.Header("connection"), "close");
    EXPECT_EQ(r.Header("access-control-allow-origin"), "https://app.example");
    EXPECT_FALSE(r.Header("x-request-id").empty());
    EXPECT_TRUE(c.ClosedByPeer(3s));
    // The rest of the body is not read: the connection is gone, a large write fails.
    EXPECT_FALSE(c.Send(std::string(32 * 1024 * 1024, 'x')));
    EXPECT_EQ(guard_calls_.load(), 1);
    EXPECT_EQ(handler_calls_.load(), 0);
}

TEST_F(Streaming, AGuardOnABufferedRouteAlsoRunsBeforeTheBody) {
    RawHttp c(Port());
    c.Send(Head("POST /guarded-small", {"Content-Length: 100"}));  // and no body at all
    auto r = c.Read();
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(handler_calls_.load(), 0);
    // A passing guard: the body is read and the handler runs.
    auto ok = HttpCall(
        Port(), http::verb::post, "/guarded-small", {{"Authorization", "Bearer good"}},
        std::string(100, 'y'));
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.Json().at("bytes").as_int64(), 100);
}

TEST_F(Streaming, ContinueIsSentOnlyAfterAPassingGuardWhenTheBodyIsRead) {
    {
        RawHttp c(Port());
        c.Send(Head(
            "POST /upload",
            {"Content-Length: 5", "Expect: 100-continue", "Authorization: Bearer good"}));
        auto interim = c.Read();
        EXPECT_EQ(interim.status, 100);
        c.Send("hello");
        auto r = c.Read();
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.Json().at("bytes").as_int64(), 5);
        EXPECT_EQ(r.Json().at("who").as_string(), "alice");
        EXPECT_EQ(r.Json().at("hash").as_int64(), static_cast<std::int64_t>(Fnv1a("hello")));
    }
    {
        RawHttp c(Port());
        c.Send(Head("POST /upload", {"Content-Length: 5", "Expect: 100-continue"}));
        auto r = c.Read();
        EXPECT_EQ(r.status, 401);  // the final answer, never a 100 first
        EXPECT_EQ(r.Header("connection"), "close");
    }
    {
        // A handler that answers without reading: no 100 either, and the connection closes.
        RawHttp c(Port());
        c.Send(Head("POST /early", {"Content-Length: 5", "Expect: 100-continue"}));
        auto r = c.Read();
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "not reading that");
        EXPECT_EQ(r.Header("connection"), "close");
        EXPECT_TRUE(c.ClosedByPeer(3s));
    }
    {
        // A buffered route with Expect: 100 first, then the answer.
        RawHttp c(Port());
        c.Send(Head("POST /small", {"Content-Length: 3", "Expect: 100-continue"}));
        EXPECT_EQ(c.Read().status, 100);
        c.Send("abc");
        auto r = c.Read();
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.Json().at("bytes").as_int64(), 3);
    }
}

TEST_F(Streaming, EachRouteHasItsOwnLimit) {
    auto small = HttpCall(Port(), http::verb::post, "/small", {}, std::string(2000, 'a'));
    EXPECT_EQ(small.status, 413);
    EXPECT_EQ(small.Json().at("message").as_string(), "request entity too large");

    std::string big(5 * 1024 * 1024 + 7, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>(i * 31 % 251);
    }
    auto r = HttpCall(Port(), http::verb::post, "/upload", {{"Authorization", "Bearer good"}}, big);
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = r.Json().as_object();
    EXPECT_EQ(body.at("bytes").as_int64(), static_cast<std::int64_t>(big.size()));
    EXPECT_EQ(body.at("hash").as_int64(), static_cast<std::int64_t>(Fnv1a(big)));
    EXPECT_LE(body.at("max_piece").as_int64(), 64 * 1024);  // never more than one piece held
    EXPECT_GE(body.at("pieces").as_int64(), static_cast<std::int64_t>(big.size() / (64 * 1024)));
}

TEST_F(Streaming, AStreamedRoutesLimitIsEnforcedUpFrontAndMidStream) {
    // Content-Length over the limit: 413 before the handler runs.
    RawHttp announced(Port());
    announced.Send(Head("POST /capped", {"Content-Length: 2097152"}));
    auto r = announced.Read();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.Header("connection"), "close");
    EXPECT_EQ(handler_calls_.load(), 0);

    // Chunked: the limit is met in the middle of the body; the server answers 413 itself.
    RawHttp chunked(Port());
    chunked.Send(Head("POST /capped", {"Transfer-Encoding: chunked"}));
    std::string chunk = "10000\r\n" + std::string(0x10000, 'z') + "\r\n";
    bool sent = true;
    for (int i = 0; i < 32 && sent; ++i) {  // 2 MiB offered; the server stops after 1 MiB
        sent = chunked.Send(chunk);
    }
    auto mid = chunked.Read();
    EXPECT_EQ(mid.status, 413);
    EXPECT_EQ(mid.Json().at("message").as_string(), "request entity too large");
    EXPECT_EQ(handler_calls_.load(), 1);
}

TEST_F(Streaming, AChunkedUploadStreamsAndKeepsTheConnection) {
    RawHttp c(Port());
    std::string data;
    std::string wire;
    for (int i = 0; i < 40; ++i) {
        std::string piece(1000 + i * 997, static_cast<char>('a' + i % 26));
        data += piece;
        char size[32];
        std::snprintf(size, sizeof(size), "%zx;ext=%d\r\n", piece.size(), i);
        wire += size + piece + "\r\n";
    }
    wire += "0\r\nX-Trailer: 1\r\n\r\n";
    c.Send(Head("POST /open", {"Transfer-Encoding: chunked"}) + wire);
    auto r = c.Read();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json().at("bytes").as_int64(), static_cast<std::int64_t>(data.size()));
    EXPECT_EQ(r.Json().at("hash").as_int64(), static_cast<std::int64_t>(Fnv1a(data)));
    EXPECT_EQ(r.Header("connection"), "");
    // The whole body was read: the same connection serves the next request.
    c.Send(Head("POST /open", {"Content-Length: 2"}) + "ok");
    auto again = c.Read();
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.Json().at("bytes").as_int64(), 2);
}

TEST_F(Streaming, FilesAreServedWithValidatorsAndCaching) {
    auto r = HttpCall(Port(), http::verb::get, "/files/data.bin", {{"X-Request-Id", "req-9"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, kFileBytes);
    EXPECT_EQ(r.Header("content-type"), "image/jpeg");
    EXPECT_EQ(r.Header("content-length"), "20");
    EXPECT_EQ(r.Header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(r.Header("accept-ranges"), "bytes");
    EXPECT_EQ(r.Header("access-control-allow-origin"), "https://app.example");
    EXPECT_EQ(r.Header("x-request-id"), "req-9");
    EXPECT_TRUE(r.Header("last-modified").ends_with(" GMT"));
    std::string etag = r.Header("etag");
    ASSERT_GE(etag.size(), 3u);
    EXPECT_EQ(etag.front(), '"');
    EXPECT_EQ(etag.back(), '"');

    for (const std::string& condition : {etag, std::string("*"), "\"other\", W/" + etag}) {
        auto cached =
            HttpCall(Port(), http::verb::get, "/files/data.bin", {{"If-None-Match", condition}});
        EXPECT_EQ(cached.status, 304) << condition;
        EXPECT_EQ(cached.body, "");
        EXPECT_EQ(cached.Header("etag"), etag);
    }
    auto changed =
        HttpCall(Port(), http::verb::get, "/files/data.bin", {{"If-None-Match", "\"other\""}});
    EXPECT_EQ(changed.status, 200);

    auto head = HttpCall(Port(), http::verb::head, "/files/data.bin");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(head.Header("content-length"), "20");
    EXPECT_EQ(head.Header("etag"), etag);
}

TEST_F(Streaming, RangesOfEveryFormAndTheUnsatisfiableOne) {
    struct Case {
        std::string range;
        int status;
        std::string body;
        std::string content_range;
    };
    for (const Case& c : std::vector<Case>{
             {"bytes=2-5", 206, "2345", "bytes 2-5/20"},
             {"bytes=15-", 206, "fghij", "bytes 15-19/20"},
             {"bytes=-4", 206, "ghij", "bytes 16-19/20"},
             {"bytes=18-1000", 206, "ij", "bytes 18-19/20"},
             {"bytes=-100", 206, std::string(kFileBytes), "bytes 0-19/20"},
             {"bytes=0-1,4-5", 200, std::string(kFileBytes), ""},  // several: the whole file
             {"bytes=5-2", 200, std::string(kFileBytes), ""},      // invalid: ignored
             {"items=1-2", 200, std::string(kFileBytes), ""},
         }) {
        auto r = HttpCall(Port(), http::verb::get, "/files/data.bin", {{"Range", c.range}});
        EXPECT_EQ(r.status, c.status) << c.range;
        EXPECT_EQ(r.body, c.body) << c.range;
        EXPECT_EQ(r.Header("content-range"), c.content_range) << c.range;
    }
    for (std::string range : {"bytes=20-", "bytes=100-200", "bytes=-0"}) {
        auto r = HttpCall(Port(), http::verb::get, "/files/data.bin", {{"Range", range}});
        EXPECT_EQ(r.status, 416) << range;
        EXPECT_EQ(r.Header("content-range"), "bytes */20") << range;
    }
    std::string etag = HttpCall(Port(), http::verb::get, "/files/data.bin").Header("etag");
    auto same = HttpCall(
        Port(), http::verb::get, "/files/data.bin", {{"Range", "bytes=0-0"}, {"If-Range", etag}});
    EXPECT_EQ(same.status, 206);
    EXPECT_EQ(same.body, "0");
    auto stale = HttpCall(
        Port(), http::verb::get, "/files/data.bin",
        {{"Range", "bytes=0-0"}, {"If-Range", "\"stale\""}});
    EXPECT_EQ(stale.status, 200);
    EXPECT_EQ(stale.body, kFileBytes);
}

TEST_F(Streaming, PrefixRoutesSeeThePathUndecoded) {
    RawHttp c(Port());
    c.Send("GET /echo-raw/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.Read();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.Json().at("rest").as_string(), "a%2Fb");
    c.Send("GET /Echo-Raw/../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
    auto dots = c.Read();
    ASSERT_EQ(dots.status, 200);
    EXPECT_EQ(dots.Json().at("rest").as_string(), "../etc/passwd");
    // The handler's own check refuses such keys, so they never reach a store.
    for (std::string target :
         {"/files/..%2Fdata.bin", "/files/../data.bin", "/files/a//b", "/files/%2e%2e/x"}) {
        c.Send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
        auto refused = c.Read();
        EXPECT_EQ(refused.status, 400) << target;
    }
    // Decoding never makes a prefix match: "/files%2Fdata.bin" is not under "/files/".
    c.Send("GET /files%2Fdata.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(c.Read().status, 404);
    c.Send("GET /files/ HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(c.Read().status, 404);
}

TEST(FilePlan, ConditionalAndRangeRules) {
    Request req{http::verb::get, "/f", 11};
    const std::string etag = "\"abc\"";
    const std::string date = "Sun, 06 Nov 1994 08:49:37 GMT";
    EXPECT_EQ(PlanFileResponse(req, 10, etag, date).status, http::status::ok);
    req.set(http::field::range, "bytes=-3");
    FilePlan tail = PlanFileResponse(req, 10, etag, date);
    EXPECT_EQ(tail.status, http::status::partial_content);
    EXPECT_EQ(tail.offset, 7u);
    EXPECT_EQ(tail.length, 3u);
    req.set(http::field::if_range, date);
    EXPECT_EQ(PlanFileResponse(req, 10, etag, date).status, http::status::partial_content);
    req.set(http::field::if_range, "W/\"abc\"");  // If-Range needs a strong match
    EXPECT_EQ(PlanFileResponse(req, 10, etag, date).status, http::status::ok);
    req.erase(http::field::if_range);
    req.set(http::field::range, "bytes=0-");
    EXPECT_EQ(PlanFileResponse(req, 0, etag, date).status, http::status::range_not_satisfiable);
    req.method(http::verb::head);  // Range applies to GET only
    EXPECT_EQ(PlanFileResponse(req, 10, etag, date).status, http::status::ok);
    EXPECT_TRUE(IfNoneMatchMatches("W/\"abc\"", etag));
    EXPECT_TRUE(IfNoneMatchMatches(" \"x\" ,\"abc\"", etag));
    EXPECT_FALSE(IfNoneMatchMatches("\"abcd\"", etag));
    EXPECT_FALSE(IfNoneMatchMatches("abc", etag));
    EXPECT_EQ(
        HttpDate(std::chrono::system_clock::time_point(std::chrono::seconds(784111777))), date);
}

}  // namespace
}  // namespace hatongsu::net
