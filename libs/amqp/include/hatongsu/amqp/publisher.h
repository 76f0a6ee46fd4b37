// Publishes batches of persistent messages to a work queue and returns once the broker has
// confirmed every one of them (publisher confirms), so "OK" means the broker took responsibility.
//
//   amqp::Publisher publisher({.url = url, .topology = amqp::Topology::For("album_queue")});
//   absl::Status s = publisher.PublishBatch(messages, std::chrono::seconds(5));
//   if (!s.ok()) { /* 503: nothing of the batch may be assumed queued */ }
//
// Thread-safe: one connection and one channel (in confirm mode), guarded by a mutex; batches from
// several threads are sent one after the other. Calls block (rabbitmq-c is synchronous): from an
// Asio service, run them on a blocking pool (net::RunBlocking).
//
// Reconnecting: nothing happens in the background. A call that finds the connection broken (the
// broker restarted, a proxy dropped it) reconnects, redeclares the topology and publishes the
// whole batch again, a few times within the call's timeout. A batch that failed may still have
// been partly queued, and one that was republished may be queued twice: consumers must be
// idempotent (the claim check's staging key identifies a job).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <absl/status/status.h>

#include "hatongsu/amqp/topology.h"

namespace hatongsu::metrics {
class Registry;
}

namespace hatongsu::amqp {

struct Message {
    std::string body;
    std::string content_type = "application/json";
    std::string message_id;                      // optional; consumers see it in Delivery
    std::map<std::string, std::string> headers;  // e.g. x-request-id; keys up to 255 bytes
};

struct PublisherConfig {
    std::string url;    // amqp://user:password@host:port/vhost ("/" when the vhost is empty)
    Topology topology;  // messages go to topology.queue; the whole topology is declared
    // Opening the TCP connection and the AMQP handshake, each (also bounded by the call's timeout).
    std::chrono::milliseconds connect_timeout{2000};
    int connect_attempts = 3;  // connection (re)tries per call, with a short back-off
    // Where published messages are counted (must outlive the publisher; nullptr: not counted):
    // hatongsu_queue_published_total{queue, outcome=ok|error}, by message.
    metrics::Registry* metrics = nullptr;
};

class Publisher final {
public:
    // No I/O here: the first call connects. A malformed URL or topology makes every call fail
    // with InvalidArgument; check them at start-up with ValidateUrl and ValidateTopology.
    explicit Publisher(PublisherConfig config);
    ~Publisher();
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    // Publishes every message (delivery_mode 2, mandatory) to topology.queue and waits until the
    // broker has confirmed all of them, at most `timeout` in all (connecting included).
    // Errors: InvalidArgument (bad configuration, a header key over 255 bytes), Unavailable
    // (broker unreachable after the retries, a message nacked or returned unroutable, or no
    // confirmation within the timeout). An empty batch is OK without I/O.
    [[nodiscard]] absl::Status PublishBatch(
        const std::vector<Message>& messages, std::chrono::milliseconds timeout);

    // For readiness: true when the connection is open, or could be opened now (one attempt,
    // bounded by connect_timeout). Blocks while a batch is being published.
    bool Connected();

private:
    absl::Status PublishWithRetries(
        const std::vector<Message>& messages, std::chrono::milliseconds timeout);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hatongsu::amqp
