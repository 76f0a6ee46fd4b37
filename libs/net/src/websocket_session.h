// The WebSocket side of the server (private to libs/net): upgrades an HTTP connection whose head
// has been read and runs the route's handler with a WebSocket (websocket.h). Templated on the
// connection's stream (plain or TLS); the stream is borrowed from the connection's coroutine and
// every use of it happens on the connection's strand before ServeWebSocket returns.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "hatongsu/log/log.h"
#include "hatongsu/net/router.h"
#include "hatongsu/net/websocket.h"

namespace hatongsu::net::detail {

template <typename Stream>
class WebSocketSession final : public WebSocket,
                               public std::enable_shared_from_this<WebSocketSession<Stream>> {
public:
    WebSocketSession(Stream& stream, WebSocketOptions options)
        : executor_(stream.get_executor()),
          options_(options),
          ws_(std::in_place, stream),
          wake_(executor_),
          ping_timer_(executor_),
          write_timer_(executor_) {}

    void Send(std::shared_ptr<const std::string> message) override {
        boost::asio::post(
            executor_, [self = this->shared_from_this(), m = std::move(message)]() mutable {
                self->Enqueue(std::move(m));
            });
    }

    void Close(uint16_t code, std::string reason) override {
        boost::asio::post(
            executor_, [self = this->shared_from_this(), code, r = std::move(reason)] {
                if (self->finished_ || self->broken_ || self->close_) {
                    return;
                }
                boost::beast::websocket::close_reason cr;
                cr.code = code;
                cr.reason = r;
                self->close_ = cr;
                self->wake_.cancel();
            });
    }

    void Terminate() override {
        boost::asio::post(executor_, [self = this->shared_from_this()] { self->Drop(); });
    }

    boost::asio::awaitable<absl::StatusOr<std::string>> Read() override {
        if (finished_ || broken_ || !ws_) {
            co_return absl::UnavailableError("websocket closed");
        }
        read_buffer_.clear();
        auto [ec, n] = co_await ws_->async_read(read_buffer_, kUse);
        if (ec == boost::beast::websocket::error::message_too_big) {
            co_return absl::ResourceExhaustedError("websocket message too big");
        }
        if (ec) {
            co_return absl::UnavailableError("websocket closed: " + ec.message());
        }
        co_return boost::beast::buffers_to_string(read_buffer_.data());
    }

    // Accepts the upgrade, then runs the handler, the writer and the pinger until all three end.
    boost::asio::awaitable<void> Run(
        const Request& request, Context& ctx, const WebSocketHandler& handler) {
        namespace websocket = boost::beast::websocket;
        using namespace boost::asio::experimental::awaitable_operators;
        auto self = this->shared_from_this();
        boost::beast::get_lowest_layer(ws_->next_layer()).expires_never();
        websocket::stream_base::timeout timeout{};
        timeout.handshake_timeout = options_.handshake_timeout;
        timeout.idle_timeout = websocket::stream_base::none();
        timeout.keep_alive_pings = false;
        ws_->set_option(timeout);
        ws_->read_message_max(options_.max_message_size);
        ws_->auto_fragment(false);  // every message is one frame (what colyseus clients expect)
        ws_->binary(true);
        // Only the answer to our latest ping counts: unsolicited pongs (or old answers) sent by a
        // peer that reads nothing do not keep it alive.
        ws_->control_callback([this](websocket::frame_type kind, boost::beast::string_view data) {
            if (kind == websocket::frame_type::pong && !ping_payload_.empty() &&
                std::string_view(data.data(), data.size()) == ping_payload_) {
                missed_pongs_ = 0;
            }
        });
        auto [ec] = co_await ws_->async_accept(request, kUse);
        if (!ec) {
            co_await (RunHandler(ctx, handler) && WriteLoop() && PingLoop());
        }
        finished_ = true;
        write_timer_.cancel();
        queue_.clear();
        ws_.reset();  // the borrowed stream is not touched after this
    }

private:
    static constexpr auto kUse = boost::asio::as_tuple(boost::asio::use_awaitable);

    boost::asio::awaitable<void> RunHandler(Context& ctx, const WebSocketHandler& handler) {
        try {
            co_await handler(ctx, this->shared_from_this());
        } catch (const std::exception& e) {
            log::Error("websocket handler threw", {{"error", e.what()}});
        } catch (...) {
            log::Error("websocket handler threw", {{"error", "non-standard exception"}});
        }
        handler_done_ = true;
        if (!close_) {
            Drop();  // nobody reads any more and no close was asked for
        }
        wake_.cancel();
        ping_timer_.cancel();
    }

    boost::asio::awaitable<void> WriteLoop() {
        for (;;) {
            if (broken_) {
                co_return;
            }
            if (!queue_.empty()) {
                std::shared_ptr<const std::string> message = queue_.front();
                ArmWriteTimer();
                auto [ec, n] = co_await ws_->async_write(boost::asio::buffer(*message), kUse);
                DisarmWriteTimer();
                queue_.pop_front();
                queued_bytes_ -= message->size();
                if (ec) {
                    Drop();
                    co_return;
                }
                continue;
            }
            if (close_) {
                ArmWriteTimer();
                auto [ec] = co_await ws_->async_close(*close_, kUse);
                DisarmWriteTimer();
                if (ec) {
                    Drop();
                }
                co_return;
            }
            if (handler_done_) {
                co_return;
            }
            wake_.expires_at(boost::asio::steady_timer::time_point::max());
            co_await wake_.async_wait(kUse);
        }
    }

    boost::asio::awaitable<void> PingLoop() {
        if (options_.ping_interval.count() <= 0) {
            co_return;
        }
        for (;;) {
            if (handler_done_ || broken_ || close_) {
                co_return;
            }
            ping_timer_.expires_after(options_.ping_interval);
            co_await ping_timer_.async_wait(kUse);
            if (handler_done_ || broken_ || close_) {
                co_return;
            }
            if (missed_pongs_ >= options_.max_missed_pongs) {
                Drop();  // unresponsive: TCP closed without a close frame
                co_return;
            }
            ++missed_pongs_;
            ping_payload_ = std::to_string(++ping_count_);
            boost::beast::websocket::ping_data payload;
            payload.assign(ping_payload_.data(), ping_payload_.size());
            auto [pec] = co_await ws_->async_ping(payload, kUse);
            if (pec) {
                co_return;
            }
        }
    }

    void Enqueue(std::shared_ptr<const std::string> message) {
        if (finished_ || broken_ || close_ || message == nullptr) {
            return;
        }
        // The limit holds the bytes waiting behind the head of the queue: one message larger than
        // the limit (a big state) is still sent when it arrives at an empty queue, and what
        // follows it (up to the limit) still queues behind it.
        std::size_t behind_head = queue_.empty() ? 0 : queued_bytes_ - queue_.front()->size();
        if (!queue_.empty() && behind_head + message->size() > options_.send_queue_limit) {
            log::Warn(
                "websocket send queue full, disconnecting",
                {{"queued_bytes", queued_bytes_}, {"limit", options_.send_queue_limit}});
            Drop();
            return;
        }
        queued_bytes_ += message->size();
        queue_.push_back(std::move(message));
        wake_.cancel();
    }

    // A write (or the closing handshake) not done within write_timeout drops the connection: a
    // peer that reads too slowly would otherwise hold its queue (and our socket) forever.
    void ArmWriteTimer() {
        if (options_.write_timeout.count() <= 0) {
            return;
        }
        writing_ = true;
        ++write_generation_;
        write_timer_.expires_after(options_.write_timeout);
        write_timer_.async_wait([self = this->shared_from_this(),
                                 generation = write_generation_](boost::system::error_code ec) {
            if (ec || !self->writing_ || generation != self->write_generation_) {
                return;
            }
            log::Warn(
                "websocket write timed out, disconnecting",
                {{"queued_bytes", self->queued_bytes_}});
            self->Drop();
        });
    }
    void DisarmWriteTimer() {
        writing_ = false;
        write_timer_.cancel();
    }

    // Closes the TCP connection at once: every pending operation ends with an error.
    void Drop() {
        if (finished_ || broken_) {
            return;
        }
        broken_ = true;
        boost::system::error_code ec;
        auto& socket = boost::beast::get_lowest_layer(ws_->next_layer()).socket();
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        socket.close(ec);
        wake_.cancel();
        ping_timer_.cancel();
        write_timer_.cancel();
    }

    // Every member below is used on the connection's strand only.
    boost::asio::any_io_executor executor_;
    const WebSocketOptions options_;
    std::optional<boost::beast::websocket::stream<Stream&>> ws_;  // reset when the session ends
    boost::beast::flat_buffer read_buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    std::optional<boost::beast::websocket::close_reason> close_;
    boost::asio::steady_timer wake_;  // the writer sleeps on it
    boost::asio::steady_timer ping_timer_;
    boost::asio::steady_timer write_timer_;
    uint64_t write_generation_ = 0;
    bool writing_ = false;
    int missed_pongs_ = 0;
    uint64_t ping_count_ = 0;
    std::string ping_payload_;  // of the latest ping; empty before the first
    bool handler_done_ = false;
    bool broken_ = false;
    bool finished_ = false;
};

// Upgrades and serves one WebSocket connection; returns when it has ended.
template <typename Stream>
boost::asio::awaitable<void> ServeWebSocket(
    Stream& stream, const Request& request, Context& ctx, const Router::WebSocketRoute& route) {
    auto session = std::make_shared<WebSocketSession<Stream>>(stream, route.options);
    co_await session->Run(request, ctx, route.handler);
}

}  // namespace hatongsu::net::detail
