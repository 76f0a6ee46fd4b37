// Internal: the pieces Publisher and Consumer share on top of rabbitmq-c: URL parsing, one
// connection with one channel (RAII), topology declaration, reply -> Status, and conversions
// between our types and rabbitmq-c's. A Connection is used by one thread at a time.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <amqp.h>

#include "hatongsu/amqp/topology.h"

namespace hatongsu::amqp::internal {

struct Url {
    std::string host;
    int port = 5672;
    std::string user;
    std::string password;
    std::string vhost;
};

// amqp://[user[:password]@]host[:port][/vhost]; the vhost is percent-decoded, "/" when empty.
// InvalidArgument otherwise (amqps is not supported).
absl::StatusOr<Url> ParseUrl(std::string_view url);

inline constexpr amqp_channel_t kChannel = 1;
inline constexpr int kFrameMax = 131072;  // also bounds a content header (our headers) in memory

struct ConnectOptions {
    std::chrono::milliseconds timeout{2000};  // TCP connect, handshake, and each RPC
    int heartbeat_seconds = 0;
    std::string name;  // shown as connection_name in the broker's management
};

class Connection final {
public:
    // Connects, logs in, opens kChannel. Unavailable, PermissionDenied (login refused).
    static absl::StatusOr<std::unique_ptr<Connection>> Open(
        const Url& url, const ConnectOptions& options);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    amqp_connection_state_t State() { return state_; }
    int Fd() const { return amqp_get_sockfd(state_); }
    // Closes channel and connection politely (bounded by the RPC timeout), if still healthy.
    void Close();
    void MarkBroken() { broken_ = true; }

private:
    explicit Connection(amqp_connection_state_t state) : state_(state) {}

    amqp_connection_state_t state_;
    bool broken_ = false;
};

absl::Status ReplyToStatus(const amqp_rpc_reply_t& reply, std::string_view what);
absl::Status LibraryError(int code, std::string_view what);

// Declares the three queues on kChannel.
absl::Status Declare(Connection& connection, const Topology& topology);

inline amqp_bytes_t Bytes(std::string_view s) {
    return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view View(amqp_bytes_t b) {
    return b.len == 0 ? std::string_view()
                      : std::string_view(static_cast<const char*>(b.bytes), b.len);
}

// Properties of a message we publish; points into the strings given, which must outlive it.
class OutgoingProperties final {
public:
    OutgoingProperties(
        const std::string& content_type,
        const std::string& message_id,
        const std::map<std::string, std::string>& headers,
        const std::string* expiration);
    const amqp_basic_properties_t* Get() const { return &props_; }

private:
    std::vector<amqp_table_entry_t> entries_;
    amqp_basic_properties_t props_{};
};

// A delivery's headers: strings as they are, integers and booleans as text, other kinds skipped.
std::map<std::string, std::string> HeadersFromTable(const amqp_table_t& table);

// InvalidArgument when a key is empty or over 255 bytes (an AMQP short string).
absl::Status ValidateHeaders(const std::map<std::string, std::string>& headers);

// Waits up to `timeout` for the socket or `wake_fd` (either may be -1) to become readable and says
// which did (neither: the time passed, or poll failed; callers loop anyway).
struct Readiness {
    bool socket = false;
    bool wake = false;
};
Readiness WaitReadable(int socket_fd, int wake_fd, std::chrono::milliseconds timeout);

}  // namespace hatongsu::amqp::internal
