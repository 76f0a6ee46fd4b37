// Load generator for a colyseus 0.15 gallery room (ours or the original's): N clients join over the
// real wire (HTTP matchmaking, WebSocket upgrade, JOIN_ROOM acknowledgement, pongs), then each
// sends one chat per second for the run, spread evenly over the second. Every client receives
// every chat (the room broadcasts to everyone), so the room must deliver N x N messages per second.
// Each chat carries its send time; a receiver records send-to-receive latency in a log histogram.
// At the end: delivered messages per second, lost messages, latency p50/p99/max, and the server
// process's CPU time and resident memory (read from /proc), as one line of key=value pairs.
//
// Usage: event_load --port P --server-pid PID [--clients N] [--seconds S] [--threads T]
//
// One TCP connection per client; frames are parsed by hand (server frames are unmasked; ours are
// masked as RFC 6455 requires of clients). Only the bench's own chats (text "bench:<ns>") count.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include "bench/process_stats.h"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using hatongsu::bench::ProcessSample;
using hatongsu::bench::SampleProcess;
using Clock = std::chrono::steady_clock;

int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

// Latency histogram: 1 µs .. ~100 s in buckets 2% wide, lock-free to merge (one per thread).
class Histogram {
public:
    void Add(int64_t ns) {
        double us = std::max(1.0, static_cast<double>(ns) / 1000.0);
        auto bucket = static_cast<std::size_t>(std::log(us) / std::log(kGrowth));
        counts_[std::min(bucket, counts_.size() - 1)]++;
        max_ns_ = std::max(max_ns_, ns);
        total_++;
    }
    void Merge(const Histogram& other) {
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            counts_[i] += other.counts_[i];
        }
        max_ns_ = std::max(max_ns_, other.max_ns_);
        total_ += other.total_;
    }
    double PercentileMs(double p) const {
        if (total_ == 0) {
            return 0;
        }
        auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
        uint64_t seen = 0;
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            seen += counts_[i];
            if (seen >= rank) {
                return std::pow(kGrowth, static_cast<double>(i + 1)) / 1000.0;  // bucket's top
            }
        }
        return MaxMs();
    }
    double MaxMs() const { return static_cast<double>(max_ns_) / 1e6; }
    uint64_t Total() const { return total_; }

private:
    static constexpr double kGrowth = 1.02;
    std::array<uint64_t, 1000> counts_{};
    int64_t max_ns_ = 0;
    uint64_t total_ = 0;
};

struct Options {
    uint16_t port = 2567;
    int server_pid = 0;
    int clients = 100;
    int seconds = 30;
    int threads = 1;
    int join_concurrency = 8;
};

// Shared by every client; the counters are only summed at the end.
struct Run {
    Options options;
    std::atomic<int> joined{0};
    std::atomic<int> failed{0};
    std::atomic<uint64_t> sent{0};
    std::atomic<uint64_t> received{0};
    std::atomic<bool> stop{false};
};

// A client frame: FIN + opcode, masked, with a random key.
std::string MaskedFrame(uint8_t opcode, std::string_view payload, std::mt19937& rng) {
    std::string out;
    out.push_back(static_cast<char>(0x80 | opcode));
    if (payload.size() < 126) {
        out.push_back(static_cast<char>(0x80 | payload.size()));
    } else {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(payload.size() >> 8));
        out.push_back(static_cast<char>(payload.size() & 0xff));
    }
    std::array<uint8_t, 4> key{};
    uint32_t r = rng();
    std::memcpy(key.data(), &r, 4);
    out.append(reinterpret_cast<const char*>(key.data()), 4);
    for (std::size_t i = 0; i < payload.size(); ++i) {
        out.push_back(static_cast<char>(static_cast<uint8_t>(payload[i]) ^ key[i % 4]));
    }
    return out;
}

// 0d, msgpack "clientChatMessage", msgpack str(text).
std::string ChatPayload(std::string_view text) {
    std::string out =
        "\x0d\xb1"
        "clientChatMessage";
    if (text.size() < 32) {
        out.push_back(static_cast<char>(0xa0 | text.size()));
    } else {
        out.push_back(static_cast<char>(0xd9));
        out.push_back(static_cast<char>(text.size()));
    }
    out.append(text);
    return out;
}

class Client : public std::enable_shared_from_this<Client> {
public:
    Client(asio::io_context& io, Run& run, int index, Histogram& histogram)
        : io_(io),
          run_(run),
          index_(index),
          histogram_(histogram),
          socket_(io),
          rng_(static_cast<uint32_t>(index) * 2654435761u) {}

    asio::awaitable<bool> Join() {
        try {
            auto seat = co_await Matchmake();
            if (seat.session_id.empty()) {
                co_return false;
            }
            co_await Upgrade(seat);
            co_return true;
        } catch (const std::exception& e) {
            if (run_.failed.load() < 5) {
                std::cerr << "client " << index_ << ": " << e.what() << "\n";
            }
            co_return false;
        }
    }

    asio::awaitable<void> ReadLoop() {
        try {
            for (;;) {
                std::size_t n = co_await socket_.async_read_some(
                    asio::buffer(buffer_.data() + used_, buffer_.size() - used_),
                    asio::use_awaitable);
                used_ += n;
                co_await ConsumeFrames();
                if (used_ == buffer_.size()) {
                    throw std::runtime_error("frame larger than the read buffer");
                }
            }
        } catch (const std::exception& e) {
            if (!run_.stop) {
                if (run_.failed.load() < 5) {
                    std::cerr << "client " << index_ << " lost: " << e.what() << "\n";
                }
                run_.failed++;
            }
        }
    }

    // One chat per second, at this client's offset within the second, until `end_ns`.
    asio::awaitable<void> SendLoop(int64_t start_ns, int64_t end_ns) {
        asio::steady_timer timer(io_);
        int64_t offset = static_cast<int64_t>(index_) * 1'000'000'000LL / run_.options.clients;
        for (int64_t at = start_ns + offset; at < end_ns; at += 1'000'000'000LL) {
            timer.expires_at(Clock::time_point(std::chrono::nanoseconds(at)));
            co_await timer.async_wait(asio::use_awaitable);
            std::string text = "bench:" + std::to_string(NowNs());
            std::string frame = MaskedFrame(0x2, ChatPayload(text), rng_);
            co_await asio::async_write(socket_, asio::buffer(frame), asio::use_awaitable);
            run_.sent++;
        }
    }

    void Close() {
        boost::system::error_code ec;
        socket_.close(ec);
    }

private:
    struct Seat {
        std::string process_id, room_id, session_id;
    };

    asio::awaitable<Seat> Matchmake() {
        tcp::socket http(io_);
        co_await http.async_connect(
            {asio::ip::make_address("127.0.0.1"), run_.options.port}, asio::use_awaitable);
        std::string body = "{\"playerId\":\"bench-" + std::to_string(index_) +
                           "\",\"nickname\":\"Bench " + std::to_string(index_) + "\"}";
        std::string request =
            "POST /matchmake/join/gallery_room HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
        co_await asio::async_write(http, asio::buffer(request), asio::use_awaitable);
        std::string response;
        auto [ec, n] = co_await asio::async_read(
            http, asio::dynamic_buffer(response), asio::as_tuple(asio::use_awaitable));
        (void)n;
        if (ec && ec != asio::error::eof) {
            throw boost::system::system_error(ec);
        }
        auto at = response.find("\r\n\r\n");
        if (at == std::string::npos) {
            throw std::runtime_error("no HTTP answer to matchmaking");
        }
        std::string_view json(response);
        json.remove_prefix(at + 4);
        // Chunked (Node) or not: the JSON object is between the first '{' and the last '}'.
        auto open = json.find('{');
        auto close = json.rfind('}');
        if (open == std::string_view::npos || close == std::string_view::npos) {
            throw std::runtime_error("matchmaking answer is not JSON: " + response);
        }
        auto value = boost::json::parse(json.substr(open, close - open + 1));
        const auto& object = value.as_object();
        if (!object.contains("sessionId")) {
            throw std::runtime_error("matchmaking refused: " + std::string(json));
        }
        const auto& room = object.at("room").as_object();
        co_return Seat{
            std::string(room.at("processId").as_string()),
            std::string(room.at("roomId").as_string()),
            std::string(object.at("sessionId").as_string())};
    }

    asio::awaitable<void> Upgrade(const Seat& seat) {
        co_await socket_.async_connect(
            {asio::ip::make_address("127.0.0.1"), run_.options.port}, asio::use_awaitable);
        socket_.set_option(tcp::no_delay(true));
        std::string request = "GET /" + seat.process_id + "/" + seat.room_id +
                              "?sessionId=" + seat.session_id +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                              "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        co_await asio::async_write(socket_, asio::buffer(request), asio::use_awaitable);
        // Read the 101 head; frames may follow it in the same read.
        for (;;) {
            std::size_t n = co_await socket_.async_read_some(
                asio::buffer(buffer_.data() + used_, buffer_.size() - used_), asio::use_awaitable);
            used_ += n;
            std::string_view seen(buffer_.data(), used_);
            auto end = seen.find("\r\n\r\n");
            if (end == std::string_view::npos) {
                continue;
            }
            if (seen.substr(0, 12) != "HTTP/1.1 101") {
                throw std::runtime_error("upgrade refused: " + std::string(seen.substr(0, end)));
            }
            std::memmove(buffer_.data(), buffer_.data() + end + 4, used_ - end - 4);
            used_ -= end + 4;
            break;
        }
        // Until JOIN_ROOM arrives and is acknowledged, the client is not in the room.
        while (!acknowledged_) {
            co_await ConsumeFrames();
            if (acknowledged_) {
                break;
            }
            std::size_t n = co_await socket_.async_read_some(
                asio::buffer(buffer_.data() + used_, buffer_.size() - used_), asio::use_awaitable);
            used_ += n;
        }
    }

    asio::awaitable<void> ConsumeFrames() {
        std::size_t at = 0;
        std::string replies;
        while (used_ - at >= 2) {
            auto* p = reinterpret_cast<const uint8_t*>(buffer_.data() + at);
            uint8_t opcode = p[0] & 0x0f;
            uint64_t length = p[1] & 0x7f;
            std::size_t head = 2;
            if (length == 126) {
                if (used_ - at < 4) {
                    break;
                }
                length = (uint64_t{p[2]} << 8) | p[3];
                head = 4;
            } else if (length == 127) {
                if (used_ - at < 10) {
                    break;
                }
                length = 0;
                for (int i = 0; i < 8; ++i) {
                    length = (length << 8) | p[2 + i];
                }
                head = 10;
            }
            if (used_ - at < head + length) {
                break;
            }
            std::string_view payload(buffer_.data() + at + head, length);
            at += head + length;
            if (opcode == 0x9) {
                replies += MaskedFrame(0xA, payload, rng_);
            } else if (opcode == 0x8) {
                throw std::runtime_error("closed by the server");
            } else if (!payload.empty() && payload[0] == 0x0a && !acknowledged_) {
                replies += MaskedFrame(0x2, std::string_view("\x0a", 1), rng_);
                acknowledged_ = true;
            } else if (!payload.empty() && payload[0] == 0x0d) {
                OnRoomData(payload);
            }
        }
        std::memmove(buffer_.data(), buffer_.data() + at, used_ - at);
        used_ -= at;
        if (!replies.empty()) {
            co_await asio::async_write(socket_, asio::buffer(replies), asio::use_awaitable);
        }
    }

    void OnRoomData(std::string_view payload) {
        static constexpr std::string_view kMarker = "bench:";
        auto at = payload.find(kMarker);
        if (at == std::string_view::npos) {
            return;
        }
        int64_t sent_ns = 0;
        for (std::size_t i = at + kMarker.size(); i < payload.size(); ++i) {
            char c = payload[i];
            if (c < '0' || c > '9') {
                break;
            }
            sent_ns = sent_ns * 10 + (c - '0');
        }
        histogram_.Add(NowNs() - sent_ns);
        run_.received.fetch_add(1, std::memory_order_relaxed);
    }

    asio::io_context& io_;
    Run& run_;
    int index_;
    Histogram& histogram_;
    tcp::socket socket_;
    std::mt19937 rng_;
    std::array<char, 256 * 1024> buffer_{};
    std::size_t used_ = 0;
    bool acknowledged_ = false;
};

Options Parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view key = argv[i];
        int value = std::stoi(argv[i + 1]);
        if (key == "--port") {
            o.port = static_cast<uint16_t>(value);
        } else if (key == "--server-pid") {
            o.server_pid = value;
        } else if (key == "--clients") {
            o.clients = value;
        } else if (key == "--seconds") {
            o.seconds = value;
        } else if (key == "--threads") {
            o.threads = value;
        } else {
            throw std::runtime_error("unknown option " + std::string(key));
        }
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Run run;
    try {
        run.options = Parse(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "event_load: " << e.what()
                  << "\nusage: event_load --port P --server-pid PID [--clients N] [--seconds S] "
                     "[--threads T]\n";
        return 2;
    }
    const Options& o = run.options;
    int threads = std::max(1, o.threads);
    std::vector<std::unique_ptr<asio::io_context>> ios;
    std::vector<Histogram> histograms(threads);
    for (int t = 0; t < threads; ++t) {
        ios.push_back(std::make_unique<asio::io_context>(1));
    }
    std::vector<std::shared_ptr<Client>> clients;
    for (int i = 0; i < o.clients; ++i) {
        clients.push_back(
            std::make_shared<Client>(*ios[i % threads], run, i, histograms[i % threads]));
    }

    // Join a few at a time (a server bounds pending seats per address); a client runs on its
    // thread's io_context only and starts reading as soon as it has joined.
    std::atomic<int> next{0};
    for (int t = 0; t < threads; ++t) {
        for (int j = 0; j < std::max(1, o.join_concurrency / threads); ++j) {
            // Each joiner takes clients in order; a client always runs on its own io_context.
            asio::co_spawn(
                *ios[t],
                [&, t]() -> asio::awaitable<void> {
                    for (;;) {
                        int i = next.load();
                        if (i >= o.clients) {
                            co_return;
                        }
                        if (i % threads != t) {
                            // Not ours: let the owner take it.
                            asio::steady_timer wait(*ios[t], std::chrono::milliseconds(1));
                            co_await wait.async_wait(asio::use_awaitable);
                            continue;
                        }
                        if (!next.compare_exchange_strong(i, i + 1)) {
                            continue;
                        }
                        bool ok = co_await clients[i]->Join();
                        if (!ok) {
                            run.failed++;
                            continue;
                        }
                        run.joined++;
                        asio::co_spawn(*ios[t], clients[i]->ReadLoop(), asio::detached);
                    }
                },
                asio::detached);
        }
    }
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&io = *ios[t]] { io.run(); });
    }

    auto join_started = Clock::now();
    while (run.joined + run.failed < o.clients &&
           Clock::now() - join_started < std::chrono::seconds(120)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    double join_seconds = std::chrono::duration<double>(Clock::now() - join_started).count();
    if (run.joined < o.clients) {
        std::cerr << "event_load: only " << run.joined << " of " << o.clients << " joined\n";
        run.stop = true;
        for (auto& io : ios) {
            io->stop();
        }
        for (auto& w : workers) {
            w.join();
        }
        return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let the join patches settle

    ProcessSample before = SampleProcess(o.server_pid);
    int64_t start = NowNs() + 100'000'000;
    int64_t end = start + static_cast<int64_t>(o.seconds) * 1'000'000'000LL;
    for (int i = 0; i < o.clients; ++i) {
        asio::co_spawn(
            *ios[i % threads],
            [c = clients[i], start, end]() -> asio::awaitable<void> {
                try {
                    co_await c->SendLoop(start, end);
                } catch (const std::exception&) {
                }
            },
            asio::detached);
    }
    double peak_rss = 0;
    while (NowNs() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        peak_rss = std::max(peak_rss, SampleProcess(o.server_pid).rss_mib);
    }
    ProcessSample after_send = SampleProcess(o.server_pid);
    // Wait (at most 10 s) for what is still in flight.
    uint64_t expected = 0;
    for (int waited = 0; waited < 100; ++waited) {
        expected = run.sent.load() * static_cast<uint64_t>(o.clients);
        if (run.received.load() >= expected) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ProcessSample after = SampleProcess(o.server_pid);
    peak_rss = std::max(peak_rss, after.rss_mib);
    run.stop = true;
    for (auto& io : ios) {
        io->stop();
    }
    for (auto& w : workers) {
        w.join();
    }
    for (auto& c : clients) {
        c->Close();
    }

    Histogram all;
    for (auto& h : histograms) {
        all.Merge(h);
    }
    uint64_t received = run.received.load();
    expected = run.sent.load() * static_cast<uint64_t>(o.clients);
    double cpu = after.cpu_seconds - before.cpu_seconds;
    double send_cpu = after_send.cpu_seconds - before.cpu_seconds;
    std::printf(
        "clients=%d seconds=%d joined_in_s=%.1f sent=%llu delivered=%llu lost=%lld "
        "delivered_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.1f server_cpu_s=%.2f "
        "server_cpu_during_send_s=%.2f delivered_per_cpu_s=%.0f server_rss_mib=%.1f "
        "server_peak_rss_mib=%.1f failed=%d\n",
        o.clients, o.seconds, join_seconds, static_cast<unsigned long long>(run.sent.load()),
        static_cast<unsigned long long>(received),
        static_cast<long long>(expected) - static_cast<long long>(received),
        static_cast<double>(received) / o.seconds, all.PercentileMs(50), all.PercentileMs(99),
        all.MaxMs(), cpu, send_cpu, cpu > 0 ? static_cast<double>(received) / cpu : 0.0, peak_rss,
        after.peak_rss_mib, run.failed.load());
    return 0;
}
