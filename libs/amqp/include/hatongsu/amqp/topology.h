// The queues a work queue needs, all on the default exchange (routing key = queue name):
//
//   queue              durable, NO arguments: the original services declare `album_queue` exactly
//                      so, and a declaration with other arguments would be refused while one of
//                      them is connected (PRECONDITION_FAILED). Consumers read it.
//   retry_queue        durable, x-dead-letter-exchange "" and x-dead-letter-routing-key = queue:
//                      nobody consumes it; a message waits there for its own `expiration` (the
//                      back-off delay) and the broker then moves it back to `queue`.
//   dead_letter_queue  durable, no arguments: messages that will not be retried, with the reason
//                      in the header x-death-reason; for a human or a repair tool.
//
// A classic queue expires messages only from its head, so a retry with a long delay ahead of one
// with a shorter delay holds the shorter one back until it leaves: a retry waits at most
// max_delay, never less than its own delay.
//
// Queue names are settings (parallel test runs use their own). Publisher and Consumer declare the
// whole topology on every (re)connect; declaring is idempotent.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <absl/status/status.h>

namespace hatongsu::amqp {

struct Topology {
    std::string queue;
    std::string retry_queue;        // empty: queue + ".retry"
    std::string dead_letter_queue;  // empty: queue + ".dead"

    // `queue` with the default names for the other two.
    static Topology For(std::string queue);
    // This topology with empty names replaced by their defaults.
    Topology Resolved() const;
};

// InvalidArgument when a name is empty, longer than 255 bytes (AMQP's limit), starts with "amq."
// (reserved by the broker) or two names are equal.
[[nodiscard]] absl::Status ValidateTopology(const Topology& topology);

// Declares the topology over a short-lived connection to `url` (amqp://user:pass@host:port/vhost).
// Errors: InvalidArgument (bad URL or names), Unavailable (broker unreachable), PermissionDenied
// (login refused), FailedPrecondition (a queue exists with other arguments).
[[nodiscard]] absl::Status DeclareTopology(
    std::string_view url, const Topology& topology, std::chrono::milliseconds timeout);

}  // namespace hatongsu::amqp
