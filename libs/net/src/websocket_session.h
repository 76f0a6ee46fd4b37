// The WebSocket side of the server (private to libs/net): upgrades an HTTP connection whose head
// has been read and runs the route's handler with a WebSocket (websocket.h). Templated on the
// connection's stream (plain or TLS); the stream is borrowed from the connection's coroutine and
// every use of it happens on the connection's strand before ServeWebSocket returns.
//
// Writes are batched. Everything written to the connection — Beast's own frames (the 101 answer,
// pings, pongs, close) and the data frames this session builds itself (a server's frames are
// unmasked, so a data frame is a 2-10 byte header and the payload) — is appended to one pending
// buffer, and a single writer sends all of it in one write, then whatever came in meanwhile.
// Beast sees its writes complete at once (Layer below). A broadcast to a thousand sockets thus
// costs one system call per socket per round of the event loop rather than one per message, and
// under load the rounds grow and the calls get fewer.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
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
    // The stream Beast's websocket runs on: reads go to the connection; writes are appended to
    // the session's output and complete at once. Lives inside ws_, which the session owns.
    class Layer {
    public:
        using executor_type = typename Stream::executor_type;
        using next_layer_type = Stream;

        explicit Layer(WebSocketSession* session) : session_(session) {}

        executor_type get_executor() { return session_->stream_.get_executor(); }
        Stream& next_layer() { return session_->stream_; }

        template <typename MutableBuffers, typename Token>
        auto async_read_some(const MutableBuffers& buffers, Token&& token) {
            return session_->stream_.async_read_some(buffers, std::forward<Token>(token));
        }

        template <typename ConstBuffers, typename Token>
        auto async_write_some(const ConstBuffers& buffers, Token&& token) {
            return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
                [session = session_](auto handler, const ConstBuffers& bytes) {
                    std::size_t size = boost::asio::buffer_size(bytes);
                    boost::system::error_code ec;
                    if (!session->AppendOwn(bytes, size)) {
                        ec = boost::asio::error::broken_pipe;
                        size = 0;
                    }
                    auto ex = boost::asio::get_associated_executor(handler, session->executor_);
                    boost::asio::post(ex, boost::asio::append(std::move(handler), ec, size));
                },
                token, buffers);
        }

        // Beast's closing handshake ends with a teardown of the next layer: the output is
        // written out first, then the connection's own teardown runs.
        template <typename Handler>
        void Teardown(boost::beast::role_type role, Handler&& handler) {
            WebSocketSession* session = session_;
            session->WhenIdle([session, role, h = std::forward<Handler>(handler)]() mutable {
                using boost::beast::websocket::async_teardown;
                async_teardown(role, session->stream_, std::move(h));
            });
        }
        template <typename Handler>
        friend void async_teardown(boost::beast::role_type role, Layer& layer, Handler&& handler) {
            layer.Teardown(role, std::forward<Handler>(handler));
        }

    private:
        WebSocketSession* session_;
    };

public:
    WebSocketSession(Stream& stream, WebSocketOptions options)
        : executor_(stream.get_executor()),
          options_(options),
          stream_(stream),
          ws_(std::in_place, Layer(this)),
          wake_(executor_),
          idle_(executor_),
          ping_timer_(executor_),
          write_timer_(executor_),
          close_timer_(executor_) {
        idle_.expires_at(boost::asio::steady_timer::time_point::max());
    }

    void Send(std::shared_ptr<const std::string> message) override {
        SendAll(std::span<const std::shared_ptr<const std::string>>(&message, 1));
    }

    // Appends the frames under the output lock; no hop to the strand unless the writer must be
    // started, so that a broadcast costs a copy per socket, not a handler.
    void SendAll(std::span<const std::shared_ptr<const std::string>> messages) override {
        bool start = false;
        std::size_t overflow_bytes = 0;
        {
            std::lock_guard lock(out_mu_);
            for (const auto& message : messages) {
                if (data_closed_) {
                    break;
                }
                if (message == nullptr) {
                    continue;
                }
                // The limit holds the bytes waiting behind the head: one message larger than
                // the limit (a big state) is still sent when it arrives with nothing else
                // waiting, and what follows it (up to the limit) still queues behind it.
                std::size_t behind = pending_.size() - exempt_;
                if ((writer_ || !pending_.empty()) &&
                    behind + message->size() > options_.send_queue_limit) {
                    overflow_bytes = behind + message->size();
                    data_closed_ = true;
                    break;
                }
                bool head = !writer_ && pending_.empty();
                AppendDataFrame(*message);
                if (head) {
                    exempt_ = pending_.size();
                }
                start = StartWriterLocked() || start;
            }
        }
        if (overflow_bytes > 0) {
            log::Warn(
                "websocket send queue full, disconnecting",
                {{"queued_bytes", overflow_bytes}, {"limit", options_.send_queue_limit}});
            Terminate();
        }
        if (start) {  // also after an overflow: the writer then finds the socket dropped
            boost::asio::post(executor_, [self = this->shared_from_this()] { self->Flush(); });
        }
    }

    void Close(uint16_t code, std::string reason) override {
        boost::asio::post(
            executor_, [self = this->shared_from_this(), code, r = std::move(reason)] {
                if (self->finished_ || self->broken_ || self->close_) {
                    return;
                }
                boost::beast::websocket::close_reason cr;
                cr.code = code;
                // A close frame's reason holds 123 bytes (RFC 6455 5.5); longer ones are cut.
                cr.reason.assign(r.data(), std::min(r.size(), cr.reason.max_size()));
                self->close_ = cr;
                {
                    std::lock_guard lock(self->out_mu_);
                    self->data_closed_ = true;  // queued messages still go before the close frame
                }
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

    // Accepts the upgrade, then runs the handler, the closer and the pinger until all three end,
    // then waits for the writer to finish with the borrowed stream.
    boost::asio::awaitable<void> Run(
        const Request& request, Context& ctx, const WebSocketHandler& handler) {
        namespace websocket = boost::beast::websocket;
        using namespace boost::asio::experimental::awaitable_operators;
        auto self = this->shared_from_this();
        boost::beast::get_lowest_layer(stream_).expires_never();
        websocket::stream_base::timeout timeout{};
        timeout.handshake_timeout = options_.handshake_timeout;
        timeout.idle_timeout = websocket::stream_base::none();
        timeout.keep_alive_pings = false;
        ws_->set_option(timeout);
        ws_->read_message_max(options_.max_message_size);
        ws_->auto_fragment(false);
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
            co_await (RunHandler(ctx, handler) && CloseLoop() && PingLoop());
        }  // else Beast has queued its refusal, which the writer still sends
        finished_ = true;
        {
            std::lock_guard lock(out_mu_);
            data_closed_ = true;
        }
        while (WriterActive()) {  // a dropped socket makes the write fail at once
            co_await idle_.async_wait(kUse);
        }
        close_timer_.cancel();
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
            // Nobody reads any more and no close was asked for: the connection is dropped, but
            // after what is queued (Beast's own close frame, after a message over the limit)
            // has gone out.
            WhenIdle([self = this->shared_from_this()] { self->Drop(); });
        }
        wake_.cancel();
        ping_timer_.cancel();
    }

    // Waits for a Close (then runs the closing handshake: the close frame goes out behind every
    // queued message) or for the handler to end.
    boost::asio::awaitable<void> CloseLoop() {
        for (;;) {
            if (broken_ || (handler_done_ && !close_)) {
                co_return;
            }
            if (close_) {
                ArmCloseTimer();
                auto [ec] = co_await ws_->async_close(*close_, kUse);
                close_timer_.cancel();
                if (ec) {
                    Drop();
                }
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

    // One unmasked, final, binary frame.
    void AppendDataFrame(const std::string& payload) {
        std::size_t size = payload.size();
        char head[10];
        std::size_t n = 2;
        head[0] = static_cast<char>(0x82);
        if (size < 126) {
            head[1] = static_cast<char>(size);
        } else if (size <= 0xffff) {
            head[1] = 126;
            head[2] = static_cast<char>(size >> 8);
            head[3] = static_cast<char>(size & 0xff);
            n = 4;
        } else {
            head[1] = 127;
            for (int i = 0; i < 8; ++i) {
                head[2 + i] =
                    static_cast<char>((static_cast<uint64_t>(size) >> (56 - 8 * i)) & 0xff);
            }
            n = 10;
        }
        pending_.append(head, n);
        pending_.append(payload);
    }

    // Beast's own bytes (on the strand). After a close frame (ours or the answer to the peer's)
    // no data frame may follow, so none is accepted any more.
    template <typename ConstBuffers>
    bool AppendOwn(const ConstBuffers& bytes, std::size_t size) {
        bool start = false;
        {
            std::lock_guard lock(out_mu_);
            // Beast's own frames are bounded too: a peer that floods pings and reads nothing
            // would otherwise pile up pongs here (the write "completes" at once, so Beast keeps
            // reading). Past the limit the write fails, the read fails with it, and the socket
            // is dropped.
            if (broken_ || pending_.size() - exempt_ > options_.send_queue_limit + kControlSlack) {
                data_closed_ = true;
                return false;
            }
            std::size_t at = pending_.size();
            pending_.resize(at + size);
            boost::asio::buffer_copy(boost::asio::buffer(pending_.data() + at, size), bytes);
            if (size > 0 && static_cast<uint8_t>(pending_[at]) == 0x88) {
                data_closed_ = true;
            }
            start = StartWriterLocked();
        }
        if (start) {
            boost::asio::post(executor_, [self = this->shared_from_this()] { self->Flush(); });
        }
        return true;
    }

    bool StartWriterLocked() {
        if (writer_) {
            return false;
        }
        writer_ = true;
        return true;
    }

    bool WriterActive() {
        std::lock_guard lock(out_mu_);
        return writer_;
    }

    // The writer (on the strand): writes everything pending in one write, until nothing is.
    void Flush() {
        {
            std::lock_guard lock(out_mu_);
            if (pending_.empty() || broken_) {
                pending_.clear();
                writer_ = false;
                idle_.cancel();
                return;
            }
            writing_.swap(pending_);
            exempt_ = 0;
        }
        ArmWriteTimer();
        boost::asio::async_write(
            stream_, boost::asio::buffer(writing_),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                self->DisarmWriteTimer();
                // A burst's buffer is not kept for the life of the connection.
                if (self->writing_.capacity() > kKeptBufferBytes) {
                    std::string().swap(self->writing_);
                } else {
                    self->writing_.clear();
                }
                if (ec) {
                    self->Drop();
                }
                self->Flush();
            });
    }

    // A write not done within write_timeout is the peer not reading: the connection is dropped,
    // since its pending bytes (and our socket) would otherwise be held forever. One watchdog per
    // connection, set lazily: a write only notes when it started (a busy server writes to every
    // socket many times a second, and a timer set and cancelled per write costs more than the
    // write); the watchdog, when it fires, looks at the write in progress and sleeps on.
    void ArmWriteTimer() {
        if (options_.write_timeout.count() <= 0) {
            return;
        }
        write_in_progress_ = true;
        write_started_ = std::chrono::steady_clock::now();
        if (!watchdog_armed_) {
            watchdog_armed_ = true;
            WatchWrite(write_started_ + options_.write_timeout);
        }
    }
    void WatchWrite(std::chrono::steady_clock::time_point at) {
        write_timer_.expires_at(at);
        write_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
            if (ec || !self->write_in_progress_) {
                self->watchdog_armed_ = false;
                return;
            }
            const auto deadline = self->write_started_ + self->options_.write_timeout;
            if (std::chrono::steady_clock::now() < deadline) {
                self->WatchWrite(deadline);  // a later write: its own deadline
                return;
            }
            self->watchdog_armed_ = false;
            log::Warn("websocket write timed out, disconnecting", {});
            self->Drop();
        });
    }
    void DisarmWriteTimer() { write_in_progress_ = false; }

    // The closing handshake (which waits for the peer's close frame) has write_timeout too.
    void ArmCloseTimer() {
        if (options_.write_timeout.count() <= 0) {
            return;
        }
        close_timer_.expires_after(options_.write_timeout);
        close_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
            if (!ec) {
                self->Drop();
            }
        });
    }

    // Runs `f` on the strand once the writer has nothing left to write.
    template <typename F>
    void WhenIdle(F&& f) {
        if (!WriterActive()) {
            boost::asio::post(executor_, std::forward<F>(f));
            return;
        }
        idle_.async_wait([f = std::forward<F>(f)](boost::system::error_code) mutable { f(); });
    }

    // Closes the TCP connection at once: every pending operation ends with an error.
    void Drop() {
        if (finished_ && !ws_) {
            return;
        }
        {
            std::lock_guard lock(out_mu_);
            if (broken_) {
                return;
            }
            broken_ = true;
            data_closed_ = true;
        }
        boost::system::error_code ec;
        auto& socket = boost::beast::get_lowest_layer(stream_).socket();
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        socket.close(ec);
        wake_.cancel();
        ping_timer_.cancel();
        write_timer_.cancel();
        close_timer_.cancel();
    }

    static constexpr std::size_t kKeptBufferBytes = 64 * 1024;
    static constexpr std::size_t kControlSlack = 16 * 1024;  // a few control frames over the limit

    boost::asio::any_io_executor executor_;
    const WebSocketOptions options_;
    Stream& stream_;  // borrowed from the connection until Run returns
    // Every member from here to out_mu_ is used on the connection's strand only.
    std::optional<boost::beast::websocket::stream<Layer>> ws_;  // reset when the session ends
    boost::beast::flat_buffer read_buffer_;
    std::optional<boost::beast::websocket::close_reason> close_;
    boost::asio::steady_timer wake_;  // the closer sleeps on it
    boost::asio::steady_timer idle_;  // cancelled whenever the writer stops
    boost::asio::steady_timer ping_timer_;
    boost::asio::steady_timer write_timer_;
    boost::asio::steady_timer close_timer_;
    // The write watchdog (ArmWriteTimer).
    bool write_in_progress_ = false;
    bool watchdog_armed_ = false;
    std::chrono::steady_clock::time_point write_started_;
    int missed_pongs_ = 0;
    uint64_t ping_count_ = 0;
    std::string ping_payload_;  // of the latest ping; empty before the first
    std::string writing_;       // the bytes of the write in progress
    bool handler_done_ = false;
    bool finished_ = false;

    std::mutex out_mu_;  // guards the members below; written from any thread by Send
    std::string pending_;
    std::size_t exempt_ = 0;  // bytes at pending_'s start the queue limit does not count
    bool writer_ = false;     // Flush is scheduled or writing
    bool data_closed_ = false;
    bool broken_ = false;  // also read on the strand without the lock: only the strand writes it
};

// Upgrades and serves one WebSocket connection; returns when it has ended.
template <typename Stream>
boost::asio::awaitable<void> ServeWebSocket(
    Stream& stream, const Request& request, Context& ctx, const Router::WebSocketRoute& route) {
    auto session = std::make_shared<WebSocketSession<Stream>>(stream, route.options);
    co_await session->Run(request, ctx, route.handler);
}

}  // namespace hatongsu::net::detail
