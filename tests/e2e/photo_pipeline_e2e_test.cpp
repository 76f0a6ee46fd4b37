// The photo pipeline end to end, as a client sees it: the real user, album and gateway binaries,
// the real RabbitMQ (a queue of this run's own) and PostgreSQL, and a temporary folder as the disk
// object store. Uploads go through POST /file/uploads, progress through GET /file/uploads/{id},
// results through the album routes and the bytes through GET /files/{key}; nothing is checked
// behind the gateway's back except the store's folder (staging must end up empty, deleted objects
// must be gone from disk).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pqxx/pqxx>
#include <sys/socket.h>
#include <unistd.h>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/metrics.h"
#include "hatongsu/testkit/openapi.h"
#include "hatongsu/testkit/process.h"
#include "hatongsu/testkit/raw_http.h"
#include "services/album/adapter/vips/tests/test_images.h"
#include "services/album/adapter/vips/vips_image_processor.h"
#include "services/gateway/adapter/http/openapi_document.h"

namespace hatongsu {
namespace {

// docs/openapi.yaml: every response the gateway gives these tests must match it.
const testkit::OpenApiDocument& OpenApi() {
    static const testkit::OpenApiDocument doc(gateway::http::OpenApiJson());
    return doc;
}

namespace fs = std::filesystem;
namespace ti = album::test_images;
using boost::beast::http::verb;
using testkit::HttpResult;

constexpr const char* kAccessSecret = "e2e-photo-access-secret";
constexpr const char* kAdminEmail = "photo-admin@hatongsu.test";
constexpr const char* kAdminPassword = "admin-pass-1";
constexpr const char* kServiceSecret = "e2e-photo-service-secret-0123456789";
constexpr const char* kBoundary = "----hatongsu-e2e-boundary-7MA4YWxkTrZu0gW";

const char* Env(const char* name) {
    return std::getenv(name);  // NOLINT(concurrency-mt-unsafe): test setup, no threads yet
}

std::string CreateDatabase(const std::string& prefix) {
    std::string name = prefix + core::AsciiLower(core::RandomUuidV4().substr(0, 8));
    pqxx::connection admin(std::string(Env("HATONGSU_PG_BASE")) + "/postgres");
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + name);
    return name;
}

void DropDatabase(const std::string& name) {
    const char* base = Env("HATONGSU_PG_BASE");
    if (base != nullptr && !name.empty()) {
        pqxx::connection admin(std::string(base) + "/postgres");
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
}

std::string UrlEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0x0f]);
        }
    }
    return out;
}

// One multipart part: a file when `filename` is set, a text field otherwise.
struct Part {
    std::string name;
    std::optional<std::string> filename;
    std::string data;
};

Part File(const std::string& filename, std::string bytes) {
    return {"files", filename, std::move(bytes)};
}
Part Stamp(int64_t ms) {
    return {"lastModifiedTimestamps[]", std::nullopt, std::to_string(ms)};
}

std::string Multipart(const std::vector<Part>& parts) {
    std::string body;
    for (const Part& p : parts) {
        body += std::string("--") + kBoundary + "\r\n";
        body += "Content-Disposition: form-data; name=\"" + p.name + "\"";
        if (p.filename) {
            body += "; filename=\"" + *p.filename + "\"\r\nContent-Type: image/jpeg";
        }
        body += "\r\n\r\n" + p.data + "\r\n";
    }
    body += std::string("--") + kBoundary + "--\r\n";
    return body;
}

// A distinct small JPEG for each `n` (so no two are duplicates), with EXIF when asked.
std::string Jpeg(int n, const std::optional<ti::ExifFields>& exif = std::nullopt) {
    ti::Picture picture;
    picture.fill = {(n * 37) % 256, (n * 91 + 17) % 256, (n * 53 + 101) % 256};
    picture.mark = {255 - picture.fill.r, 255 - picture.fill.g, 255 - picture.fill.b};
    picture.corner = 1 + n % 16;
    std::string jpeg = ti::EncodeJpeg(picture);
    return exif ? ti::WithExifApp1(jpeg, ti::ExifTiff(*exif)) : jpeg;
}

ti::ExifFields Original(const std::string& exif_date) {
    ti::ExifFields f;
    f.date_time_original = exif_date;
    return f;
}

// Regular files anywhere under `dir` (none when it does not exist).
std::vector<std::string> FilesUnder(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        return out;
    }
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            out.push_back(it->path().string());
        }
    }
    return out;
}

// Polls `done` every 50 ms, at most `tries` times; true once it holds. Bounds a wait, times
// nothing.
template <typename F>
bool Eventually(F done, int tries = 1200) {
    for (int i = 0; i < tries; ++i) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
}

// Sends `request` on one thread while reading the answer on this one, so an answer the server
// gives before it has read the whole body (413) is seen even if the server then closes.
// Returns the status (0 if none came) and the raw answer.
std::pair<int, std::string> SendWhileReading(uint16_t port, const std::string& request) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return {0, ""};
    }
    std::thread writer([fd, &request] {
        std::size_t off = 0;
        while (off < request.size()) {
            ssize_t n = ::send(
                fd, request.data() + off, std::min<std::size_t>(64 * 1024, request.size() - off),
                MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            off += static_cast<std::size_t>(n);
        }
    });
    std::string in;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        in.append(buf, static_cast<std::size_t>(n));
        auto head_end = in.find("\r\n\r\n");
        if (head_end == std::string::npos) {
            continue;
        }
        std::string head = core::AsciiLower(in.substr(0, head_end));
        auto cl = head.find("content-length:");
        std::size_t length =
            cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 15, head.find('\r', cl)));
        if (in.size() >= head_end + 4 + length) {
            break;
        }
    }
    ::shutdown(fd, SHUT_RDWR);  // wakes the writer if it is still blocked
    writer.join();
    ::close(fd);
    int status = 0;
    if (in.size() >= 12 && in.starts_with("HTTP/1.1 ")) {
        status = std::stoi(in.substr(9, 3));
    }
    return {status, in};
}

// One database pair, one store folder, one queue and one set of processes per suite run.
class PhotoPipelineE2E : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const char* base = Env("HATONGSU_PG_BASE");
        const char* amqp = Env("HATONGSU_AMQP_URL");
        ASSERT_NE(base, nullptr) << "HATONGSU_PG_BASE is not set: run through scripts/test.sh";
        ASSERT_NE(amqp, nullptr) << "HATONGSU_AMQP_URL is not set: run through scripts/test.sh";
        ASSERT_TRUE(album::InitVips("photo_pipeline_e2e_tests"));
        user_db_ = CreateDatabase("e2e_photo_user_");
        album_db_ = CreateDatabase("e2e_photo_album_");
        dir_ = ::testing::TempDir() + "/" + album_db_;
        store_ = dir_ + "/objects";
        fs::create_directories(store_);
        queue_ = "e2e_album_" + album_db_;

        uint16_t user_port = testkit::FreePort();
        user_admin_port_ = testkit::FreePort();
        user_ = new testkit::ChildProcess(
            HATONGSU_USER_BIN,
            {{"USER_GRPC_ADDR", "127.0.0.1:" + std::to_string(user_port)},
             {"USER_ADMIN_PORT", std::to_string(user_admin_port_)},
             {"USER_PG_URL", std::string(base) + "/" + user_db_},
             {"ACCESS_TOKEN_SECRET", kAccessSecret},
             {"REFRESH_TOKEN_SECRET", "e2e-photo-refresh-secret"},
             {"USER_ARGON2_OPSLIMIT", "1"},
             {"USER_ARGON2_MEMLIMIT_KIB", "64"},
             {"HATONGSU_ADMIN_EMAIL", kAdminEmail},
             {"HATONGSU_ADMIN_PASSWORD", kAdminPassword},
             {"HATONGSU_SERVICE_SECRET", kServiceSecret},
             {"LOG_FORMAT", "text"}},
            dir_ + "/user.log");
        ASSERT_TRUE(user_->WaitForPort(user_port)) << user_->Log();
        ASSERT_TRUE(user_->WaitForPort(user_admin_port_)) << user_->Log();
        user_address_ = "127.0.0.1:" + std::to_string(user_port);

        gateway_port_ = testkit::FreePort();
        base_url_ = "http://127.0.0.1:" + std::to_string(gateway_port_);
        uint16_t album_port = testkit::FreePort();
        album_address_ = "127.0.0.1:" + std::to_string(album_port);
        album_admin_port_ = testkit::FreePort();
        album_ = StartAlbum(album_address_, album_admin_port_, "album.log");
        ASSERT_TRUE(album_->WaitForPort(album_port)) << album_->Log();
        ASSERT_TRUE(album_->WaitForPort(album_admin_port_)) << album_->Log();

        gateway_admin_port_ = testkit::FreePort();
        gateway_ = StartGateway(
            gateway_port_, {{"GATEWAY_ADMIN_PORT", std::to_string(gateway_admin_port_)}},
            "gateway.log");
        ASSERT_TRUE(gateway_->WaitForPort(gateway_port_)) << gateway_->Log();
        ASSERT_TRUE(gateway_->WaitForPort(gateway_admin_port_)) << gateway_->Log();

        auto login = Login(kAdminEmail, kAdminPassword);
        ASSERT_EQ(login.status, 201) << login.body;
        admin_ = "Bearer " + std::string(login.Json().at("accessToken").as_string());
        std::string email = "viewer-" + core::AsciiLower(core::RandomToken(4)) + "@example.com";
        auto reg = Call(
            verb::post, "/auth/register",
            {{"Authorization", "Basic " + core::Base64Encode(email + ":viewer-pass-1")},
             {"Content-Type", "application/json"}},
            R"({"nickname":"viewer"})");
        ASSERT_EQ(reg.status, 201) << reg.body;
        auto user_login = Login(email, "viewer-pass-1");
        ASSERT_EQ(user_login.status, 201) << user_login.body;
        viewer_ = "Bearer " + std::string(user_login.Json().at("accessToken").as_string());
    }

    static void TearDownTestSuite() {
        for (auto* p : {gateway_, album_, user_}) {
            if (p != nullptr) {
                EXPECT_EQ(p->Stop(), 0) << "graceful shutdown on SIGTERM\n" << p->Log();
                delete p;
            }
        }
        gateway_ = album_ = user_ = nullptr;
        DropDatabase(user_db_);
        DropDatabase(album_db_);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // Every test starts with an empty album (the suite shares one set of processes): whatever
    // an earlier test left is deleted through the API, objects included.
    void SetUp() override {
        for (int round = 0; round < 50; ++round) {
            auto images = Album();
            if (images.empty()) {
                break;
            }
            boost::json::array ids;
            for (const auto& image : images) {
                ids.push_back(image.at("id"));
            }
            auto r = Call(
                verb::delete_, "/album",
                {{"Authorization", admin_}, {"Content-Type", "application/json"}},
                boost::json::serialize(boost::json::object{{"imageIds", ids}}));
            ASSERT_EQ(r.status, 200) << r.body;
        }
        ASSERT_THAT(Album(), ::testing::IsEmpty());
    }

    // An album service on `address` (gRPC) and `admin_port` (metrics) consuming this suite's
    // queue into its database and store.
    static testkit::ChildProcess* StartAlbum(
        const std::string& address, uint16_t admin_port, const std::string& log) {
        return new testkit::ChildProcess(
            HATONGSU_ALBUM_BIN,
            {{"ALBUM_GRPC_ADDR", address},
             {"ALBUM_ADMIN_PORT", std::to_string(admin_port)},
             {"ALBUM_PG_URL", std::string(Env("HATONGSU_PG_BASE")) + "/" + album_db_},
             {"ALBUM_AMQP_URL", Env("HATONGSU_AMQP_URL")},
             {"ALBUM_QUEUE", queue_},
             {"ALBUM_THREADS", "2"},
             {"ALBUM_DECODE_THREADS", "2"},
             {"STORAGE_DIR", store_},
             {"STORAGE_PUBLIC_URL", base_url_},
             {"HATONGSU_SERVICE_SECRET", kServiceSecret},
             {"LOG_FORMAT", "text"}},
            dir_ + "/" + log);
    }

    // A gateway on `port` wired to this suite's services, queue and store, plus `extra` settings.
    static testkit::ChildProcess* StartGateway(
        uint16_t port, const std::map<std::string, std::string>& extra, const std::string& log) {
        std::map<std::string, std::string> env{
            {"GATEWAY_HTTP_PORT", std::to_string(port)},
            {"GATEWAY_ALBUM_CACHE_MS", "0"},  // each test reads what it has just changed
            {"USER_GRPC_URL", user_address_},
            {"ALBUM_GRPC_URL", album_address_},
            {"GATEWAY_AMQP_URL", Env("HATONGSU_AMQP_URL")},
            {"GATEWAY_UPLOAD_QUEUE", queue_},
            {"STORAGE_DIR", store_},
            {"STORAGE_PUBLIC_URL", base_url_},
            {"GATEWAY_ACCOUNT_CACHE_MS", "0"},
            {"GATEWAY_LOGIN_RATE_PER_S", "0"},
            {"HATONGSU_SERVICE_SECRET", kServiceSecret},
            {"LOG_FORMAT", "text"}};
        for (const auto& [k, v] : extra) {
            env[k] = v;
        }
        return new testkit::ChildProcess(HATONGSU_GATEWAY_BIN, env, dir_ + "/" + log);
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
            {{"Authorization", "Basic " + core::Base64Encode(email + ":" + password)}});
    }
    static HttpResult Upload(
        const std::vector<Part>& parts, const std::string& token = admin_, uint16_t port = 0) {
        std::map<std::string, std::string> headers{
            {"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary}};
        if (!token.empty()) {
            headers["Authorization"] = token;
        }
        return Call(verb::post, "/file/uploads", headers, Multipart(parts), port);
    }
    static std::string UploadRequestHead(std::size_t content_length) {
        return std::string("POST /file/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
               "Authorization: " + admin_ + "\r\n" +
               "Content-Type: multipart/form-data; boundary=" + kBoundary + "\r\n" +
               "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
    }

    // Polls the batch until no file is queued or processing; returns its last state.
    static boost::json::object WaitForBatch(const std::string& batch_id) {
        boost::json::object last;
        Eventually([&] {
            auto r = Call(verb::get, "/file/uploads/" + batch_id, {{"Authorization", admin_}});
            if (r.status != 200) {
                return false;
            }
            last = r.Json().as_object();
            return last.at("finished").as_bool();
        });
        return last;
    }
    // Uploads and waits: the per-file states of the finished batch.
    static boost::json::array UploadAndWait(const std::vector<Part>& parts) {
        auto r = Upload(parts);
        EXPECT_EQ(r.status, 202) << r.body;
        if (r.status != 202) {
            return {};
        }
        std::string batch(r.Json().at("batchId").as_string());
        auto state = WaitForBatch(batch);
        EXPECT_TRUE(state.contains("finished") && state.at("finished").as_bool())
            << boost::json::serialize(state) << "\n"
            << album_->Log();
        return state.contains("files") ? state.at("files").as_array() : boost::json::array{};
    }
    // The image id of a file that ended done (empty, with a failure, otherwise).
    static std::string DoneId(const boost::json::value& file) {
        EXPECT_EQ(file.at("status").as_string(), "done") << boost::json::serialize(file);
        const auto* id = file.as_object().if_contains("imageId");
        return id != nullptr ? std::string(id->as_string()) : "";
    }

    static boost::json::array Album(const std::string& query = "limit=100") {
        auto r = Call(verb::get, "/album?" + query, {{"Authorization", admin_}});
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.Json().at("albumImages").as_array() : boost::json::array{};
    }
    static std::optional<boost::json::object> FindImage(const std::string& id) {
        for (const auto& image : Album()) {
            if (image.at("id").as_string() == id) {
                return image.as_object();
            }
        }
        return std::nullopt;
    }
    // "/files/..." from a URL the API handed out (which must point at this gateway).
    static std::string Target(const boost::json::value& url) {
        std::string text(url.as_string());
        EXPECT_TRUE(text.starts_with(base_url_ + "/files/")) << text;
        return text.starts_with(base_url_) ? text.substr(base_url_.size()) : text;
    }
    static std::vector<std::string> Staged() { return FilesUnder(fs::path(store_) / "staging"); }

    static inline std::string user_db_;
    static inline std::string album_db_;
    static inline std::string dir_;
    static inline std::string store_;
    static inline std::string queue_;
    static inline std::string base_url_;
    static inline std::string user_address_;
    static inline std::string album_address_;
    static inline std::string admin_;
    static inline std::string viewer_;
    static inline uint16_t gateway_port_ = 0;
    static inline uint16_t gateway_admin_port_ = 0;
    static inline uint16_t user_admin_port_ = 0;
    static inline uint16_t album_admin_port_ = 0;
    static inline testkit::ChildProcess* user_ = nullptr;
    static inline testkit::ChildProcess* album_ = nullptr;
    static inline testkit::ChildProcess* gateway_ = nullptr;
};

// --- The happy path -------------------------------------------------------------------------

TEST_F(PhotoPipelineE2E, ThreeJpegsAreStoredDatedAndServedWithCachingHeaders) {
    std::vector<std::string> bytes = {
        Jpeg(1, Original("2021:03:04 05:06:07")), Jpeg(2, Original("2020:01:02 03:04:05")),
        Jpeg(3, Original("2019:12:31 23:59:58"))};
    const std::vector<std::string> expected_dates = {
        "2021-03-04T05:06:07.000Z", "2020-01-02T03:04:05.000Z", "2019-12-31T23:59:58.000Z"};
    auto r = Upload(
        {File("a.jpg", bytes[0]), Stamp(1700000000001), File("b.jpg", bytes[1]),
         Stamp(1700000000002), File("c.jpg", bytes[2]), Stamp(1700000000003)});
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.Json().at("files").as_int64(), 3);
    std::string batch(r.Json().at("batchId").as_string());
    EXPECT_TRUE(core::IsUuid(batch));
    auto state = WaitForBatch(batch);
    ASSERT_TRUE(state.at("finished").as_bool()) << boost::json::serialize(state);
    EXPECT_EQ(state.at("counts").at("done").as_int64(), 3) << boost::json::serialize(state);
    const auto& files = state.at("files").as_array();
    ASSERT_EQ(files.size(), 3u);

    for (std::size_t i = 0; i < 3; ++i) {
        std::string id = DoneId(files[i]);
        ASSERT_TRUE(core::IsUuid(id)) << boost::json::serialize(files[i]);
        auto image = FindImage(id);
        ASSERT_TRUE(image) << id;
        EXPECT_EQ(
            image->at("filename").as_string(), std::string(1, static_cast<char>('a' + i)) + ".jpg");
        EXPECT_EQ(image->at("dateTimeOriginal").as_string(), expected_dates[i]);
        EXPECT_EQ(image->at("width").as_int64(), 64);
        EXPECT_EQ(image->at("height").as_int64(), 48);
        EXPECT_EQ(image->at("gallerySpotType").as_string(), "none");

        struct Served {
            const char* field;
            const char* content_type;
        };
        for (Served s :
             {Served{"path", "image/jpeg"}, Served{"thumbnailPath", "image/webp"},
              Served{"previewPath", "image/jpeg"}}) {
            std::string target = Target(image->at(s.field));
            auto got = Call(verb::get, target);
            ASSERT_EQ(got.status, 200) << s.field << " " << target << " " << got.body;
            EXPECT_EQ(got.Header("content-type"), s.content_type) << s.field;
            EXPECT_EQ(got.Header("cache-control"), "public, max-age=31536000, immutable");
            std::string etag = got.Header("etag");
            EXPECT_FALSE(etag.empty()) << s.field;
            EXPECT_GT(got.body.size(), 10u);
            if (std::string_view(s.field) == "path") {
                EXPECT_EQ(got.body, bytes[i]) << "the original is stored byte for byte";
            } else {
                auto decoded = ti::DecodeSize(got.body);
                EXPECT_GT(decoded.width, 0) << s.field;
            }
            auto range = Call(verb::get, target, {{"Range", "bytes=0-9"}});
            EXPECT_EQ(range.status, 206) << s.field;
            EXPECT_EQ(range.body, got.body.substr(0, 10)) << s.field;
            EXPECT_EQ(
                range.Header("content-range"), "bytes 0-9/" + std::to_string(got.body.size()));
            auto past_end = Call(verb::get, target, {{"Range", "bytes=99999999-"}});
            EXPECT_EQ(past_end.status, 416) << s.field;
            auto head = Call(verb::head, target);
            EXPECT_EQ(head.status, 200) << s.field;
            EXPECT_EQ(head.Header("content-length"), std::to_string(got.body.size()));
            EXPECT_TRUE(head.body.empty());
            // The 3D gallery loads these as WebGL textures from the web client's origin.
            auto cors = Call(verb::get, target, {{"Origin", "http://localhost:4000"}});
            EXPECT_EQ(cors.Header("access-control-allow-origin"), "http://localhost:4000");
            auto cached = Call(verb::get, target, {{"If-None-Match", etag}});
            EXPECT_EQ(cached.status, 304) << s.field;
            EXPECT_TRUE(cached.body.empty());
        }
    }
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

// --- Bad input ------------------------------------------------------------------------------

TEST_F(PhotoPipelineE2E, NonImageNamedJpgFailsAsNotAnImage) {
    auto files = UploadAndWait(
        {File("notes.jpg", "this is plain text, not a picture at all\n"), Stamp(1700000000000)});
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].at("status").as_string(), "failed");
    EXPECT_EQ(files[0].at("reason").as_string(), "NOT_AN_IMAGE");
    EXPECT_THAT(Album(), ::testing::IsEmpty());
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

TEST_F(PhotoPipelineE2E, TruncatedJpegFailsAsCorruptImage) {
    ti::Picture big;
    big.width = 640;
    big.height = 480;
    big.noise = true;
    std::string jpeg = ti::EncodeJpeg(big);
    auto files =
        UploadAndWait({File("cut.jpg", jpeg.substr(0, jpeg.size() / 2)), Stamp(1700000000000)});
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].at("status").as_string(), "failed") << boost::json::serialize(files[0]);
    EXPECT_EQ(files[0].at("reason").as_string(), "CORRUPT_IMAGE");
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

TEST_F(PhotoPipelineE2E, HugePngHeaderFailsOnThePixelLimit) {
    auto files =
        UploadAndWait({File("huge.png", ti::PngHeaderOnly(60000, 60000)), Stamp(1700000000000)});
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].at("status").as_string(), "failed");
    EXPECT_EQ(files[0].at("reason").as_string(), "TOO_MANY_PIXELS");
    EXPECT_TRUE(album_->Running());
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

TEST_F(PhotoPipelineE2E, ImageWithoutExifIsDatedByLastModifiedInUtc) {
    auto files = UploadAndWait({File("plain.jpg", Jpeg(4)), Stamp(1700000000123)});
    ASSERT_EQ(files.size(), 1u);
    auto image = FindImage(DoneId(files[0]));
    ASSERT_TRUE(image);
    EXPECT_EQ(image->at("dateTimeOriginal").as_string(), "2023-11-14T22:13:20.123Z");
}

TEST_F(PhotoPipelineE2E, GarbageExifDatesFallBackToLastModified) {
    ti::ExifFields garbage;
    garbage.date_time = "not a date at all!!";
    garbage.date_time_original = "2024:13:45 99:99:99";
    garbage.date_time_digitized = "0000:00:00 00:00:00";
    auto files = UploadAndWait({File("garbage.jpg", Jpeg(5, garbage)), Stamp(1600000000000)});
    ASSERT_EQ(files.size(), 1u);
    auto image = FindImage(DoneId(files[0]));
    ASSERT_TRUE(image);
    EXPECT_EQ(image->at("dateTimeOriginal").as_string(), "2020-09-13T12:26:40.000Z");
}

TEST_F(PhotoPipelineE2E, TheSameFileTwiceIsADuplicateOfTheFirst) {
    std::string jpeg = Jpeg(6, Original("2022:02:02 02:02:02"));
    auto first = UploadAndWait({File("one.jpg", jpeg), Stamp(1700000000000)});
    ASSERT_EQ(first.size(), 1u);
    std::string id = DoneId(first[0]);
    ASSERT_FALSE(id.empty());
    auto second = UploadAndWait({File("again.jpg", jpeg), Stamp(1700000000000)});
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].at("status").as_string(), "duplicate");
    EXPECT_EQ(second[0].at("imageId").as_string(), id);
    EXPECT_EQ(Album().size(), 1u);
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

// Two identical files in one batch race on two decode threads: one wins, the other is reported
// as its duplicate, and the loser leaves no object behind.
TEST_F(PhotoPipelineE2E, TheSameFileTwiceInOneBatchIsStoredOnce) {
    std::string jpeg = Jpeg(13, Original("2022:03:03 03:03:03"));
    auto files = UploadAndWait(
        {File("x.jpg", jpeg), Stamp(1), File("y.jpg", jpeg), Stamp(2), File("z.jpg", jpeg),
         Stamp(3)});
    ASSERT_EQ(files.size(), 3u);
    std::vector<std::string> done;
    std::vector<std::string> duplicates;
    for (const auto& f : files) {
        (f.at("status").as_string() == "done" ? done : duplicates)
            .emplace_back(f.at("imageId").as_string());
    }
    ASSERT_EQ(done.size(), 1u) << boost::json::serialize(files);
    EXPECT_THAT(duplicates, ::testing::ElementsAre(done[0], done[0]));
    auto images = Album();
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0].at("id").as_string(), done[0]);
    EXPECT_TRUE(Eventually([&] {
        std::size_t objects = 0;
        for (const std::string& file : FilesUnder(store_)) {
            objects += file.find("/staging/") == std::string::npos ? 1 : 0;
        }
        return objects == 3;
    })) << ::testing::PrintToString(FilesUnder(store_));
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

TEST_F(PhotoPipelineE2E, HundredAndOneFilesAre413AndNothingIsStaged) {
    std::vector<Part> parts;
    for (int i = 0; i < 101; ++i) {
        parts.push_back(File("f" + std::to_string(i) + ".jpg", "x" + std::to_string(i)));
    }
    std::string body = Multipart(parts);
    auto [status, answer] = SendWhileReading(gateway_port_, UploadRequestHead(body.size()) + body);
    EXPECT_EQ(status, 413) << answer;
    EXPECT_TRUE(Eventually([] { return Staged().empty(); })) << ::testing::PrintToString(Staged());
    EXPECT_THAT(Album(), ::testing::IsEmpty());
}

TEST_F(PhotoPipelineE2E, AFileOverThePerFileLimitIs413AndStagingIsCleaned) {
    uint16_t port = testkit::FreePort();
    std::unique_ptr<testkit::ChildProcess> small(
        StartGateway(port, {{"GATEWAY_UPLOAD_MAX_FILE_MB", "1"}}, "small-gateway.log"));
    ASSERT_TRUE(small->WaitForPort(port)) << small->Log();
    // A first file that fits (staged), then one of 1 MiB + 1 byte.
    std::string body = Multipart(
        {File("fits.jpg", Jpeg(7)), Stamp(1), File("big.jpg", std::string((1 << 20) + 1, 'z')),
         Stamp(2)});
    auto [status, answer] = SendWhileReading(port, UploadRequestHead(body.size()) + body);
    EXPECT_EQ(status, 413) << answer;
    EXPECT_TRUE(Eventually([] { return Staged().empty(); })) << ::testing::PrintToString(Staged());
    EXPECT_EQ(small->Stop(), 0) << small->Log();
    EXPECT_THAT(Album(), ::testing::IsEmpty());
}

// The other list forms spec/api.md 1.9.17 names, and a UTF-8 filename kept as sent.
TEST_F(PhotoPipelineE2E, TimestampListFormsAndUtf8FilenamesArrive) {
    auto comma = UploadAndWait(
        {File("사진 ✓.jpg", Jpeg(14)),
         File("two.jpg", Jpeg(15)),
         {"lastModifiedTimestamps", std::nullopt, "1700000000000,1600000000000"}});
    ASSERT_EQ(comma.size(), 2u);
    auto first = FindImage(DoneId(comma[0]));
    auto second = FindImage(DoneId(comma[1]));
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->at("filename").as_string(), "사진 ✓.jpg");
    EXPECT_EQ(first->at("dateTimeOriginal").as_string(), "2023-11-14T22:13:20.000Z");
    EXPECT_EQ(second->at("dateTimeOriginal").as_string(), "2020-09-13T12:26:40.000Z");
    // Indexed parts, in reverse order: each index picks its file.
    auto indexed = UploadAndWait(
        {File("three.jpg", Jpeg(16)),
         File("four.jpg", Jpeg(17)),
         {"lastModifiedTimestamps[1]", std::nullopt, "1500000000000"},
         {"lastModifiedTimestamps[0]", std::nullopt, "1400000000000"}});
    ASSERT_EQ(indexed.size(), 2u);
    EXPECT_EQ(
        FindImage(DoneId(indexed[0]))->at("dateTimeOriginal").as_string(),
        "2014-05-13T16:53:20.000Z");
    EXPECT_EQ(
        FindImage(DoneId(indexed[1]))->at("dateTimeOriginal").as_string(),
        "2017-07-14T02:40:00.000Z");
}

// A phone photo taken upright is stored sideways with EXIF orientation 6: the album reports, and
// the derivatives show, the upright picture; the original stays byte for byte.
TEST_F(PhotoPipelineE2E, TheExifOrientationIsApplied) {
    ti::ExifFields exif = Original("2019:09:09 09:09:09");
    exif.orientation = 6;
    std::string jpeg = Jpeg(18, exif);
    auto files = UploadAndWait({File("sideways.jpg", jpeg), Stamp(1)});
    ASSERT_EQ(files.size(), 1u);
    auto image = FindImage(DoneId(files[0]));
    ASSERT_TRUE(image);
    EXPECT_EQ(image->at("width").as_int64(), 48);
    EXPECT_EQ(image->at("height").as_int64(), 64);
    auto preview = Call(verb::get, Target(image->at("previewPath")));
    ASSERT_EQ(preview.status, 200);
    auto size = ti::DecodeSize(preview.body);
    EXPECT_LT(size.width, size.height) << size.width << "x" << size.height;
    EXPECT_EQ(Call(verb::get, Target(image->at("path"))).body, jpeg);
}

TEST_F(PhotoPipelineE2E, NonNumericLastModifiedIs400) {
    auto r =
        Upload({File("a.jpg", Jpeg(8)), {"lastModifiedTimestamps[]", std::nullopt, "yesterday"}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Json().at("message").as_string(), "[0] item must be a number");
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

TEST_F(PhotoPipelineE2E, MissingLastModifiedIsAccepted) {
    auto files = UploadAndWait({File("nostamp.jpg", Jpeg(9, Original("2018:08:08 08:08:08")))});
    ASSERT_EQ(files.size(), 1u);
    auto image = FindImage(DoneId(files[0]));
    ASSERT_TRUE(image);
    EXPECT_EQ(image->at("dateTimeOriginal").as_string(), "2018-08-08T08:08:08.000Z");
}

TEST_F(PhotoPipelineE2E, TheUserRoleMayNotUploadDeleteOrMoveSpots) {
    auto upload = Upload({File("a.jpg", Jpeg(10)), Stamp(1)}, viewer_);
    EXPECT_EQ(upload.status, 403) << upload.body;
    auto del = Call(
        verb::delete_, "/album", {{"Authorization", viewer_}, {"Content-Type", "application/json"}},
        R"({"imageIds":["6cebfa72-5c4c-40f2-8c9c-b9398d172b86"]})");
    EXPECT_EQ(del.status, 403) << del.body;
    auto spot = Call(
        verb::put, "/album/gallery/spot",
        {{"Authorization", viewer_}, {"Content-Type", "application/json"}},
        R"({"imageId":"6cebfa72-5c4c-40f2-8c9c-b9398d172b86","spotType":"spot1"})");
    EXPECT_EQ(spot.status, 403) << spot.body;
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

// The guard answers on the header alone: a client announcing 64 MiB gets its 403/401 without
// sending a byte of it.
TEST_F(PhotoPipelineE2E, TheUploadGuardAnswersBeforeAnyBodyByte) {
    for (const auto& [token, expected] :
         std::vector<std::pair<std::string, int>>{{viewer_, 403}, {"", 401}}) {
        testkit::RawHttp client(gateway_port_);
        std::string head = std::string("POST /file/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
                           (token.empty() ? "" : "Authorization: " + token + "\r\n") +
                           "Content-Type: multipart/form-data; boundary=" + kBoundary +
                           "\r\nContent-Length: " + std::to_string(64 << 20) + "\r\n\r\n";
        ASSERT_TRUE(client.Send(head));
        auto r = client.Read();
        EXPECT_EQ(r.status, expected) << r.body;
    }
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

TEST_F(PhotoPipelineE2E, UnknownOrMalformedBatchIdsAre404) {
    auto unknown = Call(
        verb::get, "/file/uploads/6cebfa72-5c4c-40f2-8c9c-b9398d172b86",
        {{"Authorization", admin_}});
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    auto malformed = Call(verb::get, "/file/uploads/..%2F..%2Fetc", {{"Authorization", admin_}});
    EXPECT_EQ(malformed.status, 404) << malformed.body;
    auto viewer = Call(
        verb::get, "/file/uploads/6cebfa72-5c4c-40f2-8c9c-b9398d172b86",
        {{"Authorization", viewer_}});
    EXPECT_EQ(viewer.status, 403) << viewer.body;
}

TEST_F(PhotoPipelineE2E, NoTokenIs401) {
    auto upload = Upload({File("a.jpg", Jpeg(11)), Stamp(1)}, "");
    EXPECT_EQ(upload.status, 401) << upload.body;
    EXPECT_EQ(Call(verb::get, "/album").status, 401);
    EXPECT_EQ(Call(verb::get, "/file/uploads/6cebfa72-5c4c-40f2-8c9c-b9398d172b86").status, 401);
    EXPECT_THAT(Staged(), ::testing::IsEmpty());
}

TEST_F(PhotoPipelineE2E, AClientThatDisconnectsMidUploadLeavesNothingBehind) {
    std::string first = Jpeg(12, Original("2017:07:07 07:07:07"));
    std::string body = Multipart(
        {File("first.jpg", first), Stamp(1), File("second.jpg", std::string(256 * 1024, 'q')),
         Stamp(2)});
    {
        testkit::RawHttp client(gateway_port_);
        // The first file and part of the second: the gateway has staged something...
        ASSERT_TRUE(client.Send(UploadRequestHead(body.size()) + body.substr(0, body.size() / 2)));
        EXPECT_TRUE(Eventually([] { return !Staged().empty(); }));
    }  // ...and the client goes away.
    EXPECT_TRUE(Eventually([] { return Staged().empty(); })) << ::testing::PrintToString(Staged());
    // Nothing was published: the same first file uploaded now is new, not a duplicate.
    auto files = UploadAndWait({File("first.jpg", first), Stamp(1)});
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].at("status").as_string(), "done") << boost::json::serialize(files[0]);
    EXPECT_EQ(Album().size(), 1u);
}

TEST_F(PhotoPipelineE2E, FileKeysThatEscapeTheStoreAre404) {
    // Files that exist where an escaping key would lead.
    std::ofstream(fs::path(dir_) / "secret.jpg") << "outside the store";
    fs::create_directories(fs::path(store_) / "staging");
    std::ofstream(fs::path(store_) / "staging" / "pending.jpg") << "not published";
    std::ofstream(fs::path(store_) / "visible.jpg") << "a stored object";
    EXPECT_EQ(Call(verb::get, "/files/visible.jpg").status, 200);  // the control
    for (const std::string& target : std::vector<std::string>{
             "/files/../secret.jpg", "/files/..%2Fsecret.jpg", "/files/%2E%2E/secret.jpg",
             "/files/%2E%2E%2Fsecret.jpg", "/files//etc/passwd", "/files/%2Fetc%2Fpasswd",
             "/files/" + dir_ + "/secret.jpg", "/files/staging/pending.jpg",
             "/files/staging%2Fpending.jpg", "/files/./staging/pending.jpg", "/files/",
             "/files/.tmp"}) {
        auto r = Call(verb::get, target);
        EXPECT_EQ(r.status, 404) << target << " " << r.body;
        EXPECT_NE(r.body, "outside the store") << target;
        EXPECT_NE(r.body, "not published") << target;
    }
    // An object named like a page or a script is never rendered by a browser.
    for (std::string name : {"page.html", "drawing.svg", "code.js"}) {
        std::ofstream(fs::path(store_) / name) << "<script>alert(1)</script>";
        auto r = Call(verb::get, "/files/" + name);
        EXPECT_EQ(r.status, 200) << name;
        EXPECT_EQ(r.Header("content-type"), "application/octet-stream") << name;
        EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << name;
        fs::remove(fs::path(store_) / name);
    }
    fs::remove(fs::path(store_) / "staging" / "pending.jpg");
    fs::remove(fs::path(store_) / "visible.jpg");
}

TEST_F(PhotoPipelineE2E, InvalidSortFieldOrOrderIs400) {
    auto sort = [](const std::string& json) {
        return Call(verb::get, "/album?sort=" + UrlEncode(json), {{"Authorization", admin_}});
    };
    EXPECT_EQ(sort(R"([{"orderBy":"password","order":"desc"}])").status, 400);
    EXPECT_EQ(
        sort(R"([{"orderBy":"dateTime\"; DROP TABLE album_image;--","order":"asc"}])").status, 400);
    EXPECT_EQ(sort(R"([{"orderBy":"createdAt","order":"sideways"}])").status, 400);
    // The accepted forms, direction case-insensitive.
    EXPECT_EQ(sort(R"([{"orderBy":"createdAt","order":"DESC"}])").status, 200);
    EXPECT_EQ(sort(R"([{"orderBy":"dateTimeOriginal","order":"asc"}])").status, 200);
}

TEST_F(PhotoPipelineE2E, NegativeZeroAndHugePagesAndLimitsAreClamped) {
    std::vector<Part> parts;
    for (int i = 0; i < 3; ++i) {
        parts.push_back(File("p" + std::to_string(i) + ".jpg", Jpeg(20 + i)));
        parts.push_back(Stamp(1700000000000 + i * 1000));
    }
    auto files = UploadAndWait(parts);
    ASSERT_EQ(files.size(), 3u);
    for (const std::string query :
         {"page=-1&limit=10", "page=0&limit=10", "page=1&limit=0", "page=1&limit=-5",
          "page=1&limit=1000000", "page=1&limit=99999999999999999999"}) {
        auto r = Call(verb::get, "/album?" + query, {{"Authorization", admin_}});
        ASSERT_EQ(r.status, 200) << query << " " << r.body;
        EXPECT_EQ(r.Json().at("totalCount").as_int64(), 3) << query;
        auto n = r.Json().at("albumImages").as_array().size();
        EXPECT_GE(n, 1u) << query;
        EXPECT_LE(n, 3u) << query;
    }
    auto far = Call(verb::get, "/album?page=99999999&limit=100", {{"Authorization", admin_}});
    ASSERT_EQ(far.status, 200) << far.body;
    EXPECT_THAT(far.Json().at("albumImages").as_array(), ::testing::IsEmpty());
    auto one = Call(verb::get, "/album?page=2&limit=1", {{"Authorization", admin_}});
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(one.Json().at("albumImages").as_array().size(), 1u);
    for (const std::string query : {"limit=0", "limit=-3", "limit=100000"}) {
        auto c = Call(verb::get, "/album/cursor?" + query);
        EXPECT_EQ(c.status, 200) << query << " " << c.body;
        auto i = Call(verb::get, "/album/infinite?" + query);
        EXPECT_EQ(i.status, 200) << query << " " << i.body;
    }
}

TEST_F(PhotoPipelineE2E, UnknownIdsOnDeleteAreNotFoundAndMalformedOnesAre400) {
    auto del = [](const std::string& body) {
        return Call(
            verb::delete_, "/album",
            {{"Authorization", admin_}, {"Content-Type", "application/json"}}, body);
    };
    auto unknown = del(R"({"imageIds":["6cebfa72-5c4c-40f2-8c9c-b9398d172b86"]})");
    EXPECT_EQ(unknown.status, 200) << unknown.body;
    EXPECT_EQ(unknown.body, R"({"success":false,"deletedCount":0})");
    EXPECT_EQ(del(R"({"imageIds":["not-a-uuid"]})").status, 400);
    EXPECT_EQ(del(R"({"imageIds":["../../etc/passwd"]})").status, 400);
    EXPECT_EQ(del(R"({"imageIds":[]})").status, 422);
    EXPECT_EQ(del(R"({"imageIds":[42]})").status, 422);
    EXPECT_EQ(del(R"({"imageIds":"6cebfa72-5c4c-40f2-8c9c-b9398d172b86"})").status, 422);
}

// --- Album routes on real data --------------------------------------------------------------

TEST_F(PhotoPipelineE2E, DeleteRemovesTheRowsAndAllThreeObjects) {
    auto files = UploadAndWait(
        {File("keep.jpg", Jpeg(30)), Stamp(1700000000000), File("drop.jpg", Jpeg(31)),
         Stamp(1700000001000)});
    ASSERT_EQ(files.size(), 2u);
    std::string keep = DoneId(files[0]);
    std::string drop = DoneId(files[1]);
    auto image = FindImage(drop);
    ASSERT_TRUE(image);
    std::vector<std::string> targets;
    for (const char* field : {"path", "thumbnailPath", "previewPath"}) {
        targets.push_back(Target(image->at(field)));
        ASSERT_TRUE(fs::exists(fs::path(store_) / targets.back().substr(7))) << targets.back();
    }
    auto r = Call(
        verb::delete_, "/album", {{"Authorization", admin_}, {"Content-Type", "application/json"}},
        R"({"imageIds":[")" + drop + R"("]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, R"({"success":true,"deletedCount":1})");
    EXPECT_FALSE(FindImage(drop));
    EXPECT_TRUE(FindImage(keep));
    for (const std::string& target : targets) {
        EXPECT_TRUE(Eventually([&] { return !fs::exists(fs::path(store_) / target.substr(7)); }))
            << target;
        EXPECT_EQ(Call(verb::get, target).status, 404) << target;
    }
    std::vector<std::string> kept;
    for (const std::string& file : FilesUnder(store_)) {
        EXPECT_THAT(file, ::testing::Not(::testing::HasSubstr(drop)));
        if (file.find(keep) != std::string::npos) {
            kept.push_back(file);
        }
    }
    EXPECT_EQ(kept.size(), 3u) << "the other image keeps its three objects";
}

TEST_F(PhotoPipelineE2E, AGallerySpotHoldsOneImageAndMovingItFreesTheOldHolder) {
    auto files = UploadAndWait(
        {File("a.jpg", Jpeg(40, Original("2015:05:05 05:05:05"))), Stamp(1),
         File("b.jpg", Jpeg(41, Original("2016:06:06 06:06:06"))), Stamp(2)});
    ASSERT_EQ(files.size(), 2u);
    std::string a = DoneId(files[0]);
    std::string b = DoneId(files[1]);
    auto put = [](const std::string& id, const std::string& spot) {
        return Call(
            verb::put, "/album/gallery/spot",
            {{"Authorization", admin_}, {"Content-Type", "application/json"}},
            R"({"imageId":")" + id + R"(","spotType":")" + spot + R"("})");
    };
    auto empty = Call(verb::get, "/album/gallery/spot");
    ASSERT_EQ(empty.status, 200);
    EXPECT_EQ(empty.body, R"({"spotImages":{}})");

    ASSERT_EQ(put(a, "spot1").status, 200);
    auto spots = Call(verb::get, "/album/gallery/spot").Json();
    ASSERT_EQ(spots.at("spotImages").at("spot1").at("images").as_array().size(), 1u);
    EXPECT_EQ(spots.at("spotImages").at("spot1").at("images").at(0).at("id").as_string(), a);

    auto moved = put(b, "spot1");
    ASSERT_EQ(moved.status, 200) << moved.body;
    spots = Call(verb::get, "/album/gallery/spot").Json();
    const auto& holders = spots.at("spotImages").at("spot1").at("images").as_array();
    ASSERT_EQ(holders.size(), 1u) << boost::json::serialize(spots);
    EXPECT_EQ(holders.at(0).at("id").as_string(), b);
    EXPECT_EQ(FindImage(a)->at("gallerySpotType").as_string(), "none");
    EXPECT_EQ(FindImage(b)->at("gallerySpotType").as_string(), "spot1");

    // The image moves on: spot1 empties, spot2 holds it.
    ASSERT_EQ(put(b, "spot2").status, 200);
    spots = Call(verb::get, "/album/gallery/spot").Json();
    EXPECT_FALSE(spots.at("spotImages").as_object().contains("spot1"));
    EXPECT_EQ(spots.at("spotImages").at("spot2").at("images").at(0).at("id").as_string(), b);

    EXPECT_EQ(put(a, "spot11").status, 422);
    EXPECT_EQ(put(a, "").status, 422);
    EXPECT_EQ(put("6cebfa72-5c4c-40f2-8c9c-b9398d172b86", "spot3").status, 404);
}

// --- Metrics and scale-out (issue 11) -------------------------------------------------------

// A service's /metrics text: the gateway's own port, or an admin port.
std::string Scrape(uint16_t port) {
    auto r = testkit::HttpCall(port, verb::get, "/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    return r.body;
}

// The value of `series` on `port` now, 0 when the series is not there yet.
double Metric(uint16_t port, const std::string& series) {
    return std::max(0.0, testkit::Sample(Scrape(port), series));
}

TEST_F(PhotoPipelineE2E, EveryServiceCountsARequestInItsMetrics) {
    const std::string route = R"({method="GET",route="/album",status="2xx"})";
    const std::string list_method = R"(method="/album.AlbumService/GetAlbumImages")";
    const std::map<std::string, uint16_t> series = {
        {"hatongsu_http_requests_total" + route, gateway_admin_port_},
        {"hatongsu_http_request_duration_seconds_count" + route, gateway_admin_port_},
        // Labels are rendered in name order.
        {R"(hatongsu_grpc_client_handled_total{code="OK",)" + list_method + "}",
         gateway_admin_port_},
        {"hatongsu_grpc_client_handling_seconds_count{" + list_method + "}", gateway_admin_port_},
        {R"(hatongsu_grpc_server_handled_total{code="OK",)" + list_method + "}", album_admin_port_},
        {"hatongsu_grpc_server_handling_seconds_count{" + list_method + "}", album_admin_port_},
    };
    std::map<std::string, double> before;
    for (const auto& [name, port] : series) {
        before[name] = Metric(port, name);
    }
    const double album_pool_waits =
        Metric(album_admin_port_, "hatongsu_db_pool_wait_seconds_count");
    const double user_pool_waits = Metric(user_admin_port_, "hatongsu_db_pool_wait_seconds_count");
    ASSERT_EQ(Call(verb::get, "/album?limit=5", {{"Authorization", admin_}}).status, 200);
    for (const auto& [name, port] : series) {
        EXPECT_EQ(Metric(port, name), before[name] + 1) << name;
    }
    EXPECT_GT(Metric(album_admin_port_, "hatongsu_db_pool_wait_seconds_count"), album_pool_waits);

    // A login reaches the user service.
    const std::string login =
        R"(hatongsu_grpc_server_handled_total{code="OK",method="/user.AuthService/LoginUser"})";
    const double logins = Metric(user_admin_port_, login);
    ASSERT_EQ(Login(kAdminEmail, kAdminPassword).status, 201);
    EXPECT_EQ(Metric(user_admin_port_, login), logins + 1);
    EXPECT_GT(Metric(user_admin_port_, "hatongsu_db_pool_wait_seconds_count"), user_pool_waits);

    // An upload: published by the gateway, consumed and processed by the album service.
    const std::string published =
        R"(hatongsu_queue_published_total{outcome="ok",queue=")" + queue_ + "\"}";
    const std::string acked =
        R"(hatongsu_queue_consumed_total{outcome="ack",queue=")" + queue_ + "\"}";
    const std::string done = R"(hatongsu_album_job_seconds_count{result="done"})";
    const std::string decoded = R"(hatongsu_album_stage_seconds_count{stage="process"})";
    const double published_before = Metric(gateway_admin_port_, published);
    const double acked_before = Metric(album_admin_port_, acked);
    const double done_before = Metric(album_admin_port_, done);
    const double decoded_before = Metric(album_admin_port_, decoded);
    auto files = UploadAndWait({File("counted.jpg", Jpeg(90)), Stamp(1700000000000)});
    ASSERT_EQ(files.size(), 1u);
    DoneId(files[0]);
    EXPECT_EQ(Metric(gateway_admin_port_, published), published_before + 1);
    EXPECT_TRUE(Eventually([&] { return Metric(album_admin_port_, acked) == acked_before + 1; }));
    // The job's own timing is reported just after its file shows done.
    EXPECT_TRUE(Eventually([&] { return Metric(album_admin_port_, done) == done_before + 1; }));
    EXPECT_EQ(Metric(album_admin_port_, decoded), decoded_before + 1);

    // The process's own numbers, on each.
    for (uint16_t port : {gateway_admin_port_, user_admin_port_, album_admin_port_}) {
        std::string text = Scrape(port);
        EXPECT_GT(testkit::Sample(text, "process_resident_memory_bytes"), 0) << port;
        EXPECT_GT(testkit::Sample(text, "process_open_fds"), 0) << port;
    }
    // Through a proxy (a forwarded request), the gateway's metrics are not there.
    EXPECT_EQ(
        testkit::HttpCall(
            gateway_port_, verb::get, "/metrics", {{"X-Forwarded-For", "203.0.113.9"}})
            .status,
        404);
}

TEST_F(PhotoPipelineE2E, TwoAlbumServicesShareOneQueueWithNoLossAndNoDuplicate) {
    uint16_t second_admin = testkit::FreePort();
    uint16_t second_grpc = testkit::FreePort();
    std::unique_ptr<testkit::ChildProcess> second(
        StartAlbum("127.0.0.1:" + std::to_string(second_grpc), second_admin, "album2.log"));
    ASSERT_TRUE(second->WaitForPort(second_admin)) << second->Log();
    const std::string done = R"(hatongsu_album_job_seconds_count{result="done"})";
    const double first_before = Metric(album_admin_port_, done);
    const double second_before = Metric(second_admin, done);

    // 200 distinct images in two batches of 100 (the most one request may carry).
    std::vector<std::string> batches;
    for (int b = 0; b < 2; ++b) {
        std::vector<Part> parts;
        for (int i = 0; i < 100; ++i) {
            int n = b * 100 + i;
            parts.push_back(File("scale-" + std::to_string(n) + ".jpg", Jpeg(n)));
            parts.push_back(Stamp(1600000000000 + n * 1000LL));
        }
        auto r = Upload(parts);
        ASSERT_EQ(r.status, 202) << r.body;
        batches.emplace_back(r.Json().at("batchId").as_string());
    }
    std::set<std::string> ids;
    for (const std::string& batch : batches) {
        auto state = WaitForBatch(batch);
        ASSERT_TRUE(state.contains("finished") && state.at("finished").as_bool())
            << boost::json::serialize(state);
        EXPECT_EQ(state.at("counts").at("done").as_int64(), 100) << boost::json::serialize(state);
        for (const auto& file : state.at("files").as_array()) {
            ids.insert(DoneId(file));
        }
    }
    EXPECT_EQ(ids.size(), 200u) << "one image per file, none twice";

    // The album holds exactly those 200 images, once each.
    std::multiset<std::string> listed;
    for (int page = 1; page <= 3; ++page) {
        for (const auto& image : Album("limit=100&page=" + std::to_string(page))) {
            listed.insert(std::string(image.at("id").as_string()));
        }
    }
    EXPECT_EQ(listed.size(), 200u);
    EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), ids);
    EXPECT_THAT(Staged(), ::testing::IsEmpty());

    // Both services did part of the work, and together exactly all of it.
    // (Each job's timing is reported just after its file shows done.)
    EXPECT_TRUE(Eventually([&] {
        return Metric(album_admin_port_, done) - first_before + Metric(second_admin, done) -
                   second_before ==
               200;
    }));
    const double by_first = Metric(album_admin_port_, done) - first_before;
    const double by_second = Metric(second_admin, done) - second_before;
    EXPECT_GT(by_first, 0);
    EXPECT_GT(by_second, 0);
    EXPECT_EQ(by_first + by_second, 200);
    EXPECT_EQ(second->Stop(), 0) << "graceful shutdown on SIGTERM\n" << second->Log();
}

TEST_F(PhotoPipelineE2E, TwoGatewaysGiveTheSameAnswersToTheSameTokens) {
    uint16_t other_port = testkit::FreePort();
    std::unique_ptr<testkit::ChildProcess> other(
        StartGateway(other_port, {{"GATEWAY_METRICS_TOKEN", "e2e-scrape-token"}}, "gateway2.log"));
    ASSERT_TRUE(other->WaitForPort(other_port)) << other->Log();
    auto files = UploadAndWait({File("both.jpg", Jpeg(91)), Stamp(1700000000000)});
    ASSERT_EQ(files.size(), 1u);
    DoneId(files[0]);

    // A token signed in at one gateway is good at the other, and the answers are the same.
    auto login = Login(kAdminEmail, kAdminPassword);
    ASSERT_EQ(login.status, 201);
    std::string token = "Bearer " + std::string(login.Json().at("accessToken").as_string());
    for (const char* target : {"/user/me", "/album?limit=10", "/album/gallery/spot"}) {
        auto here = Call(verb::get, target, {{"Authorization", token}});
        auto there = Call(verb::get, target, {{"Authorization", token}}, "", other_port);
        EXPECT_EQ(here.status, 200) << target << " " << here.body;
        EXPECT_EQ(there.status, here.status) << target;
        EXPECT_EQ(there.body, here.body) << target;
    }
    // A refresh token from one is rotated by the other; an upload through one is followed at
    // the other.
    std::string refresh(login.Json().at("refreshToken").as_string());
    auto rotated = Call(
        verb::post, "/auth/refresh", {{"Content-Type", "application/json"}},
        boost::json::serialize(boost::json::object{{"refreshToken", refresh}}), other_port);
    EXPECT_EQ(rotated.status, 201) << rotated.body;
    auto upload = Upload({File("there.jpg", Jpeg(92)), Stamp(1700000000001)}, admin_, other_port);
    ASSERT_EQ(upload.status, 202) << upload.body;
    auto state = WaitForBatch(std::string(upload.Json().at("batchId").as_string()));
    EXPECT_EQ(state.at("counts").at("done").as_int64(), 1) << boost::json::serialize(state);
    // A bad token is refused alike.
    for (uint16_t port : {gateway_port_, other_port}) {
        EXPECT_EQ(
            Call(verb::get, "/user/me", {{"Authorization", "Bearer nope"}}, "", port).status, 401);
    }
    // With GATEWAY_METRICS_TOKEN, the public port's /metrics answers its bearer only.
    EXPECT_EQ(testkit::HttpCall(other_port, verb::get, "/metrics").status, 404);
    auto scraped = testkit::HttpCall(
        other_port, verb::get, "/metrics", {{"Authorization", "Bearer e2e-scrape-token"}});
    EXPECT_EQ(scraped.status, 200);
    EXPECT_GT(
        testkit::Sample(
            scraped.body,
            R"x(hatongsu_http_requests_total{method="GET",route="/user/me",status="2xx"})x"),
        0);
    EXPECT_EQ(other->Stop(), 0) << other->Log();
}

// Seven images with distinct dates plus two sharing one date (the id breaks the tie).
class PhotoPipelineListingE2E : public PhotoPipelineE2E {
protected:
    static std::vector<std::string> UploadNine() {
        std::vector<Part> parts;
        const char* dates[] = {"2010:01:01 00:00:00", "2010:01:02 00:00:00", "2010:01:02 00:00:00",
                               "2010:01:05 12:00:00", "2011:02:03 04:05:06", "2012:12:12 12:12:12",
                               "2013:03:03 03:03:03", "2014:04:04 04:04:04", "2010:01:05 13:00:00"};
        for (int i = 0; i < 9; ++i) {
            parts.push_back(
                File("l" + std::to_string(i) + ".jpg", Jpeg(50 + i, Original(dates[i]))));
            parts.push_back(Stamp(1700000000000));
        }
        auto files = UploadAndWait(parts);
        std::vector<std::string> ids;
        for (const auto& f : files) {
            ids.push_back(DoneId(f));
        }
        return ids;
    }
};

TEST_F(PhotoPipelineListingE2E, CursorPagesThroughEverythingOnce) {
    auto ids = UploadNine();
    ASSERT_EQ(ids.size(), 9u);
    std::vector<std::string> seen;
    std::string cursor;
    bool more = true;
    for (int page = 0; more && page < 20; ++page) {
        std::string target = "/album/cursor?limit=2";
        if (!cursor.empty()) {
            target += "&cursor=" + UrlEncode(cursor);
        }
        auto r = Call(verb::get, target);
        ASSERT_EQ(r.status, 200) << r.body;
        auto body = r.Json().as_object();
        for (const auto& image : body.at("albumImages").as_array()) {
            seen.emplace_back(image.at("id").as_string());
        }
        more = body.at("hasNextPage").as_bool();
        if (more) {
            ASSERT_TRUE(body.contains("nextCursor")) << r.body;
            cursor = std::string(body.at("nextCursor").as_string());
        } else {
            EXPECT_FALSE(body.contains("nextCursor")) << r.body;
        }
    }
    EXPECT_FALSE(more);
    EXPECT_EQ(seen.size(), 9u);
    EXPECT_THAT(seen, ::testing::UnorderedElementsAreArray(ids));
    // Exactly nine: hasNextPage is false on a page that ends at the last row.
    auto last = Call(verb::get, "/album/cursor?limit=9").Json();
    EXPECT_EQ(last.at("albumImages").as_array().size(), 9u);
    EXPECT_FALSE(last.at("hasNextPage").as_bool());
}

TEST_F(PhotoPipelineListingE2E, InfiniteNeverRepeatsWithinAPageAndWrapsAround) {
    auto ids = UploadNine();
    ASSERT_EQ(ids.size(), 9u);
    std::string cursor;
    for (int page = 0; page < 4; ++page) {
        std::string target = "/album/infinite?limit=4";
        if (!cursor.empty()) {
            target += "&nextCursor=" + UrlEncode(cursor);
        }
        auto r = Call(verb::get, target);
        ASSERT_EQ(r.status, 200) << r.body;
        std::set<std::string> in_page;
        auto r_json = r.Json();  // the range below must not outlive it
        for (const auto& image : r_json.at("albumImages").as_array()) {
            EXPECT_TRUE(in_page.emplace(image.at("id").as_string()).second)
                << "repeated within page " << page << ": " << r.body;
        }
        EXPECT_EQ(in_page.size(), 4u);
        cursor = std::string(r.Json().at("nextCursor").as_string());
        ASSERT_FALSE(cursor.empty());
    }
    // A page larger than the album holds every image once.
    auto all = Call(verb::get, "/album/infinite?limit=50");
    ASSERT_EQ(all.status, 200);
    std::set<std::string> unique;
    auto all_json = all.Json();  // the range below must not outlive it
    for (const auto& image : all_json.at("albumImages").as_array()) {
        EXPECT_TRUE(unique.emplace(image.at("id").as_string()).second) << all.body;
    }
    EXPECT_EQ(unique.size(), 9u);
}

TEST_F(PhotoPipelineListingE2E, FerrisNextStepsThroughTheCaptureOrder) {
    auto ids = UploadNine();
    ASSERT_EQ(ids.size(), 9u);
    // The capture order, newest first, as the Ferris wheel reads it.
    auto first = Call(
        verb::get, "/album/ferris-first?page=1&limit=20&sort=" +
                       UrlEncode(R"([{"orderBy":"dateTimeOriginal","order":"desc"}])"));
    ASSERT_EQ(first.status, 200) << first.body;
    std::vector<std::string> order;
    auto first_json = first.Json();  // the range below must not outlive it
    for (const auto& image : first_json.at("albumImages").as_array()) {
        order.emplace_back(image.at("id").as_string());
    }
    ASSERT_EQ(order.size(), 9u);
    auto next = [](const std::string& id, int skip) {
        auto r = Call(verb::get, "/album/ferris-next?id=" + id + "&skip=" + std::to_string(skip));
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? std::string(r.Json().at("albumImage").at("id").as_string()) : "";
    };
    EXPECT_EQ(next(order[0], 9), order[0]);  // a full turn
    std::set<std::string> visited;
    std::string at = order[0];
    for (int i = 0; i < 9; ++i) {
        visited.insert(at);
        at = next(at, 1);
    }
    EXPECT_EQ(visited.size(), 9u) << "one step at a time visits every image once";
    EXPECT_EQ(at, order[0]);
    EXPECT_EQ(next(order[0], 8), next(next(order[0], 4), 4));
    EXPECT_NE(Call(verb::get, "/album/ferris-next?id=not-a-uuid&skip=1").status, 200);
}

TEST_F(PhotoPipelineListingE2E, CountDateCountsCaptureDaysWithinTheRange) {
    auto ids = UploadNine();
    ASSERT_EQ(ids.size(), 9u);
    auto r = Call(verb::get, "/album/statistic/count-date?startDate=2010-01-01&endDate=2010-01-05");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(
        r.body, R"({"result":[{"date":"2010-01-01","count":1},{"date":"2010-01-02","count":2},)"
                R"({"date":"2010-01-05","count":2}]})");
    auto none =
        Call(verb::get, "/album/statistic/count-date?startDate=1999-01-01&endDate=1999-01-05");
    ASSERT_EQ(none.status, 200);
    EXPECT_THAT(none.Json().at("result").as_array(), ::testing::IsEmpty());
    EXPECT_EQ(
        Call(verb::get, "/album/statistic/count-date?startDate=yesterday&endDate=2010-01-05")
            .status,
        422);
}

}  // namespace
}  // namespace hatongsu
