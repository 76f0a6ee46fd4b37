// Load generator for the world server: PEERS native WebRTC peers (libs/webrtc in the client role)
// sign in through the geckos.io signaling routes like @geckos.io/client does, then each sends
// clientPlayerUpdate at HZ for SECONDS. Every update carries its send time in the position's x
// (milliseconds within a 100 s cycle), so a peer receiving serverPlayerUpdate for another player
// knows how long the update took from one peer's send to another peer's receipt. Prints, as one
// line of key=value pairs: updates sent and delivered per second, latency p50/p99/max, and the
// server process's CPU time and resident memory (read from /proc).
//
// The peers run in K child processes (--procs, default 1), each with its own WebRTC stack on
// its own thread, as separate browsers would: one thread serving all N peers handles their
// packets one after another and counts that queue as latency. Where cores are to spare, more
// processes measure the server more closely; on 2 cores shared with the server, one measures
// better (a third busy thread takes CPU from the server). This process only coordinates: it
// starts the shards' clocks together once all have joined, samples the server, and merges
// their histograms.
//
// With --walk 1 the peers are scenery instead: each walks a circle of its own in the gallery
// (a 5 x 4 grid over the room, facing along the circle, walking animation) at HZ, nothing is
// measured, and "walking N" is printed once all have joined. The gallery's bench draws them.
//
// Usage: world_load --port P [--server-pid PID] [--peers N] [--hz HZ] [--seconds S] [--walk 1]
//                   [--procs K]
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/process_stats.h"
#include "hatongsu/webrtc/endpoint.h"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace webrtc = hatongsu::webrtc;
using hatongsu::bench::SampleProcess;
using Clock = std::chrono::steady_clock;

struct Options {
    uint16_t port = 4100;
    int server_pid = 0;
    int peers = 50;
    int hz = 20;
    int seconds = 30;
    bool walk = false;
    int procs = 1;
};

constexpr char kUsage[] =
    "usage: world_load --port P [--server-pid PID] [--peers N] [--hz HZ] [--seconds S] "
    "[--walk 1] [--procs K]\n";

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
}

// One HTTP/1.1 request with Connection: close; returns the body (or throws).
std::string Http(uint16_t port, const std::string& target, const std::string& body) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    std::string request = "POST " + target +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                          "Content-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
    asio::write(socket, asio::buffer(request));
    std::string response;
    boost::system::error_code ec;
    asio::read(socket, asio::dynamic_buffer(response), ec);
    auto at = response.find("\r\n\r\n");
    if (at == std::string::npos || response.compare(0, 12, "HTTP/1.1 200") != 0) {
        throw std::runtime_error("signaling refused: " + response.substr(0, 200));
    }
    return response.substr(at + 4);
}

// Latency histogram, 1 ms buckets up to 10 s.
struct Histogram {
    std::array<uint64_t, 10001> counts{};
    uint64_t total = 0;
    int64_t max = 0;
    void Add(int64_t ms) {
        ms = std::clamp<int64_t>(ms, 0, 10000);
        counts[static_cast<std::size_t>(ms)]++;
        total++;
        max = std::max(max, ms);
    }
    void Merge(const Histogram& other) {
        for (std::size_t i = 0; i < counts.size(); ++i) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = std::max(max, other.max);
    }
    int64_t Percentile(double p) const {
        auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total)));
        uint64_t seen = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            seen += counts[i];
            if (seen >= rank && rank > 0) {
                return static_cast<int64_t>(i);
            }
        }
        return max;
    }
};

// The x of a position that says "sent at `ms`": milliseconds within a 100 s cycle, as metres
// from -50 to 50 (inside the default world bounds).
double EncodeTime(int64_t ms) {
    return static_cast<double>(ms % 100000) / 1000.0 - 50.0;
}
int64_t DecodeAge(double x, int64_t now_ms) {
    auto sent = static_cast<int64_t>(std::llround((x + 50.0) * 1000.0));
    return ((now_ms % 100000) - sent + 100000) % 100000;
}

// Walker `i`'s position `t` into the walk: a circle of 0.9 m at 0.8 rad/s, centred on a 5 x 4
// grid over the gallery's floor (24 x 14 m around the origin), facing along the circle.
void WalkUpdate(char* out, std::size_t size, std::size_t i, std::chrono::duration<double> t) {
    double cx = -9.0 + static_cast<double>(i % 5) * 4.5;
    double cz = -3.5 + static_cast<double>((i / 5) % 4) * 2.4;
    double a = t.count() * 0.8 + static_cast<double>(i);
    double heading = a + std::numbers::pi;
    std::snprintf(
        out, size,
        "{\"clientPlayerUpdate\":{\"position\":{\"x\":%.3f,\"y\":0,\"z\":%.3f},"
        "\"rotation\":{\"x\":0,\"y\":%.4f,\"z\":0,\"w\":%.4f}}}",
        cx + 0.9 * std::cos(a), cz + 0.9 * std::sin(a), std::sin(heading / 2),
        std::cos(heading / 2));
}

Options Parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view key = argv[i];
        int value = std::stoi(argv[i + 1]);
        if (key == "--port") {
            o.port = static_cast<uint16_t>(value);
        } else if (key == "--server-pid") {
            o.server_pid = value;
        } else if (key == "--peers") {
            o.peers = value;
        } else if (key == "--hz") {
            o.hz = value;
        } else if (key == "--seconds") {
            o.seconds = value;
        } else if (key == "--walk") {
            o.walk = value != 0;
        } else if (key == "--procs") {
            o.procs = value;
        } else {
            throw std::runtime_error("unknown option " + std::string(key));
        }
    }
    return o;
}

// One process's share of the peers: global indices [first, first + count).
struct Shard {
    int first = 0;
    int count = 0;
};

// What a shard reports once its run is over, written raw over a pipe to the parent.
struct ShardResult {
    uint64_t sent = 0;
    uint64_t delivered = 0;
    Histogram latency;
};

// All `size` bytes through `io` (::read or ::write), past short and interrupted calls.
template <typename Io, typename Byte>
bool Whole(Io io, int fd, Byte* p, std::size_t size) {
    while (size > 0) {
        ssize_t n = io(fd, p, size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool WriteAll(int fd, const void* data, std::size_t size) {
    return Whole(::write, fd, static_cast<const char*>(data), size);
}

bool ReadAll(int fd, void* data, std::size_t size) {
    return Whole(::read, fd, static_cast<char*>(data), size);
}

bool Readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

// Runs one shard in this process: signs its peers in, says so (one byte on `report`), keeps
// them alive until the go (one byte on `go`), sends for o.seconds, then writes its ShardResult
// on `report`. Returns the process's exit code.
int RunShard(const Options& o, Shard shard, int go, int report) {
    asio::io_context io;
    auto result = std::make_unique<ShardResult>();
    std::size_t open = 0;
    bool measuring = false;
    webrtc::PeerEvents events{
        .on_open = [&](const webrtc::PeerId&) { ++open; },
        .on_message =
            [&](const webrtc::PeerId&, std::string_view data, bool) {
                if (!measuring || data.find("\"serverPlayerUpdate\"") == std::string_view::npos) {
                    return;
                }
                auto at = data.find("\"position\":{\"x\":");
                if (at == std::string_view::npos) {
                    return;
                }
                double x = std::strtod(std::string(data.substr(at + 16, 32)).c_str(), nullptr);
                result->latency.Add(DecodeAge(x, NowMs()));
                ++result->delivered;
            },
        .on_closed = {},
        .on_read_done = {},
    };
    webrtc::EndpointOptions options;
    options.bind_address = "127.0.0.1";
    options.max_peers = static_cast<std::size_t>(shard.count);
    options.open_timeout = std::chrono::seconds(60);
    auto started = webrtc::Endpoint::Start(io.get_executor(), options, events);
    if (!started.ok()) {
        std::cerr << "world_load: " << started.status() << "\n";
        return 1;
    }
    auto& ep = *started;

    // Sign in a few at a time (the server bounds connections being set up per address; the
    // shards share that bound).
    const std::size_t max_pending = std::max(1, 8 / std::max(1, o.procs));
    std::vector<std::string> ids;
    auto join_start = Clock::now();
    try {
        for (int i = 0; i < shard.count; ++i) {
            json::value offer = json::parse(Http(o.port, "/.wrtc/v2/connections", ""));
            std::string id(offer.at("id").as_string());
            std::string sdp(offer.at("localDescription").at("sdp").as_string());
            auto answer = ep->AcceptOffer(id, sdp);
            if (!answer.ok()) {
                std::cerr << "world_load: " << answer.status() << "\n";
                return 1;
            }
            json::object body{{"type", "answer"}, {"sdp", *answer}};
            Http(
                o.port, "/.wrtc/v2/connections/" + id + "/remote-description",
                json::serialize(body));
            ids.push_back(id);
            while (ids.size() - open >= max_pending) {
                if (Clock::now() - join_start > std::chrono::seconds(60)) {
                    std::cerr << "world_load: peers did not open within 60 s\n";
                    return 1;
                }
                io.run_for(std::chrono::milliseconds(5));
            }
            io.poll();
        }
    } catch (const std::exception& e) {
        std::cerr << "world_load: " << e.what() << "\n";
        return 1;
    }
    while (open < ids.size() && Clock::now() - join_start < std::chrono::seconds(60)) {
        io.run_for(std::chrono::milliseconds(5));
    }
    if (open < ids.size()) {
        std::cerr << "world_load: only " << open << " of " << ids.size() << " peers opened\n";
        return 1;
    }
    io.run_for(std::chrono::seconds(2));  // the join messages settle
    if (!WriteAll(report, "J", 1)) {
        return 1;
    }
    while (!Readable(go)) {
        io.run_for(std::chrono::milliseconds(5));
    }
    if (o.walk) {
        for (const auto& id : ids) {
            (void)ep->Send(
                id, "{\"clientAnimationUpdate\":{\"playerId\":\"" + id + "\",\"state\":1}}", false);
        }
    }

    // Each peer sends at HZ; the peers of every shard together are spread over the period.
    measuring = !o.walk;  // a walker's x is a place, not a time
    const int64_t period_us = 1'000'000 / std::max(1, o.hz);
    const auto start = Clock::now();
    const auto end = start + std::chrono::seconds(o.seconds);
    std::vector<Clock::time_point> next(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const int64_t global = shard.first + static_cast<int64_t>(i);
        next[i] = start + std::chrono::microseconds(period_us * global / o.peers);
    }
    while (Clock::now() < end) {
        auto now = Clock::now();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (now < next[i]) {
                continue;
            }
            next[i] += std::chrono::microseconds(period_us);
            const std::size_t global = static_cast<std::size_t>(shard.first) + i;
            char message[256];
            if (o.walk) {
                WalkUpdate(
                    message, sizeof(message), global, std::chrono::duration<double>(now - start));
            } else {
                std::snprintf(
                    message, sizeof(message),
                    "{\"clientPlayerUpdate\":{\"position\":{\"x\":%.3f,\"y\":0,\"z\":%d},"
                    "\"rotation\":{\"x\":0,\"y\":0,\"z\":0,\"w\":1}}}",
                    EncodeTime(NowMs()), static_cast<int>(global % 50));
            }
            if (ep->Send(ids[i], message, false).ok()) {
                ++result->sent;
            }
        }
        io.run_for(std::chrono::milliseconds(1));
    }
    measuring = false;
    ep->Stop();
    return WriteAll(report, result.get(), sizeof(ShardResult)) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = Parse(argc, argv);
        if (o.peers < 1 || o.procs < 1 || o.hz < 1 || o.seconds < 1) {
            throw std::runtime_error("--peers, --procs, --hz and --seconds must be at least 1");
        }
    } catch (const std::exception& e) {
        std::cerr << "world_load: " << e.what() << "\n" << kUsage;
        return 2;
    }
    // Each shard keeps at least one connection being set up: 8 stay within the server's
    // per-address bound (WORLD_MAX_PENDING_PER_IP).
    o.procs = std::min({o.procs, o.peers, 8});
    ::signal(SIGPIPE, SIG_IGN);  // a shard that died shows as a failed write, not our death
    const pid_t parent = ::getpid();

    // One child process per shard (each its own WebRTC stack and thread, like separate
    // browsers); this process only coordinates and samples the server.
    struct Child {
        pid_t pid = 0;
        int go = -1;
        int report = -1;
    };
    std::vector<Child> children;
    auto kill_all = [&] {
        for (const Child& c : children) {
            ::kill(c.pid, SIGKILL);
        }
    };
    for (int k = 0; k < o.procs; ++k) {
        int go[2];
        int report[2];
        if (::pipe(go) != 0) {
            std::perror("world_load: pipe");
            kill_all();
            return 1;
        }
        if (::pipe(report) != 0) {
            std::perror("world_load: pipe");
            kill_all();
            return 1;
        }
        const Shard shard{
            o.peers * k / o.procs, o.peers * (k + 1) / o.procs - o.peers * k / o.procs};
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("world_load: fork");
            kill_all();
            return 1;
        }
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the gallery bench stops us with a signal
            if (::getppid() != parent) {
                std::_Exit(1);  // it already did, before the line above
            }
            for (const Child& earlier : children) {  // the other shards' pipes are not ours
                ::close(earlier.go);
                ::close(earlier.report);
            }
            ::close(go[1]);
            ::close(report[0]);
            std::_Exit(RunShard(o, shard, go[0], report[1]));
        }
        ::close(go[0]);
        ::close(report[1]);
        children.push_back({pid, go[1], report[0]});
    }

    const auto join_start = Clock::now();
    for (const Child& c : children) {
        char joined = 0;
        if (!ReadAll(c.report, &joined, 1)) {
            std::cerr << "world_load: a shard failed to sign its peers in\n";
            kill_all();
            return 1;
        }
    }
    const double join_s = std::chrono::duration<double>(Clock::now() - join_start).count();
    const double cpu0 = SampleProcess(o.server_pid).cpu_seconds;
    for (const Child& c : children) {
        if (!WriteAll(c.go, "G", 1)) {
            std::cerr << "world_load: a shard died after signing its peers in\n";
            kill_all();
            return 1;
        }
    }
    if (o.walk) {
        std::printf("walking %d\n", o.peers);
        std::fflush(stdout);
    }

    // Sample the server's memory while the shards run, then merge what they measured.
    double peak_rss = 0;
    std::vector<pollfd> waiting;
    for (const Child& c : children) {
        waiting.push_back({c.report, POLLIN, 0});
    }
    while (std::any_of(waiting.begin(), waiting.end(), [](const pollfd& p) { return p.fd >= 0; })) {
        peak_rss = std::max(peak_rss, SampleProcess(o.server_pid).rss_mib);
        if (::poll(waiting.data(), waiting.size(), 500) <= 0) {
            continue;
        }
        for (pollfd& p : waiting) {
            if (p.fd >= 0 && p.revents != 0) {
                p.fd = -1;  // the result is read below; stop polling this one
            }
        }
    }
    const double cpu = SampleProcess(o.server_pid).cpu_seconds - cpu0;
    ShardResult total;
    auto part = std::make_unique<ShardResult>();
    bool ok = true;
    for (const Child& c : children) {
        if (!ReadAll(c.report, part.get(), sizeof(ShardResult))) {
            ok = false;
            continue;
        }
        total.sent += part->sent;
        total.delivered += part->delivered;
        total.latency.Merge(part->latency);
    }
    for (const Child& c : children) {
        int status = 0;
        ::waitpid(c.pid, &status, 0);
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (!ok) {
        std::cerr << "world_load: a shard failed during the run\n";
        return 1;
    }
    std::printf(
        "peers=%d procs=%d hz=%d seconds=%d joined_in_s=%.1f sent_per_s=%.0f "
        "delivered_per_s=%.0f p50_ms=%lld p99_ms=%lld max_ms=%lld server_cpu_s=%.2f "
        "server_cores=%.2f server_rss_mib=%.1f\n",
        o.peers, o.procs, o.hz, o.seconds, join_s, static_cast<double>(total.sent) / o.seconds,
        static_cast<double>(total.delivered) / o.seconds,
        static_cast<long long>(total.latency.Percentile(50)),
        static_cast<long long>(total.latency.Percentile(99)),
        static_cast<long long>(total.latency.max), cpu, cpu / o.seconds, peak_rss);
    return 0;
}
