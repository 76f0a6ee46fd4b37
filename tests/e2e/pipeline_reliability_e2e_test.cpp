// Reliability of the photo pipeline end to end (issue 6, "Reliability"), with the real user, album
// and gateway binaries, the real RabbitMQ and PostgreSQL of scripts/test.sh (HATONGSU_AMQP_URL,
// HATONGSU_PG_BASE) and a temporary folder as the disk store shared by the gateway and the album
// service. Each test has its own databases, queue names and store, so they run beside the others.
//
// The broker and the database are shared with every other test running at the same time, so they
// are never stopped here: an outage is simulated at the TCP level, with a testkit::TcpProxy between
// one service and the server, which cuts every open connection (DropAll) and then refuses new ones
// (SetRefusing) until the outage ends. To the service this looks like a server that went away and
// came back; the server itself keeps running for everyone else.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <signal.h>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/process.h"
#include "hatongsu/testkit/tcp_proxy.h"
#include "services/album/adapter/vips/tests/test_images.h"
#include "services/album/adapter/vips/vips_image_processor.h"

namespace hatongsu {
namespace {

namespace fs = std::filesystem;
using boost::beast::http::verb;
using testkit::HttpResult;

constexpr const char* kAdminEmail = "root@hatongsu.test";
constexpr const char* kAdminPassword = "admin-pass-1";
constexpr const char* kServiceSecret = "e2e-reliability-secret-0123456789";
constexpr const char* kBoundary = "----hatongsu-reliability-7f3a";
// Generous caps for what must eventually happen; no test asserts on how long anything takes.
constexpr auto kBatchCap = std::chrono::minutes(5);
constexpr auto kEventCap = std::chrono::minutes(2);

std::string RequiredEnv(const char* name) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): test setup
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(
            std::string(name) + " is not set: run through scripts/test.sh (make test)");
    }
    return value;
}

// The port of scheme://user:password@host:PORT[/...] and the URL with another port in its place.
struct UrlPort {
    std::size_t begin = 0;
    std::size_t end = 0;
};
UrlPort FindPort(const std::string& url) {
    std::size_t at = url.find('@');
    std::size_t colon = url.find(':', at == std::string::npos ? url.find("://") + 3 : at);
    if (colon == std::string::npos) {
        throw std::runtime_error("no port in " + url);
    }
    std::size_t end = url.find_first_not_of("0123456789", colon + 1);
    return {colon + 1, end == std::string::npos ? url.size() : end};
}
uint16_t PortOf(const std::string& url) {
    UrlPort p = FindPort(url);
    return static_cast<uint16_t>(std::stoi(url.substr(p.begin, p.end - p.begin)));
}
std::string WithPort(const std::string& url, uint16_t port) {
    UrlPort p = FindPort(url);
    return url.substr(0, p.begin) + std::to_string(port) + url.substr(p.end);
}

// A short-lived rabbitmq-c connection to the test broker: queue depths and clean-up.
class BrokerAdmin final {
public:
    BrokerAdmin() {
        url_ = RequiredEnv("HATONGSU_AMQP_URL");
        amqp_connection_info info;
        amqp_default_connection_info(&info);
        if (amqp_parse_url(url_.data(), &info) != AMQP_STATUS_OK) {
            throw std::runtime_error("HATONGSU_AMQP_URL is not an AMQP URL");
        }
        state_ = amqp_new_connection();
        amqp_socket_t* socket = amqp_tcp_socket_new(state_);
        if (socket == nullptr || amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK) {
            throw std::runtime_error("cannot connect to the test broker");
        }
        std::string vhost = info.vhost[0] == '\0' ? "/" : info.vhost;
        amqp_rpc_reply_t login = amqp_login(
            state_, vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user, info.password);
        if (login.reply_type != AMQP_RESPONSE_NORMAL) {
            throw std::runtime_error("cannot log in to the test broker");
        }
        OpenChannel();
    }
    BrokerAdmin(const BrokerAdmin&) = delete;
    BrokerAdmin& operator=(const BrokerAdmin&) = delete;
    ~BrokerAdmin() {
        amqp_channel_close(state_, channel_, AMQP_REPLY_SUCCESS);
        amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(state_);
    }

    // Messages ready in `queue`; nullopt when the queue does not exist.
    std::optional<int> Depth(const std::string& queue) {
        auto* ok = amqp_queue_declare(
            state_, channel_, amqp_cstring_bytes(queue.c_str()), /*passive=*/1, 0, 0, 0,
            amqp_empty_table);
        if (ok == nullptr) {
            OpenChannel();  // a failed passive declare closes the channel
            return std::nullopt;
        }
        return static_cast<int>(ok->message_count);
    }

    void Delete(const std::string& queue) {
        if (amqp_queue_delete(state_, channel_, amqp_cstring_bytes(queue.c_str()), 0, 0) ==
            nullptr) {
            OpenChannel();
        }
    }

private:
    void OpenChannel() {
        ++channel_;
        amqp_channel_open(state_, channel_);
        if (amqp_get_rpc_reply(state_).reply_type != AMQP_RESPONSE_NORMAL) {
            throw std::runtime_error("cannot open a channel on the test broker");
        }
    }

    std::string url_;
    amqp_connection_state_t state_ = nullptr;
    amqp_channel_t channel_ = 0;
};

// One test image: a JPEG of random pixels (so decoding takes a moment) with its own EXIF date, so
// every file of a test has a different sha256.
struct Photo {
    std::string name;
    std::string bytes;
};

std::vector<Photo> MakePhotos(int count, int first, int width = 640, int height = 480) {
    static const bool vips_ready = album::InitVips("pipeline_reliability_e2e_tests");
    if (!vips_ready) {
        throw std::runtime_error("libvips did not start");
    }
    std::vector<Photo> photos;
    for (int i = first; i < first + count; ++i) {
        album::test_images::Picture picture{.width = width, .height = height, .noise = true};
        char date[32];
        std::snprintf(
            date, sizeof date, "2024:05:%02d %02d:%02d:%02d", 1 + i / 1440 % 28, i / 60 % 24,
            i % 60, i % 60);
        std::string tiff = album::test_images::ExifTiff({.date_time_original = date});
        char name[32];
        std::snprintf(name, sizeof name, "IMG_%04d.jpg", i);
        photos.push_back(
            {name,
             album::test_images::WithExifApp1(album::test_images::EncodeJpeg(picture), tiff)});
    }
    return photos;
}

// The frontend's form: each file part `files`, followed by its lastModifiedTimestamps[] part.
std::string MultipartBody(const std::vector<Photo>& photos) {
    std::string body;
    int64_t modified = 1700000000000;
    for (const Photo& p : photos) {
        body += std::string("--") + kBoundary + "\r\n";
        body += "Content-Disposition: form-data; name=\"files\"; filename=\"" + p.name + "\"\r\n";
        body += "Content-Type: image/jpeg\r\n\r\n";
        body += p.bytes;
        body += "\r\n";
        body += std::string("--") + kBoundary + "\r\n";
        body += "Content-Disposition: form-data; name=\"lastModifiedTimestamps[]\"\r\n\r\n";
        body += std::to_string(modified++) + "\r\n";
    }
    body += std::string("--") + kBoundary + "--\r\n";
    return body;
}

// Objects in the store's root (final objects live there; staging/ and .tmp/ are folders).
int CountTopLevelFiles(const fs::path& dir) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        n += e.is_regular_file() ? 1 : 0;
    }
    return n;
}

// Everything under `dir`, folders included (0 when it does not exist).
int CountEntries(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        return 0;
    }
    return static_cast<int>(
        std::distance(fs::recursive_directory_iterator(dir), fs::recursive_directory_iterator()));
}

template <typename Pred>
bool Eventually(Pred pred, std::chrono::steady_clock::duration cap) {
    auto deadline = std::chrono::steady_clock::now() + cap;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
}

class PipelineReliability : public ::testing::Test {
protected:
    void SetUp() override {
        pg_base_ = RequiredEnv("HATONGSU_PG_BASE");
        amqp_url_ = RequiredEnv("HATONGSU_AMQP_URL");
        std::string tag = core::AsciiLower(core::RandomUuidV4().substr(0, 8));
        user_db_ = "e2e_rel_user_" + tag;
        album_db_ = "e2e_rel_album_" + tag;
        queue_ = "e2e_rel_" + tag;
        {
            pqxx::connection admin(pg_base_ + "/postgres");
            pqxx::nontransaction tx(admin);
            tx.exec("CREATE DATABASE " + user_db_);
            tx.exec("CREATE DATABASE " + album_db_);
        }
        dir_ = fs::path(::testing::TempDir()) / ("e2e-rel-" + tag);
        store_ = dir_ / "objects";
        fs::create_directories(store_);

        user_port_ = testkit::FreePort();
        user_ = std::make_unique<testkit::ChildProcess>(
            HATONGSU_USER_BIN,
            std::map<std::string, std::string>{
                {"USER_GRPC_ADDR", "127.0.0.1:" + std::to_string(user_port_)},
                {"USER_PG_URL", pg_base_ + "/" + user_db_},
                {"ACCESS_TOKEN_SECRET", "e2e-rel-access"},
                {"REFRESH_TOKEN_SECRET", "e2e-rel-refresh"},
                {"USER_ARGON2_OPSLIMIT", "1"},
                {"USER_ARGON2_MEMLIMIT_KIB", "64"},
                {"HATONGSU_ADMIN_EMAIL", kAdminEmail},
                {"HATONGSU_ADMIN_PASSWORD", kAdminPassword},
                {"HATONGSU_SERVICE_SECRET", kServiceSecret},
                {"LOG_FORMAT", "text"}},
            (dir_ / "user.log").string());
        ASSERT_TRUE(user_->WaitForPort(user_port_)) << user_->Log();
        album_port_ = testkit::FreePort();
        gateway_port_ = testkit::FreePort();
    }

    void TearDown() override {
        if (gateway_) {
            EXPECT_EQ(gateway_->Stop(), 0) << gateway_->Log();
        }
        if (album_) {
            EXPECT_EQ(album_->Stop(), 0) << album_->Log();
        }
        if (user_) {
            EXPECT_EQ(user_->Stop(), 0) << user_->Log();
        }
        try {
            BrokerAdmin broker;
            for (const char* suffix : {"", ".retry", ".dead"}) {
                broker.Delete(queue_ + suffix);
            }
            pqxx::connection admin(pg_base_ + "/postgres");
            pqxx::nontransaction tx(admin);
            tx.exec("DROP DATABASE IF EXISTS " + user_db_ + " WITH (FORCE)");
            tx.exec("DROP DATABASE IF EXISTS " + album_db_ + " WITH (FORCE)");
        } catch (const std::exception& e) {
            ADD_FAILURE() << "clean-up: " << e.what();
        }
        if (!HasFailure()) {
            std::error_code ec;
            fs::remove_all(dir_, ec);  // kept, logs included, when something failed
        }
    }

    // The album service; `pg_url` and `amqp_url` default to the test servers themselves. Decoding
    // on one thread with two deliveries in flight, so a batch takes long enough to be interrupted
    // in the middle.
    void StartAlbum(const std::string& pg_url = "", const std::string& amqp_url = "") {
        album_ = std::make_unique<testkit::ChildProcess>(
            HATONGSU_ALBUM_BIN,
            std::map<std::string, std::string>{
                {"ALBUM_GRPC_ADDR", "127.0.0.1:" + std::to_string(album_port_)},
                {"ALBUM_PG_URL", pg_url.empty() ? pg_base_ + "/" + album_db_ : pg_url},
                {"ALBUM_AMQP_URL", amqp_url.empty() ? amqp_url_ : amqp_url},
                {"ALBUM_QUEUE", queue_},
                {"ALBUM_THREADS", "2"},
                {"ALBUM_DECODE_THREADS", "1"},
                {"ALBUM_PREFETCH", "2"},
                {"STORAGE_DIR", store_.string()},
                {"HATONGSU_SERVICE_SECRET", kServiceSecret},
                {"LOG_FORMAT", "text"}},
            (dir_ / ("album-" + std::to_string(++album_starts_) + ".log")).string());
        ASSERT_TRUE(album_->WaitForPort(album_port_)) << album_->Log();
    }

    // The gateway; `amqp_url` defaults to the test broker itself.
    void StartGateway(const std::string& amqp_url = "") {
        gateway_ = std::make_unique<testkit::ChildProcess>(
            HATONGSU_GATEWAY_BIN,
            std::map<std::string, std::string>{
                {"GATEWAY_HTTP_PORT", std::to_string(gateway_port_)},
                {"GATEWAY_ALBUM_CACHE_MS", "0"},
                {"USER_GRPC_URL", "127.0.0.1:" + std::to_string(user_port_)},
                {"ALBUM_GRPC_URL", "127.0.0.1:" + std::to_string(album_port_)},
                {"GATEWAY_AMQP_URL", amqp_url.empty() ? amqp_url_ : amqp_url},
                {"GATEWAY_UPLOAD_QUEUE", queue_},
                {"GATEWAY_PUBLISH_TIMEOUT_MS", "5000"},
                {"GATEWAY_LOGIN_RATE_PER_S", "0"},
                {"STORAGE_DIR", store_.string()},
                {"HATONGSU_SERVICE_SECRET", kServiceSecret},
                {"LOG_FORMAT", "text"}},
            (dir_ / "gateway.log").string());
        ASSERT_TRUE(gateway_->WaitForPort(gateway_port_)) << gateway_->Log();
        auto login = testkit::HttpCall(
            gateway_port_, verb::post, "/auth/login",
            {{"Authorization",
              "Basic " + core::Base64Encode(std::string(kAdminEmail) + ":" + kAdminPassword)}});
        ASSERT_EQ(login.status, 201) << login.body << gateway_->Log();
        bearer_ = "Bearer " + std::string(login.Json().at("accessToken").as_string());
    }

    HttpResult Upload(const std::vector<Photo>& photos) {
        return testkit::HttpCall(
            gateway_port_, verb::post, "/file/uploads",
            {{"Authorization", bearer_},
             {"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary}},
            MultipartBody(photos));
    }

    // The batch's status as the dashboard sees it; nullopt while the gateway cannot tell (the
    // album service or its database is down).
    std::optional<boost::json::object> Batch(const std::string& batch_id) {
        try {
            auto r = testkit::HttpCall(
                gateway_port_, verb::get, "/file/uploads/" + batch_id,
                {{"Authorization", bearer_}});
            if (r.status != 200) {
                return std::nullopt;
            }
            return r.Json().as_object();
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    static int64_t Count(const boost::json::object& batch, const char* status) {
        return batch.at("counts").at(status).as_int64();
    }

    // Polls until every file of the batch is settled; the last status seen.
    boost::json::object WaitFinished(const std::string& batch_id) {
        std::optional<boost::json::object> last;
        Eventually(
            [&] {
                last = Batch(batch_id);
                return last && last->at("finished").as_bool();
            },
            kBatchCap);
        EXPECT_TRUE(last && last->at("finished").as_bool())
            << "the batch did not finish: " << (last ? boost::json::serialize(*last) : "no status")
            << "\n"
            << (album_ ? album_->Log() : "");
        return last.value_or(boost::json::object{});
    }

    // SQL on the album database (never through a proxy).
    int64_t AlbumScalar(const std::string& sql) {
        pqxx::connection c(pg_base_ + "/" + album_db_);
        pqxx::nontransaction tx(c);
        return tx.exec1(sql)[0].as<int64_t>();
    }

    // Every row's three objects exist, nothing else lies in the store's root, and no staging
    // object is left: the store holds exactly what the database says.
    void ExpectStoreMatchesDatabase(int64_t expected_rows) {
        EXPECT_EQ(AlbumScalar("SELECT count(*) FROM album_image"), expected_rows);
        EXPECT_EQ(AlbumScalar("SELECT count(DISTINCT sha256) FROM album_image"), expected_rows);
        pqxx::connection c(pg_base_ + "/" + album_db_);
        pqxx::nontransaction tx(c);
        int missing = 0;
        for (const auto& row :
             tx.exec("SELECT \"objectKey\", thumbnail_key, preview_key FROM album_image")) {
            for (int i = 0; i < 3; ++i) {
                if (row[i].is_null() || !fs::is_regular_file(store_ / row[i].as<std::string>())) {
                    ++missing;
                }
            }
        }
        EXPECT_EQ(missing, 0) << "objects named by rows but not on disk";
        EXPECT_EQ(CountTopLevelFiles(store_), 3 * expected_rows) << "orphan objects in the store";
        EXPECT_EQ(CountEntries(store_ / "staging"), 0) << "staging objects or folders left behind";
    }

    std::string pg_base_;
    std::string amqp_url_;
    std::string user_db_;
    std::string album_db_;
    std::string queue_;
    fs::path dir_;
    fs::path store_;
    uint16_t user_port_ = 0;
    uint16_t album_port_ = 0;
    uint16_t gateway_port_ = 0;
    int album_starts_ = 0;
    std::string bearer_;
    std::unique_ptr<testkit::ChildProcess> user_;
    std::unique_ptr<testkit::ChildProcess> album_;
    std::unique_ptr<testkit::ChildProcess> gateway_;
};

// SIGKILL the album service while a 100-image batch is half done, start it again: the broker
// redelivers what was unacknowledged, and every image ends exactly once in the database and once
// in the store, with nothing left in staging.
TEST_F(PipelineReliability, AlbumServiceKilledMidBatchFinishesEveryImageExactlyOnce) {
    ASSERT_NO_FATAL_FAILURE(StartAlbum());
    ASSERT_NO_FATAL_FAILURE(StartGateway());
    auto photos = MakePhotos(100, 0);
    auto upload = Upload(photos);
    ASSERT_EQ(upload.status, 202) << upload.body << gateway_->Log();
    const std::string batch_id(upload.Json().at("batchId").as_string());

    std::optional<boost::json::object> seen;
    ASSERT_TRUE(Eventually(
        [&] {
            seen = Batch(batch_id);
            return seen && Count(*seen, "done") >= 10 && Count(*seen, "queued") >= 1;
        },
        kEventCap))
        << "never saw the batch half done: " << (seen ? boost::json::serialize(*seen) : "no status")
        << "\n"
        << album_->Log();
    album_->Signal(SIGKILL);
    EXPECT_EQ(album_->Stop(), 128 + SIGKILL);
    const int64_t done_before = Count(*seen, "done");
    EXPECT_LT(done_before, 100);
    std::cout << "killed the album service with " << done_before << " done, "
              << Count(*seen, "processing") << " processing, " << Count(*seen, "queued")
              << " queued\n";

    ASSERT_NO_FATAL_FAILURE(StartAlbum());
    boost::json::object batch = WaitFinished(batch_id);
    ASSERT_FALSE(batch.empty());
    EXPECT_EQ(Count(batch, "done"), 100) << boost::json::serialize(batch);
    std::set<std::string> ids;
    for (const auto& f : batch.at("files").as_array()) {
        if (const auto* id = f.as_object().if_contains("imageId")) {
            ids.insert(std::string(id->as_string()));
        }
    }
    EXPECT_EQ(ids.size(), 100u) << "each file its own image";

    auto album = testkit::HttpCall(
        gateway_port_, verb::get, "/album?page=1&limit=1", {{"Authorization", bearer_}});
    ASSERT_EQ(album.status, 200) << album.body;
    EXPECT_EQ(album.Json().at("totalCount").as_int64(), 100);
    EXPECT_EQ(AlbumScalar("SELECT count(*) FROM upload_file WHERE status = 'done'"), 100);
    ExpectStoreMatchesDatabase(100);
}

// The broker goes away while the gateway runs and comes back (simulated at the TCP level, see the
// top of the file: the gateway's publisher and the album service's consumer reach the broker
// through a proxy that cuts and then refuses connections, as a broker restart would). During the
// outage an upload is refused with 503 QUEUE_UNAVAILABLE and leaves nothing staged; once the
// broker is back, the next upload is accepted (the publisher reconnected) and processed (so did
// the consumer).
TEST_F(PipelineReliability, PublisherAndConsumerReconnectAfterTheBrokerComesBack) {
    testkit::TcpProxy broker(PortOf(amqp_url_));
    const std::string proxied = WithPort(amqp_url_, broker.Port());
    ASSERT_NO_FATAL_FAILURE(StartAlbum("", proxied));
    ASSERT_NO_FATAL_FAILURE(StartGateway(proxied));
    auto photos = MakePhotos(3, 100, 64, 48);

    auto first = Upload({photos[0]});
    ASSERT_EQ(first.status, 202) << first.body << gateway_->Log();
    ASSERT_GE(broker.Accepted(), 2);  // the consumer's and the publisher's connections
    auto first_batch = WaitFinished(std::string(first.Json().at("batchId").as_string()));
    EXPECT_EQ(Count(first_batch, "done"), 1);

    broker.DropAll();  // the broker goes away...
    broker.SetRefusing(true);
    auto during = Upload({photos[1]});
    EXPECT_EQ(during.status, 503) << during.body;
    EXPECT_EQ(during.Json().at("message").as_string(), "QUEUE_UNAVAILABLE") << during.body;
    EXPECT_EQ(CountEntries(store_ / "staging"), 0) << "a refused upload left staging objects";

    broker.SetRefusing(false);  // ...and comes back
    auto after = Upload({photos[2]});
    ASSERT_EQ(after.status, 202) << after.body << gateway_->Log();
    auto after_batch = WaitFinished(std::string(after.Json().at("batchId").as_string()));
    EXPECT_EQ(Count(after_batch, "done"), 1) << boost::json::serialize(after_batch);
    ExpectStoreMatchesDatabase(2);
}

// PostgreSQL goes away while a batch is being processed and comes back (simulated at the TCP
// level, see the top of the file: the album service reaches the database through a proxy). Jobs
// that fail meanwhile are retried with back-off and finish once the database is back; nothing is
// dead-lettered, and the store matches the database.
TEST_F(PipelineReliability, AlbumJobsRetryThroughADatabaseOutageAndNoneIsDeadLettered) {
    testkit::TcpProxy database(PortOf(pg_base_));
    ASSERT_NO_FATAL_FAILURE(StartAlbum(WithPort(pg_base_, database.Port()) + "/" + album_db_));
    ASSERT_NO_FATAL_FAILURE(StartGateway());
    constexpr int kFiles = 30;
    auto photos = MakePhotos(kFiles, 200);
    auto upload = Upload(photos);
    ASSERT_EQ(upload.status, 202) << upload.body << gateway_->Log();
    const std::string batch_id(upload.Json().at("batchId").as_string());

    std::optional<boost::json::object> seen;
    ASSERT_TRUE(Eventually(
        [&] {
            seen = Batch(batch_id);
            return seen && Count(*seen, "done") >= 1 && Count(*seen, "queued") >= 1;
        },
        kEventCap))
        << "never saw the batch half done: " << (seen ? boost::json::serialize(*seen) : "no status")
        << "\n"
        << album_->Log();
    database.DropAll();  // the database goes away...
    database.SetRefusing(true);
    // ...for as long as it takes the worker to fail every pending job once and then some again
    // when their first retry comes back from the retry queue (more failures than pending jobs).
    const int pending = kFiles - static_cast<int>(Count(*seen, "done"));
    auto retries = [&] {
        std::string log = album_->Log();
        int n = 0;
        for (std::size_t at = log.find("will be retried"); at != std::string::npos;
             at = log.find("will be retried", at + 1)) {
            ++n;
        }
        return n;
    };
    EXPECT_TRUE(Eventually([&] { return retries() > pending; }, kEventCap)) << album_->Log();
    database.SetRefusing(false);  // ...and comes back
    std::cout << "retries scheduled during the outage: " << retries() << "\n";

    boost::json::object batch = WaitFinished(batch_id);
    ASSERT_FALSE(batch.empty());
    EXPECT_EQ(Count(batch, "done"), kFiles) << boost::json::serialize(batch) << album_->Log();
    EXPECT_EQ(Count(batch, "failed"), 0);
    BrokerAdmin broker;
    EXPECT_EQ(broker.Depth(queue_ + ".dead"), std::optional<int>(0)) << "dead-lettered jobs";
    EXPECT_EQ(broker.Depth(queue_ + ".retry"), std::optional<int>(0));
    ExpectStoreMatchesDatabase(kFiles);
}

}  // namespace
}  // namespace hatongsu
