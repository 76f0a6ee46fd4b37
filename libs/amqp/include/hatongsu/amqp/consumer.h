// Consumes a work queue with manual acknowledgements: at most `prefetch` deliveries are in flight,
// each handled on a thread pool, and each settled by the handler's outcome:
//
//   Ack                the message is done: acknowledged.
//   Retry{reason}      published to the retry queue with expiration RetryDelay(attempt,
//                      base_delay, max_delay) and header x-attempt = attempt + 1 (and
//                      x-retry-reason), then the original is acknowledged; after the delay the
//                      broker moves it back to the queue. At attempt >= max_attempts a Retry
//                      becomes a DeadLetter with the same reason.
//   DeadLetter{reason} published to the dead-letter queue with headers x-death-reason and
//                      x-attempt, then the original is acknowledged.
//
// A body over max_body_bytes is never read into memory nor handed to the handler: its frames are
// skipped and a copy with an empty body (headers kept, x-death-reason TOO_LARGE, x-body-size) goes
// to the dead-letter queue.
//
// No message can be lost between the two steps of a Retry or DeadLetter: the copy is published
// with publisher confirms (mandatory) and the original is acknowledged only once the broker has
// confirmed the copy. If the connection breaks in between, the original is redelivered and may
// exist twice (once in the queue, once in the retry or dead-letter queue): at-least-once.
//
// Threads: one consumer thread owns the rabbitmq-c connection (rabbitmq-c is not thread-safe):
// it reads deliveries, hands them to the pool, and performs every ack and publish; a handler's
// Completion only queues the outcome to that thread. When the connection breaks (broker restart)
// the consumer thread waits for the handlers still running (their outcomes are dropped: the broker
// redelivers those messages, with `redelivered` set), then reconnects with back-off. Handlers must
// therefore be idempotent.
//
// The attempt number counts Retry outcomes (header x-attempt), not broker redeliveries: a message
// whose handler crashes the process every time is redelivered without end.
//
//   amqp::Consumer consumer(
//       {.url = url, .topology = amqp::Topology::For("album_queue"), .prefetch = 8},
//       [&](amqp::Delivery d, amqp::Completion done) { done.Finish(Process(d)); });
//   if (absl::Status s = consumer.Start(); !s.ok()) { ... exit 2 ... }
//   rt.OnDrain("amqp consumer", [&](auto deadline) { consumer.Stop(deadline); });
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include <absl/status/status.h>

#include "hatongsu/amqp/topology.h"

namespace hatongsu::metrics {
class Registry;
}

namespace hatongsu::amqp {

struct Delivery {
    std::string body;
    std::map<std::string, std::string> headers;  // string, integer and boolean headers, as text
    std::string message_id;
    std::string content_type;
    bool redelivered = false;  // the broker delivered it before (a connection broke): be idempotent
    int attempt = 1;           // 1 + the number of Retry outcomes so far (header x-attempt)
};

struct Ack {};
struct Retry {
    std::string reason;
};
struct DeadLetter {
    std::string reason;
};
using Outcome = std::variant<Ack, Retry, DeadLetter>;

namespace internal {
class Settler;
}

// How a handler reports its outcome, exactly once: Finish() may be called from any thread, also
// after the handler has returned (move the Completion along). A second Finish is ignored. A
// Completion destroyed without Finish (the handler threw or forgot) reports
// Retry{"NO_OUTCOME"}. Move-only.
class Completion final {
public:
    Completion(Completion&& other) noexcept;
    Completion& operator=(Completion&& other) noexcept;
    Completion(const Completion&) = delete;
    Completion& operator=(const Completion&) = delete;
    ~Completion();

    void Finish(Outcome outcome);

private:
    friend class Consumer;
    Completion(
        std::shared_ptr<internal::Settler> settler,
        std::uint64_t generation,
        std::uint64_t delivery_tag);

    std::shared_ptr<internal::Settler> settler_;  // null once finished or moved from
    std::uint64_t generation_ = 0;                // which connection delivered it
    std::uint64_t delivery_tag_ = 0;
};

// Runs on a pool thread; must report through `completion` (see Completion).
using Handler = std::function<void(Delivery delivery, Completion completion)>;

struct ConsumerConfig {
    std::string url;          // amqp://user:password@host:port/vhost ("/" when the vhost is empty)
    Topology topology;        // consumes topology.queue; the whole topology is declared on connect
    int prefetch = 8;         // basic.qos: deliveries in flight (1..65535)
    int handler_threads = 0;  // pool size; 0: prefetch (more would idle)
    int max_attempts = 5;     // a Retry at this attempt becomes a DeadLetter (>= 1)
    std::chrono::milliseconds base_delay{1000};  // retry delay after attempt 1, doubled after each
    std::chrono::milliseconds max_delay{60000};
    std::size_t max_body_bytes = 64 * 1024;  // larger bodies are dead-lettered as TOO_LARGE
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds reconnect_base_delay{100};  // back-off between reconnects
    std::chrono::milliseconds reconnect_max_delay{5000};
    std::chrono::seconds heartbeat{30};  // AMQP heartbeat: a silent broker is given up after 2x
    // Where settled deliveries are counted once settled (an ack sent; a retry or dead-letter copy
    // confirmed by the broker and its original acknowledged), so a copy the broker refuses and
    // the redelivery it causes are not counted twice (must outlive the consumer; nullptr: not
    // counted):
    // hatongsu_queue_consumed_total{queue, outcome=ack|retry|dead_letter} and
    // hatongsu_queue_dead_lettered_total{queue}.
    metrics::Registry* metrics = nullptr;
};

class Consumer final {
public:
    using Config = ConsumerConfig;

    Consumer(ConsumerConfig config, Handler handler);
    // Stops (with no grace) if still running, then waits for every handler to return.
    ~Consumer();
    Consumer(const Consumer&) = delete;
    Consumer& operator=(const Consumer&) = delete;

    // Checks the configuration (InvalidArgument) and starts the consumer thread and the pool.
    // Connecting happens on the consumer thread, retried with back-off: a broker that is not up
    // yet is not an error. Call once.
    [[nodiscard]] absl::Status Start();

    // For the runtime's drain (Runtime::OnDrain): cancels the consumer so no new delivery is
    // handled (deliveries already on their way are requeued), waits until `deadline` for the
    // handlers in flight and settles their outcomes, then closes the connection (the broker
    // requeues whatever was not settled) and returns. Handlers still running at the deadline keep
    // running; the destructor waits for them. Safe to call more than once, and without Start.
    void Stop(std::chrono::steady_clock::time_point deadline);

    // For readiness: consuming on an open connection right now.
    bool Connected() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hatongsu::amqp
