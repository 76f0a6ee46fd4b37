#include "libs/amqp/src/connection.h"

#include <algorithm>
#include <cerrno>
#include <string>

#include <amqp_tcp_socket.h>
#include <poll.h>
#include <sys/time.h>

namespace hatongsu::amqp::internal {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
    if (ms.count() < 0) {
        ms = std::chrono::milliseconds(0);
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

absl::Status CloseReasonToStatus(int code, std::string_view text, std::string_view what) {
    std::string message = std::string(what) + ": broker closed with " + std::to_string(code) + " " +
                          std::string(text);
    switch (code) {
        case 403:  // ACCESS_REFUSED (also a refused login)
            return absl::PermissionDeniedError(message);
        case 404:  // NOT_FOUND
            return absl::NotFoundError(message);
        case 406:  // PRECONDITION_FAILED: a queue declared with other arguments
            return absl::FailedPreconditionError(message);
        default:
            return absl::UnavailableError(message);
    }
}

amqp_table_entry_t StringEntry(const char* key, std::string_view value) {
    amqp_table_entry_t entry{};
    entry.key = amqp_cstring_bytes(key);
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = Bytes(value);
    return entry;
}

absl::Status DeclareQueue(Connection& connection, const std::string& name, amqp_table_t args) {
    amqp_queue_declare(
        connection.State(), kChannel, Bytes(name), /*passive=*/0, /*durable=*/1,
        /*exclusive=*/0, /*auto_delete=*/0, args);
    return ReplyToStatus(amqp_get_rpc_reply(connection.State()), "declare queue " + name);
}

}  // namespace

absl::StatusOr<Url> ParseUrl(std::string_view url) {
    std::string buffer(url);  // amqp_parse_url writes into its input
    amqp_connection_info info{};
    if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
        return absl::InvalidArgumentError(
            "malformed AMQP URL (amqp://user:password@host:port/vhost)");
    }
    if (info.ssl != 0) {
        return absl::InvalidArgumentError("amqps:// is not supported; use amqp://");
    }
    if (info.port <= 0 || info.port > 65535) {
        return absl::InvalidArgumentError("AMQP URL: port out of range");
    }
    Url out;
    out.host = info.host;
    out.port = info.port;
    out.user = info.user;
    out.password = info.password;
    out.vhost = info.vhost;
    if (out.host.empty()) {
        return absl::InvalidArgumentError("AMQP URL: no host");
    }
    if (out.vhost.empty()) {
        out.vhost = "/";  // amqp://host:5672/ means the default vhost, as for other clients
    }
    return out;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const Url& url, const ConnectOptions& options) {
    amqp_connection_state_t state = amqp_new_connection();
    if (state == nullptr) {
        return absl::ResourceExhaustedError("out of memory");
    }
    std::unique_ptr<Connection> connection(new Connection(state));
    amqp_socket_t* socket = amqp_tcp_socket_new(state);
    if (socket == nullptr) {
        connection->MarkBroken();
        return absl::ResourceExhaustedError("out of memory");
    }
    timeval timeout = ToTimeval(options.timeout);
    int rc = amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &timeout);
    if (rc != AMQP_STATUS_OK) {
        connection->MarkBroken();
        return LibraryError(rc, "connect to " + url.host + ":" + std::to_string(url.port));
    }
    amqp_set_handshake_timeout(state, &timeout);
    amqp_set_rpc_timeout(state, &timeout);

    amqp_table_entry_t capabilities[1]{};
    capabilities[0].key = amqp_cstring_bytes("consumer_cancel_notify");
    capabilities[0].value.kind = AMQP_FIELD_KIND_BOOLEAN;
    capabilities[0].value.value.boolean = 1;  // tell us when the broker cancels our consumer
    amqp_table_entry_t properties[2] = {StringEntry("connection_name", options.name), {}};
    properties[1].key = amqp_cstring_bytes("capabilities");
    properties[1].value.kind = AMQP_FIELD_KIND_TABLE;
    properties[1].value.value.table = amqp_table_t{1, capabilities};
    amqp_table_t property_table{2, properties};

    amqp_rpc_reply_t reply = amqp_login_with_properties(
        state, url.vhost.c_str(), /*channel_max=*/0, kFrameMax, options.heartbeat_seconds,
        &property_table, AMQP_SASL_METHOD_PLAIN, url.user.c_str(), url.password.c_str());
    if (absl::Status s = ReplyToStatus(reply, "log in to the broker"); !s.ok()) {
        connection->MarkBroken();
        return s;
    }
    amqp_channel_open(state, kChannel);
    if (absl::Status s = ReplyToStatus(amqp_get_rpc_reply(state), "open channel"); !s.ok()) {
        connection->MarkBroken();
        return s;
    }
    return connection;
}

Connection::~Connection() {
    amqp_destroy_connection(state_);
}

void Connection::Close() {
    if (broken_) {
        return;
    }
    broken_ = true;
    if (amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS).reply_type ==
        AMQP_RESPONSE_NORMAL) {
        amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    }
}

absl::Status LibraryError(int code, std::string_view what) {
    return absl::UnavailableError(std::string(what) + ": " + amqp_error_string2(code));
}

absl::Status ReplyToStatus(const amqp_rpc_reply_t& reply, std::string_view what) {
    switch (reply.reply_type) {
        case AMQP_RESPONSE_NORMAL:
            return absl::OkStatus();
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return LibraryError(reply.library_error, what);
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
                auto* close = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
                return CloseReasonToStatus(close->reply_code, View(close->reply_text), what);
            }
            if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
                auto* close = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
                return CloseReasonToStatus(close->reply_code, View(close->reply_text), what);
            }
            return absl::UnavailableError(std::string(what) + ": unexpected broker reply");
        case AMQP_RESPONSE_NONE:
        default:
            return absl::UnavailableError(std::string(what) + ": no reply from the broker");
    }
}

absl::Status Declare(Connection& connection, const Topology& topology) {
    if (absl::Status s = DeclareQueue(connection, topology.queue, amqp_empty_table); !s.ok()) {
        return s;
    }
    amqp_table_entry_t retry_args[2] = {
        StringEntry("x-dead-letter-exchange", ""),
        StringEntry("x-dead-letter-routing-key", topology.queue),
    };
    if (absl::Status s =
            DeclareQueue(connection, topology.retry_queue, amqp_table_t{2, retry_args});
        !s.ok()) {
        return s;
    }
    return DeclareQueue(connection, topology.dead_letter_queue, amqp_empty_table);
}

OutgoingProperties::OutgoingProperties(
    const std::string& content_type,
    const std::string& message_id,
    const std::map<std::string, std::string>& headers,
    const std::string* expiration) {
    props_._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props_.delivery_mode = 2;  // persistent
    if (!content_type.empty()) {
        props_._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
        props_.content_type = Bytes(content_type);
    }
    if (!message_id.empty()) {
        props_._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        props_.message_id = Bytes(message_id);
    }
    if (expiration != nullptr) {
        props_._flags |= AMQP_BASIC_EXPIRATION_FLAG;
        props_.expiration = Bytes(*expiration);
    }
    if (!headers.empty()) {
        entries_.reserve(headers.size());
        for (const auto& [key, value] : headers) {
            amqp_table_entry_t entry{};
            entry.key = Bytes(key);
            entry.value.kind = AMQP_FIELD_KIND_UTF8;
            entry.value.value.bytes = Bytes(value);
            entries_.push_back(entry);
        }
        props_._flags |= AMQP_BASIC_HEADERS_FLAG;
        props_.headers = amqp_table_t{static_cast<int>(entries_.size()), entries_.data()};
    }
}

std::map<std::string, std::string> HeadersFromTable(const amqp_table_t& table) {
    std::map<std::string, std::string> out;
    for (int i = 0; i < table.num_entries; ++i) {
        const amqp_table_entry_t& entry = table.entries[i];
        std::string key(View(entry.key));
        const amqp_field_value_t& v = entry.value;
        switch (v.kind) {
            case AMQP_FIELD_KIND_UTF8:
            case AMQP_FIELD_KIND_BYTES:
                out.emplace(std::move(key), std::string(View(v.value.bytes)));
                break;
            case AMQP_FIELD_KIND_BOOLEAN:
                out.emplace(std::move(key), v.value.boolean != 0 ? "true" : "false");
                break;
            case AMQP_FIELD_KIND_I8:
                out.emplace(std::move(key), std::to_string(v.value.i8));
                break;
            case AMQP_FIELD_KIND_U8:
                out.emplace(std::move(key), std::to_string(v.value.u8));
                break;
            case AMQP_FIELD_KIND_I16:
                out.emplace(std::move(key), std::to_string(v.value.i16));
                break;
            case AMQP_FIELD_KIND_U16:
                out.emplace(std::move(key), std::to_string(v.value.u16));
                break;
            case AMQP_FIELD_KIND_I32:
                out.emplace(std::move(key), std::to_string(v.value.i32));
                break;
            case AMQP_FIELD_KIND_U32:
                out.emplace(std::move(key), std::to_string(v.value.u32));
                break;
            case AMQP_FIELD_KIND_I64:
                out.emplace(std::move(key), std::to_string(v.value.i64));
                break;
            case AMQP_FIELD_KIND_U64:
                out.emplace(std::move(key), std::to_string(v.value.u64));
                break;
            default:  // tables, arrays (the broker's x-death), floats, timestamps, void
                break;
        }
    }
    return out;
}

absl::Status ValidateHeaders(const std::map<std::string, std::string>& headers) {
    for (const auto& [key, value] : headers) {
        if (key.empty() || key.size() > 255) {
            return absl::InvalidArgumentError("a message header name must be 1 to 255 bytes");
        }
    }
    return absl::OkStatus();
}

Readiness WaitReadable(int socket_fd, int wake_fd, std::chrono::milliseconds timeout) {
    pollfd fds[2]{};
    nfds_t count = 0;
    int socket_index = -1;
    int wake_index = -1;
    if (socket_fd >= 0) {
        socket_index = static_cast<int>(count);
        fds[count++] = pollfd{socket_fd, POLLIN, 0};
    }
    if (wake_fd >= 0) {
        wake_index = static_cast<int>(count);
        fds[count++] = pollfd{wake_fd, POLLIN, 0};
    }
    int rc = ::poll(
        fds, count, static_cast<int>(std::max<std::chrono::milliseconds::rep>(timeout.count(), 0)));
    Readiness out;
    if (rc < 0) {
        // EINTR: as if the time had passed; the caller loops anyway.
        return out;
    }
    if (socket_index >= 0 && fds[socket_index].revents != 0) {
        out.socket = true;  // data, EOF or an error: reading tells which
    }
    if (wake_index >= 0 && fds[wake_index].revents != 0) {
        out.wake = true;
    }
    return out;
}

}  // namespace hatongsu::amqp::internal
