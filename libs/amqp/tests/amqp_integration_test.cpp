// Publisher and Consumer against the real RabbitMQ of scripts/test.sh (HATONGSU_AMQP_URL); every
// test uses queues of its own (random names) and deletes them at the end. Waiting is on events
// (a handler ran, the broker counts a message) with a generous limit that only guards against a
// hang; nothing is timed.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <amqp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/amqp/consumer.h"
#include "hatongsu/amqp/publisher.h"
#include "hatongsu/amqp/topology.h"
#include "hatongsu/core/random.h"
#include "hatongsu/testkit/status_matchers.h"
#include "hatongsu/testkit/tcp_proxy.h"
#include "libs/amqp/src/connection.h"

namespace hatongsu::amqp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using testkit::IsOk;
using testkit::StatusIs;

constexpr auto kLimit = seconds(60);  // only against a hang

// Polls `pred` (a question to the broker) until it holds or kLimit passes.
template <typename Pred>
bool Eventually(Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + kLimit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
}

// A plain rabbitmq-c connection for looking into queues behind the library's back.
class Broker final {
public:
    explicit Broker(const std::string& url) {
        auto parsed = internal::ParseUrl(url);
        auto opened = internal::Connection::Open(
            *parsed, {.timeout = seconds(10), .heartbeat_seconds = 0, .name = "test inspector"});
        if (!opened.ok()) {
            ADD_FAILURE() << opened.status();
            return;
        }
        connection_ = std::move(opened).value();
    }
    ~Broker() {
        if (connection_) {
            connection_->Close();
        }
    }

    struct Counts {
        int ready = -1;
        int consumers = -1;
    };
    Counts Count(const std::string& queue) {
        auto* ok = amqp_queue_declare(
            State(), internal::kChannel, internal::Bytes(queue), /*passive=*/1, 0, 0, 0,
            amqp_empty_table);
        if (ok == nullptr) {
            ADD_FAILURE() << "passive declare of " << queue << " failed";
            return {};
        }
        return {static_cast<int>(ok->message_count), static_cast<int>(ok->consumer_count)};
    }
    int Ready(const std::string& queue) { return Count(queue).ready; }

    struct Got {
        std::string body;
        std::string message_id;
        std::string expiration;
        std::map<std::string, std::string> headers;
    };
    std::optional<Got> Get(const std::string& queue) {
        amqp_rpc_reply_t reply =
            amqp_basic_get(State(), internal::kChannel, internal::Bytes(queue), /*no_ack=*/1);
        if (reply.reply_type != AMQP_RESPONSE_NORMAL ||
            reply.reply.id != AMQP_BASIC_GET_OK_METHOD) {
            return std::nullopt;
        }
        amqp_message_t message;
        if (amqp_read_message(State(), internal::kChannel, &message, 0).reply_type !=
            AMQP_RESPONSE_NORMAL) {
            ADD_FAILURE() << "read_message failed";
            return std::nullopt;
        }
        Got got;
        got.body = std::string(internal::View(message.body));
        const amqp_basic_properties_t& p = message.properties;
        if ((p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0) {
            got.message_id = std::string(internal::View(p.message_id));
        }
        if ((p._flags & AMQP_BASIC_EXPIRATION_FLAG) != 0) {
            got.expiration = std::string(internal::View(p.expiration));
        }
        if ((p._flags & AMQP_BASIC_HEADERS_FLAG) != 0) {
            got.headers = internal::HeadersFromTable(p.headers);
        }
        amqp_destroy_message(&message);
        return got;
    }

    void Delete(const std::string& queue) {
        amqp_queue_delete(State(), internal::kChannel, internal::Bytes(queue), 0, 0);
        amqp_get_rpc_reply(State());
    }

private:
    amqp_connection_state_t State() { return connection_->State(); }
    std::unique_ptr<internal::Connection> connection_;
};

// What handlers saw, shared with the test thread. (std::mutex: ThreadSanitizer sees it.)
struct Seen {
    std::string message_id;
    std::string body;
    std::map<std::string, std::string> headers;
    std::string content_type;
    bool redelivered = false;
    int attempt = 0;
};

class Recorder final {
public:
    void Add(const Delivery& d) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            seen_.push_back(
                {d.message_id, d.body, d.headers, d.content_type, d.redelivered, d.attempt});
        }
        changed_.notify_all();
    }
    std::vector<Seen> All() {
        std::lock_guard<std::mutex> lock(mu_);
        return seen_;
    }
    // Until `n` deliveries were recorded.
    bool AwaitCount(std::size_t n) {
        std::unique_lock<std::mutex> lock(mu_);
        return changed_.wait_for(lock, kLimit, [&] { return seen_.size() >= n; });
    }
    // Until `n` distinct message ids were recorded.
    bool AwaitDistinct(std::size_t n) {
        std::unique_lock<std::mutex> lock(mu_);
        return changed_.wait_for(lock, kLimit, [&] {
            std::set<std::string> ids;
            for (const Seen& s : seen_) {
                ids.insert(s.message_id);
            }
            return ids.size() >= n;
        });
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    std::vector<Seen> seen_;
};

// Holds handlers until opened.
class Gate final {
public:
    void Open() {
        {
            std::lock_guard<std::mutex> lock(mu_);
            open_ = true;
        }
        changed_.notify_all();
    }
    void Wait() {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait_for(lock, kLimit, [&] { return open_; });
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    bool open_ = false;
};

// Counts handlers inside a section, and the most at once.
class Occupancy final {
public:
    void Enter() {
        {
            std::lock_guard<std::mutex> lock(mu_);
            ++now_;
            max_ = std::max(max_, now_);
        }
        changed_.notify_all();
    }
    void Leave() {
        std::lock_guard<std::mutex> lock(mu_);
        --now_;
    }
    bool AwaitInside(int n) {
        std::unique_lock<std::mutex> lock(mu_);
        return changed_.wait_for(lock, kLimit, [&] { return now_ >= n; });
    }
    int Max() {
        std::lock_guard<std::mutex> lock(mu_);
        return max_;
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    int now_ = 0;
    int max_ = 0;
};

Message Text(std::string id, std::string body) {
    Message m;
    m.message_id = std::move(id);
    m.body = std::move(body);
    return m;
}

class AmqpTest : public ::testing::Test {
protected:
    void SetUp() override {
        const char* url = std::getenv("HATONGSU_AMQP_URL");  // NOLINT(concurrency-mt-unsafe)
        if (url == nullptr) {
            GTEST_SKIP() << "HATONGSU_AMQP_URL is not set: run through scripts/test.sh";
        }
        url_ = url;
        topology_ = Topology::For("hatongsu_test_" + core::RandomUuidV4());
        broker_.emplace(url_);
    }
    void TearDown() override {
        if (broker_) {
            for (const std::string& q :
                 {topology_.queue, topology_.retry_queue, topology_.dead_letter_queue}) {
                broker_->Delete(q);
            }
        }
    }

    ConsumerConfig Config() const { return {.url = url_, .topology = topology_, .prefetch = 4}; }
    PublisherConfig PublisherSettings() const { return {.url = url_, .topology = topology_}; }

    // The broker's URL with its host and port replaced by a proxy's.
    std::string Through(const testkit::TcpProxy& proxy) const {
        auto parsed = internal::ParseUrl(url_);
        std::string vhost = parsed->vhost == "/" ? "%2f" : parsed->vhost;
        return "amqp://" + parsed->user + ":" + parsed->password +
               "@127.0.0.1:" + std::to_string(proxy.Port()) + "/" + vhost;
    }
    uint16_t BrokerPort() const { return static_cast<uint16_t>(internal::ParseUrl(url_)->port); }

    std::string url_;
    Topology topology_;
    std::optional<Broker> broker_;
};

TEST_F(AmqpTest, DeclaresTheTopologyIdempotently) {
    ASSERT_THAT(DeclareTopology(url_, topology_, seconds(10)), IsOk());
    ASSERT_THAT(DeclareTopology(url_, topology_, seconds(10)), IsOk());
    EXPECT_EQ(broker_->Ready(topology_.queue), 0);
    EXPECT_EQ(broker_->Ready(topology_.retry_queue), 0);
    EXPECT_EQ(broker_->Ready(topology_.dead_letter_queue), 0);
}

TEST_F(AmqpTest, AMainQueueDeclaredWithArgumentsElsewhereIsAClearError) {
    // The main queue must stay argument-free (the original declares it so): a queue of that name
    // with other arguments is reported, not silently used.
    Topology swapped{
        .queue = topology_.retry_queue, .retry_queue = topology_.queue, .dead_letter_queue = ""};
    ASSERT_THAT(DeclareTopology(url_, topology_, seconds(10)), IsOk());
    EXPECT_THAT(
        DeclareTopology(url_, swapped, seconds(10)),
        StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(AmqpTest, PublishesAndConsumesWithHeaders) {
    Publisher publisher(PublisherSettings());
    Message m = Text("m-1", R"({"stagingKey":"staging/abc"})");
    m.headers = {{"x-request-id", "req-42"}, {"x-batch", "b-7"}};
    ASSERT_THAT(publisher.PublishBatch({m}, seconds(10)), IsOk());
    EXPECT_TRUE(publisher.Connected());

    Recorder seen;
    Consumer consumer(Config(), [&](Delivery d, Completion done) {
        seen.Add(d);
        done.Finish(Ack{});
    });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(seen.AwaitCount(1));
    consumer.Stop(std::chrono::steady_clock::now() + seconds(10));

    std::vector<Seen> all = seen.All();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].message_id, "m-1");
    EXPECT_EQ(all[0].body, R"({"stagingKey":"staging/abc"})");
    EXPECT_EQ(all[0].content_type, "application/json");
    EXPECT_EQ(all[0].headers.at("x-request-id"), "req-42");
    EXPECT_EQ(all[0].headers.at("x-batch"), "b-7");
    EXPECT_FALSE(all[0].redelivered);
    EXPECT_EQ(all[0].attempt, 1);
    EXPECT_EQ(broker_->Ready(topology_.queue), 0);  // acknowledged: not requeued at the close
}

TEST_F(AmqpTest, ConfirmsABatchOfAHundred) {
    Publisher publisher(PublisherSettings());
    std::vector<Message> batch;
    for (int i = 0; i < 100; ++i) {
        batch.push_back(Text("id-" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}"));
    }
    ASSERT_THAT(publisher.PublishBatch(batch, seconds(20)), IsOk());
    // Confirmed means queued: all hundred are there as soon as the call returns.
    EXPECT_EQ(broker_->Ready(topology_.queue), 100);
    auto first = broker_->Get(topology_.queue);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->message_id, "id-0");
}

TEST_F(AmqpTest, RefusesABadConfigurationWithoutIo) {
    Publisher bad_url({.url = "http://nope/", .topology = topology_});
    EXPECT_THAT(
        bad_url.PublishBatch({Text("x", "y")}, seconds(1)),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_FALSE(bad_url.Connected());
    Publisher bad_header(PublisherSettings());
    Message m = Text("x", "y");
    m.headers[std::string(300, 'h')] = "v";
    EXPECT_THAT(
        bad_header.PublishBatch({m}, seconds(1)), StatusIs(absl::StatusCode::kInvalidArgument));

    Consumer consumer({.url = url_, .topology = topology_, .prefetch = 0}, [](auto, auto) {});
    EXPECT_THAT(consumer.Start(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AmqpTest, NeverRunsMoreHandlersThanThePrefetch) {
    Publisher publisher(PublisherSettings());
    std::vector<Message> batch;
    for (int i = 0; i < 20; ++i) {
        batch.push_back(Text("p-" + std::to_string(i), "{}"));
    }
    ASSERT_THAT(publisher.PublishBatch(batch, seconds(10)), IsOk());

    Occupancy inside;
    Gate gate;
    Recorder done;
    ConsumerConfig config = Config();
    config.prefetch = 3;
    config.handler_threads = 8;  // more threads than the prefetch: only the prefetch may limit
    Consumer consumer(config, [&](Delivery d, Completion completion) {
        inside.Enter();
        gate.Wait();
        inside.Leave();
        done.Add(d);
        completion.Finish(Ack{});
    });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(inside.AwaitInside(3));
    // Three handlers wait at the gate, and the broker still holds the other seventeen: it has
    // handed out exactly the prefetch, so no fourth handler can be on its way.
    EXPECT_EQ(broker_->Ready(topology_.queue), 17);
    gate.Open();
    ASSERT_TRUE(done.AwaitCount(20));
    consumer.Stop(std::chrono::steady_clock::now() + seconds(10));
    EXPECT_EQ(inside.Max(), 3);
    EXPECT_EQ(broker_->Ready(topology_.queue), 0);
}

TEST_F(AmqpTest, RetriesWithGrowingAttemptNumbersThenAcks) {
    Publisher publisher(PublisherSettings());
    ASSERT_THAT(publisher.PublishBatch({Text("r-1", "job")}, seconds(10)), IsOk());

    Recorder seen;
    ConsumerConfig config = Config();
    config.max_attempts = 5;
    config.base_delay = milliseconds(20);
    config.max_delay = milliseconds(100);
    Consumer consumer(config, [&](Delivery d, Completion done) {
        seen.Add(d);
        if (d.attempt < 3) {
            done.Finish(Retry{"BUSY"});
        } else {
            done.Finish(Ack{});
        }
    });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(seen.AwaitCount(3));
    consumer.Stop(std::chrono::steady_clock::now() + seconds(10));

    std::vector<Seen> all = seen.All();
    ASSERT_EQ(all.size(), 3u);
    std::vector<int> attempts;
    for (const Seen& s : all) {
        attempts.push_back(s.attempt);
        EXPECT_EQ(s.message_id, "r-1");
        EXPECT_EQ(s.body, "job");
    }
    EXPECT_THAT(attempts, ElementsAre(1, 2, 3));
    EXPECT_EQ(all[1].headers.at("x-retry-reason"), "BUSY");
    EXPECT_EQ(broker_->Ready(topology_.queue), 0);
    EXPECT_EQ(broker_->Ready(topology_.retry_queue), 0);
    EXPECT_EQ(broker_->Ready(topology_.dead_letter_queue), 0);
}

TEST_F(AmqpTest, ARetryWaitsInTheRetryQueueWithItsBackOff) {
    // A consumer that never comes back lets us look at the copy parked in the retry queue.
    Publisher publisher(PublisherSettings());
    ASSERT_THAT(publisher.PublishBatch({Text("w-1", "job")}, seconds(10)), IsOk());
    Recorder seen;
    ConsumerConfig config = Config();
    config.base_delay = seconds(600);  // stays parked for the whole test
    config.max_delay = seconds(600);
    {
        Consumer consumer(config, [&](Delivery d, Completion done) {
            seen.Add(d);
            done.Finish(Retry{"DB_DOWN"});
        });
        ASSERT_THAT(consumer.Start(), IsOk());
        ASSERT_TRUE(Eventually([&] { return broker_->Ready(topology_.retry_queue) == 1; }));
        consumer.Stop(std::chrono::steady_clock::now() + seconds(10));
    }
    EXPECT_EQ(broker_->Ready(topology_.queue), 0);  // the original was acknowledged
    auto parked = broker_->Get(topology_.retry_queue);
    ASSERT_TRUE(parked.has_value());
    EXPECT_EQ(parked->body, "job");
    EXPECT_EQ(parked->message_id, "w-1");
    EXPECT_EQ(parked->expiration, "600000");
    EXPECT_EQ(parked->headers.at("x-attempt"), "2");
    EXPECT_EQ(parked->headers.at("x-retry-reason"), "DB_DOWN");
}

TEST_F(AmqpTest, DeadLettersAfterTheLastAttemptWithTheReason) {
    Publisher publisher(PublisherSettings());
    Message m = Text("d-1", "poison");
    m.headers["x-request-id"] = "req-9";
    ASSERT_THAT(publisher.PublishBatch({m}, seconds(10)), IsOk());

    Recorder seen;
    ConsumerConfig config = Config();
    config.max_attempts = 2;
    config.base_delay = milliseconds(10);
    config.max_delay = milliseconds(10);
    Consumer consumer(config, [&](Delivery d, Completion done) {
        seen.Add(d);
        done.Finish(Retry{"DB_DOWN"});
    });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(Eventually([&] { return broker_->Ready(topology_.dead_letter_queue) == 1; }));
    consumer.Stop(std::chrono::steady_clock::now() + seconds(10));

    EXPECT_EQ(seen.All().size(), 2u);  // attempts 1 and 2, then no more
    auto dead = broker_->Get(topology_.dead_letter_queue);
    ASSERT_TRUE(dead.has_value());
    EXPECT_EQ(dead->body, "poison");
    EXPECT_EQ(dead->message_id, "d-1");
    EXPECT_EQ(dead->headers.at("x-death-reason"), "DB_DOWN");
    EXPECT_EQ(dead->headers.at("x-attempt"), "2");
    EXPECT_EQ(dead->headers.at("x-request-id"), "req-9");
    EXPECT_EQ(broker_->Ready(topology_.queue), 0);
    EXPECT_EQ(broker_->Ready(topology_.retry_queue), 0);
}

TEST_F(AmqpTest, DeadLettersAtOnceWhenTheHandlerSaysSo) {
    Publisher publisher(PublisherSettings());
    ASSERT_THAT(publisher.PublishBatch({Text("n-1", "not an image")}, seconds(10)), IsOk());
    Consumer consumer(
        Config(), [&](Delivery, Completion done) { done.Finish(DeadLetter{"NOT_AN_IMAGE"}); });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(Eventually([&] { return broker_->Ready(topology_.dead_letter_queue) == 1; }));
    consumer.Stop(std::chrono::steady_clock::now() + seconds(10));
    auto dead = broker_->Get(topology_.dead_letter_queue);
    ASSERT_TRUE(dead.has_value());
    EXPECT_EQ(dead->headers.at("x-death-reason"), "NOT_AN_IMAGE");
    EXPECT_EQ(dead->headers.at("x-attempt"), "1");
    EXPECT_EQ(broker_->Ready(topology_.queue), 0);
}

TEST_F(AmqpTest, AHandlerThatReportsNothingGetsItsMessageRetried) {
    Publisher publisher(PublisherSettings());
    ASSERT_THAT(publisher.PublishBatch({Text("f-1", "x")}, seconds(10)), IsOk());
    Recorder seen;
    ConsumerConfig config = Config();
    config.base_delay = milliseconds(10);
    config.max_delay = milliseconds(10);
    Consumer consumer(config, [&](Delivery d, Completion done) {
        seen.Add(d);
        if (d.attempt == 1) {
            throw std::runtime_error("bug");  // the Completion reports NO_OUTCOME
        }
        done.Finish(Ack{});
    });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(seen.AwaitCount(2));
    consumer.Stop(std::chrono::steady_clock::now() + seconds(10));
    std::vector<Seen> all = seen.All();
    EXPECT_EQ(all[1].attempt, 2);
    EXPECT_EQ(all[1].headers.at("x-retry-reason"), "NO_OUTCOME");
}

TEST_F(AmqpTest, DeadLettersAnOversizedBodyWithoutHandlingIt) {
    Publisher publisher(PublisherSettings());
    std::string big(200 * 1024, 'x');  // more than one frame
    ASSERT_THAT(
        publisher.PublishBatch({Text("big", big), Text("small", "ok")}, seconds(10)), IsOk());

    Recorder seen;
    ConsumerConfig config = Config();
    config.max_body_bytes = 1024;
    Consumer consumer(config, [&](Delivery d, Completion done) {
        seen.Add(d);
        done.Finish(Ack{});
    });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(seen.AwaitCount(1));
    ASSERT_TRUE(Eventually([&] { return broker_->Ready(topology_.dead_letter_queue) == 1; }));
    consumer.Stop(std::chrono::steady_clock::now() + seconds(10));

    std::vector<Seen> all = seen.All();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].message_id, "small");
    auto dead = broker_->Get(topology_.dead_letter_queue);
    ASSERT_TRUE(dead.has_value());
    EXPECT_EQ(dead->message_id, "big");
    EXPECT_EQ(dead->body, "");
    EXPECT_EQ(dead->headers.at("x-death-reason"), "TOO_LARGE");
    EXPECT_EQ(dead->headers.at("x-body-size"), std::to_string(big.size()));
    EXPECT_EQ(broker_->Ready(topology_.queue), 0);
}

TEST_F(AmqpTest, StopLetsHandlersInFlightFinishAndSettles) {
    Publisher publisher(PublisherSettings());
    ASSERT_THAT(
        publisher.PublishBatch({Text("s-1", "a"), Text("s-2", "b"), Text("s-3", "c")}, seconds(10)),
        IsOk());
    Occupancy inside;
    Gate gate;
    std::atomic<int> finished{0};
    ConsumerConfig config = Config();
    config.prefetch = 2;
    Consumer consumer(config, [&](Delivery, Completion done) {
        inside.Enter();
        gate.Wait();
        finished.fetch_add(1);
        done.Finish(Ack{});
    });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(inside.AwaitInside(2));

    std::thread stopper([&] { consumer.Stop(std::chrono::steady_clock::now() + seconds(30)); });
    // The consumer is cancelled first (the broker then counts no consumer) while both handlers
    // still wait; only then may they finish.
    ASSERT_TRUE(Eventually([&] { return broker_->Count(topology_.queue).consumers == 0; }));
    EXPECT_EQ(finished.load(), 0);
    gate.Open();
    stopper.join();

    EXPECT_EQ(finished.load(), 2);
    EXPECT_EQ(inside.Max(), 2);                     // the third message was never handed out
    EXPECT_EQ(broker_->Ready(topology_.queue), 1);  // the two handled ones were acknowledged
    EXPECT_FALSE(consumer.Connected());
}

TEST_F(AmqpTest, StopAtItsDeadlineLeavesUnfinishedWorkToTheBroker) {
    Publisher publisher(PublisherSettings());
    ASSERT_THAT(publisher.PublishBatch({Text("h-1", "a")}, seconds(10)), IsOk());
    Occupancy inside;
    Gate gate;
    {
        Consumer consumer(Config(), [&](Delivery, Completion done) {
            inside.Enter();
            gate.Wait();
            done.Finish(Ack{});
        });
        ASSERT_THAT(consumer.Start(), IsOk());
        ASSERT_TRUE(inside.AwaitInside(1));
        consumer.Stop(std::chrono::steady_clock::now() + milliseconds(50));  // returns, stuck
        // Requeued by the broker when the connection closed.
        EXPECT_TRUE(Eventually([&] { return broker_->Ready(topology_.queue) == 1; }));
        gate.Open();  // the destructor waits for the handler; its late Ack goes nowhere
    }
    EXPECT_EQ(broker_->Ready(topology_.queue), 1);
}

TEST_F(AmqpTest, ThePublisherReconnectsAfterTheBrokerWasAway) {
    testkit::TcpProxy proxy(BrokerPort());
    Publisher publisher({.url = Through(proxy), .topology = topology_});
    ASSERT_THAT(publisher.PublishBatch({Text("a", "1")}, seconds(10)), IsOk());

    proxy.SetRefusing(true);
    proxy.DropAll();
    EXPECT_THAT(
        publisher.PublishBatch({Text("b", "2")}, seconds(5)),
        StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_FALSE(publisher.Connected());

    proxy.SetRefusing(false);
    EXPECT_TRUE(publisher.Connected());
    proxy.DropAll();  // broken again, unnoticed until the next call
    ASSERT_THAT(publisher.PublishBatch({Text("c", "3")}, seconds(10)), IsOk());
    EXPECT_EQ(broker_->Ready(topology_.queue), 2);  // "a" and "c"
}

TEST_F(AmqpTest, ThePublisherPublishesABatchAgainWhenItsConnectionBreaksMidway) {
    testkit::TcpProxy proxy(BrokerPort());
    Publisher publisher({.url = Through(proxy), .topology = topology_});
    ASSERT_THAT(publisher.PublishBatch({Text("a", "1")}, seconds(10)), IsOk());

    // The connection looks healthy but breaks as soon as the batch is sent: no confirm comes,
    // and the whole batch goes again on a new connection.
    proxy.DropOnNextClientData();
    std::vector<Message> batch;
    for (int i = 0; i < 10; ++i) {
        batch.push_back(Text("b-" + std::to_string(i), "{}"));
    }
    ASSERT_THAT(publisher.PublishBatch(batch, seconds(10)), IsOk());
    EXPECT_EQ(proxy.Accepted(), 2);
    EXPECT_EQ(broker_->Ready(topology_.queue), 11);  // nothing of the cut attempt arrived
}

TEST_F(AmqpTest, SurvivesDroppedConnectionsMidStream) {
    testkit::TcpProxy proxy(BrokerPort());
    Publisher publisher({.url = Through(proxy), .topology = topology_});
    std::vector<Message> first;
    std::vector<Message> second;
    for (int i = 0; i < 50; ++i) {
        first.push_back(Text("a-" + std::to_string(i), "{}"));
        second.push_back(Text("b-" + std::to_string(i), "{}"));
    }
    ASSERT_THAT(publisher.PublishBatch(first, seconds(20)), IsOk());

    Recorder seen;
    Gate resume;
    Occupancy reached;  // the tenth delivery waits here until the connections are dropped
    std::atomic<int> count{0};
    ConsumerConfig config = Config();
    config.url = Through(proxy);
    config.prefetch = 4;
    config.reconnect_base_delay = milliseconds(10);
    config.reconnect_max_delay = milliseconds(100);
    Consumer consumer(config, [&](Delivery d, Completion done) {
        seen.Add(d);
        if (count.fetch_add(1) + 1 == 10) {
            reached.Enter();
            resume.Wait();
        }
        done.Finish(Ack{});
    });
    ASSERT_THAT(consumer.Start(), IsOk());
    ASSERT_TRUE(reached.AwaitInside(1));

    proxy.DropAll();  // mid-stream: deliveries in flight, acknowledgements lost
    resume.Open();
    ASSERT_THAT(publisher.PublishBatch(second, seconds(20)), IsOk());
    ASSERT_TRUE(seen.AwaitDistinct(100));
    ASSERT_TRUE(Eventually([&] { return broker_->Ready(topology_.queue) == 0; }));
    consumer.Stop(std::chrono::steady_clock::now() + seconds(10));

    // Every message was handled; a message handled more than once came back flagged as a
    // redelivery (the handler's cue to be idempotent), never as a fresh message.
    std::map<std::string, int> times;
    int again = 0;
    for (const Seen& s : seen.All()) {
        if (++times[s.message_id] > 1) {
            EXPECT_TRUE(s.redelivered) << s.message_id;
            ++again;
        }
    }
    EXPECT_EQ(times.size(), 100u);
    EXPECT_GE(again, 1);  // at least the tenth: its acknowledgement had no connection left
    EXPECT_GE(proxy.Accepted(), 4);  // both reconnected
}

}  // namespace
}  // namespace hatongsu::amqp
