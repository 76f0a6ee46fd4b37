#include "hatongsu/amqp/publisher.h"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <thread>

#include <absl/status/statusor.h>

#include "hatongsu/amqp/backoff.h"
#include "hatongsu/log/log.h"
#include "hatongsu/metrics/metrics.h"
#include "libs/amqp/src/connection.h"

namespace hatongsu::amqp {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Remaining(Clock::time_point deadline) {
    return std::max(
        std::chrono::milliseconds(0),
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

timeval ToTimeval(std::chrono::milliseconds ms) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

constexpr std::chrono::milliseconds kReconnectBase{100};
constexpr std::chrono::milliseconds kReconnectMax{1000};

}  // namespace

struct Publisher::Impl {
    explicit Impl(PublisherConfig c)
        : config(std::move(c)),
          url(internal::ParseUrl(config.url)),
          topology(config.topology.Resolved()),
          topology_status(ValidateTopology(topology)) {
        if (config.metrics != nullptr) {
            auto& published = config.metrics->Counter(
                "hatongsu_queue_published_total",
                "Messages published to a work queue, by queue and outcome (confirmed or not).");
            published_ok = &published.Add({{"queue", topology.queue}, {"outcome", "ok"}});
            published_error = &published.Add({{"queue", topology.queue}, {"outcome", "error"}});
        }
    }

    absl::Status Connect(Clock::time_point deadline);
    void Disconnect() { connection.reset(); }
    bool CheckAlive();
    absl::Status PublishOnce(
        const std::vector<Message>& messages, Clock::time_point deadline, bool* connection_lost);

    const PublisherConfig config;
    const absl::StatusOr<internal::Url> url;
    const Topology topology;
    const absl::Status topology_status;
    prometheus::Counter* published_ok = nullptr;  // null without metrics
    prometheus::Counter* published_error = nullptr;

    // std::mutex rather than Abseil's: Debian's Abseil is not built for ThreadSanitizer, which
    // would then not see this lock. The methods above are called with it held.
    std::mutex mu;
    std::unique_ptr<internal::Connection> connection;  // guarded by mu, and so is next_seq
    // Sequence number the broker gives the next message published on the channel (confirm mode
    // numbers the channel's publishes from 1).
    std::uint64_t next_seq = 1;
};

absl::Status Publisher::Impl::Connect(Clock::time_point deadline) {
    std::chrono::milliseconds timeout = std::min(config.connect_timeout, Remaining(deadline));
    if (timeout.count() <= 0) {
        return absl::UnavailableError("broker: no time left to connect");
    }
    auto opened = internal::Connection::Open(
        *url, {.timeout = timeout, .heartbeat_seconds = 0, .name = "hatongsu publisher"});
    if (!opened.ok()) {
        return opened.status();
    }
    std::unique_ptr<internal::Connection> c = std::move(opened).value();
    if (absl::Status s = internal::Declare(*c, topology); !s.ok()) {
        c->MarkBroken();
        return s;
    }
    amqp_confirm_select(c->State(), internal::kChannel);
    if (absl::Status s = internal::ReplyToStatus(amqp_get_rpc_reply(c->State()), "confirm.select");
        !s.ok()) {
        c->MarkBroken();
        return s;
    }
    connection = std::move(c);
    next_seq = 1;
    return absl::OkStatus();
}

// Heartbeats are off on this connection (nobody would read it between batches), so a broker that
// went away is noticed here: an EOF or a close method waiting on the socket.
bool Publisher::Impl::CheckAlive() {
    amqp_connection_state_t state = connection->State();
    if (!amqp_frames_enqueued(state) && !amqp_data_in_buffer(state) &&
        !internal::WaitReadable(connection->Fd(), -1, std::chrono::milliseconds(0)).socket) {
        return true;
    }
    for (;;) {
        amqp_frame_t frame{};
        timeval zero{};
        int rc = amqp_simple_wait_frame_noblock(state, &frame, &zero);
        if (rc == AMQP_STATUS_TIMEOUT) {
            return true;
        }
        if (rc != AMQP_STATUS_OK) {
            return false;
        }
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
             frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD)) {
            return false;
        }
        if (!amqp_frames_enqueued(state)) {
            amqp_maybe_release_buffers(state);
        }
    }
}

absl::Status Publisher::Impl::PublishOnce(
    const std::vector<Message>& messages, Clock::time_point deadline, bool* connection_lost) {
    amqp_connection_state_t state = connection->State();
    const std::uint64_t first = next_seq;
    const std::uint64_t last = first + messages.size() - 1;
    std::vector<bool> confirmed(messages.size(), false);
    std::size_t missing = messages.size();
    auto confirm = [&](std::uint64_t seq) {
        if (seq >= first && seq <= last && !confirmed[seq - first]) {
            confirmed[seq - first] = true;
            --missing;
        }
    };
    // One frame from the broker: OK, or why the batch failed.
    auto handle = [&](const amqp_frame_t& frame) -> absl::Status {
        if (frame.frame_type != AMQP_FRAME_METHOD) {
            return absl::OkStatus();
        }
        switch (frame.payload.method.id) {
            case AMQP_BASIC_ACK_METHOD: {
                auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
                if (ack->multiple != 0) {
                    for (std::uint64_t seq = first; seq <= std::min(ack->delivery_tag, last);
                         ++seq) {
                        confirm(seq);
                    }
                } else {
                    confirm(ack->delivery_tag);
                }
                return absl::OkStatus();
            }
            case AMQP_BASIC_NACK_METHOD:
                return absl::UnavailableError("broker refused a message (nack)");
            case AMQP_BASIC_RETURN_METHOD:
                // mandatory and unroutable: the queue was deleted behind our back.
                return absl::UnavailableError("message unroutable: queue " + topology.queue);
            case AMQP_CHANNEL_CLOSE_METHOD: {
                *connection_lost = true;
                auto* close = static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
                return absl::UnavailableError(
                    "broker closed the channel: " + std::string(internal::View(close->reply_text)));
            }
            case AMQP_CONNECTION_CLOSE_METHOD: {
                *connection_lost = true;
                auto* close = static_cast<amqp_connection_close_t*>(frame.payload.method.decoded);
                return absl::UnavailableError(
                    "broker closed the connection: " +
                    std::string(internal::View(close->reply_text)));
            }
            default:
                return absl::OkStatus();
        }
    };
    // Zero timeout: every frame already there. Otherwise: waits up to `timeout` for one frame.
    auto read = [&](timeval timeout) -> absl::Status {
        for (;;) {
            amqp_frame_t frame{};
            int rc = amqp_simple_wait_frame_noblock(state, &frame, &timeout);
            if (rc == AMQP_STATUS_TIMEOUT) {
                return absl::OkStatus();
            }
            if (rc != AMQP_STATUS_OK) {
                *connection_lost = true;
                return internal::LibraryError(rc, "wait for confirms");
            }
            if (absl::Status s = handle(frame); !s.ok()) {
                return s;
            }
            if (!amqp_frames_enqueued(state)) {
                amqp_maybe_release_buffers(state);
            }
            bool draining = timeout.tv_sec == 0 && timeout.tv_usec == 0;
            if (missing == 0 || !draining) {
                return absl::OkStatus();  // a waiting caller recomputes its timeout
            }
        }
    };

    for (const Message& m : messages) {
        internal::OutgoingProperties props(m.content_type, m.message_id, m.headers, nullptr);
        int rc = amqp_basic_publish(
            state, internal::kChannel, amqp_empty_bytes, internal::Bytes(topology.queue),
            /*mandatory=*/1, /*immediate=*/0, props.Get(), internal::Bytes(m.body));
        if (rc != AMQP_STATUS_OK) {
            *connection_lost = true;
            return internal::LibraryError(rc, "publish");
        }
        ++next_seq;
        // Take the confirms that already arrived, so that on a large batch neither side's
        // buffers fill up with the other not reading.
        if (absl::Status s = read(timeval{}); !s.ok()) {
            return s;
        }
    }
    while (missing > 0) {
        std::chrono::milliseconds left = Remaining(deadline);
        if (left.count() <= 0) {
            return absl::UnavailableError("broker did not confirm the messages in time");
        }
        if (absl::Status s = read(ToTimeval(left)); !s.ok()) {
            return s;
        }
    }
    return absl::OkStatus();
}

Publisher::Publisher(PublisherConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Publisher::~Publisher() {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->connection) {
        impl_->connection->Close();
    }
}

absl::Status Publisher::PublishBatch(
    const std::vector<Message>& messages, std::chrono::milliseconds timeout) {
    absl::Status s = PublishWithRetries(messages, timeout);
    if (impl_->published_ok != nullptr && !messages.empty()) {
        (s.ok() ? impl_->published_ok : impl_->published_error)
            ->Increment(static_cast<double>(messages.size()));
    }
    return s;
}

absl::Status Publisher::PublishWithRetries(
    const std::vector<Message>& messages, std::chrono::milliseconds timeout) {
    if (!impl_->url.ok()) {
        return impl_->url.status();
    }
    if (!impl_->topology_status.ok()) {
        return impl_->topology_status;
    }
    if (messages.empty()) {
        return absl::OkStatus();
    }
    for (const Message& m : messages) {
        if (absl::Status s = internal::ValidateHeaders(m.headers); !s.ok()) {
            return s;
        }
    }
    const Clock::time_point deadline = Clock::now() + timeout;
    std::lock_guard<std::mutex> lock(impl_->mu);
    int connects = 0;
    absl::Status last = absl::UnavailableError("broker unavailable");
    for (;;) {
        if (impl_->connection && !impl_->CheckAlive()) {
            log::Warn("amqp publisher connection lost", {{"queue", impl_->topology.queue}});
            impl_->Disconnect();
        }
        if (!impl_->connection) {
            if (connects >= std::max(impl_->config.connect_attempts, 1)) {
                return absl::UnavailableError("broker unavailable: " + std::string(last.message()));
            }
            if (connects > 0) {
                std::this_thread::sleep_for(std::min(
                    RetryDelay(connects, kReconnectBase, kReconnectMax), Remaining(deadline)));
            }
            ++connects;
            if (absl::Status s = impl_->Connect(deadline); !s.ok()) {
                log::Warn(
                    "amqp publisher cannot connect",
                    {{"queue", impl_->topology.queue}, {"error", s.ToString()}});
                last = s;
                continue;
            }
        }
        bool lost = false;
        absl::Status s = impl_->PublishOnce(messages, deadline, &lost);
        if (s.ok()) {
            return s;
        }
        // Whatever happened, start the next batch on a fresh channel: no late confirm of this
        // batch can then be mistaken for one of the next.
        impl_->Disconnect();
        if (!lost) {
            log::Warn(
                "amqp publish failed", {{"queue", impl_->topology.queue}, {"error", s.ToString()}});
            return s;
        }
        log::Warn(
            "amqp publisher connection lost, publishing the batch again",
            {{"queue", impl_->topology.queue}, {"error", s.ToString()}});
        last = s;
    }
}

bool Publisher::Connected() {
    if (!impl_->url.ok() || !impl_->topology_status.ok()) {
        return false;
    }
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->connection && impl_->CheckAlive()) {
        return true;
    }
    impl_->Disconnect();
    return impl_->Connect(Clock::now() + impl_->config.connect_timeout).ok();
}

}  // namespace hatongsu::amqp
