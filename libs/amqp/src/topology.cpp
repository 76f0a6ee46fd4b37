#include "hatongsu/amqp/topology.h"

#include "libs/amqp/src/connection.h"

namespace hatongsu::amqp {
namespace {

absl::Status ValidateName(const std::string& name, std::string_view what) {
    if (name.empty() || name.size() > 255) {
        return absl::InvalidArgumentError(std::string(what) + " must be 1 to 255 bytes");
    }
    if (name.rfind("amq.", 0) == 0) {
        return absl::InvalidArgumentError(
            std::string(what) + " must not start with \"amq.\" (reserved by the broker)");
    }
    return absl::OkStatus();
}

}  // namespace

Topology Topology::For(std::string queue) {
    Topology t;
    t.queue = std::move(queue);
    return t.Resolved();
}

Topology Topology::Resolved() const {
    Topology t = *this;
    if (t.retry_queue.empty()) {
        t.retry_queue = t.queue + ".retry";
    }
    if (t.dead_letter_queue.empty()) {
        t.dead_letter_queue = t.queue + ".dead";
    }
    return t;
}

absl::Status ValidateTopology(const Topology& topology) {
    Topology t = topology.Resolved();
    if (absl::Status s = ValidateName(t.queue, "queue name"); !s.ok()) {
        return s;
    }
    if (absl::Status s = ValidateName(t.retry_queue, "retry queue name"); !s.ok()) {
        return s;
    }
    if (absl::Status s = ValidateName(t.dead_letter_queue, "dead-letter queue name"); !s.ok()) {
        return s;
    }
    if (t.queue == t.retry_queue || t.queue == t.dead_letter_queue ||
        t.retry_queue == t.dead_letter_queue) {
        return absl::InvalidArgumentError("queue, retry and dead-letter queue names must differ");
    }
    return absl::OkStatus();
}

absl::Status DeclareTopology(
    std::string_view url, const Topology& topology, std::chrono::milliseconds timeout) {
    absl::StatusOr<internal::Url> parsed = internal::ParseUrl(url);
    if (!parsed.ok()) {
        return parsed.status();
    }
    if (absl::Status s = ValidateTopology(topology); !s.ok()) {
        return s;
    }
    auto connection = internal::Connection::Open(
        *parsed, {.timeout = timeout, .heartbeat_seconds = 0, .name = "hatongsu declare"});
    if (!connection.ok()) {
        return connection.status();
    }
    absl::Status s = internal::Declare(**connection, topology.Resolved());
    if (s.ok()) {
        (*connection)->Close();
    }
    return s;
}

}  // namespace hatongsu::amqp
