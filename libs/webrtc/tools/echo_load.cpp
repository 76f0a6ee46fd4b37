// Load check for libs/webrtc: a server process and a client process (forked, SDP exchanged over
// pipes), PEERS client connections each sending a small message at HZ, the server echoing it.
// Prints, per side, CPU time, RSS and (client) the round-trip latency. Not a test; run by hand:
//   webrtc_echo_load [PEERS=100] [HZ=20] [SECONDS=10] [BYTES=60]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hatongsu/webrtc/endpoint.h"

namespace {

namespace webrtc = hatongsu::webrtc;
using Clock = std::chrono::steady_clock;

// One SDP per line: CR and LF escaped.
std::string Escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string Unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            out += s[i + 1] == 'r' ? '\r' : '\n';
            ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool ReadLine(int fd, std::string& line) {
    line.clear();
    char c = 0;
    while (read(fd, &c, 1) == 1) {
        if (c == '\n') {
            return true;
        }
        line += c;
    }
    return false;
}

void WriteLine(int fd, const std::string& line) {
    const std::string l = line + "\n";
    size_t done = 0;
    while (done < l.size()) {
        const ssize_t n = write(fd, l.data() + done, l.size() - done);
        if (n <= 0) {
            std::exit(3);
        }
        done += static_cast<size_t>(n);
    }
}

double CpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long RssKb() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            long kb = 0;
            status >> kb;
            return kb;
        }
    }
    return 0;
}

int RunServer(int peers, int seconds, int offers_out, int answers_in) {
    boost::asio::io_context io;
    std::unique_ptr<webrtc::Endpoint> ep;
    uint64_t echoed = 0;
    size_t open = 0;
    webrtc::PeerEvents events{
        .on_open = [&](const webrtc::PeerId&) { ++open; },
        .on_message =
            [&](const webrtc::PeerId& id, std::string_view data, bool binary) {
                if (ep->Send(id, data, binary).ok()) {
                    ++echoed;
                }
            },
        .on_closed = {},
        .on_read_done = {},
    };
    webrtc::EndpointOptions options;
    options.bind_address = "127.0.0.1";
    options.max_peers = static_cast<size_t>(peers);
    options.open_timeout = std::chrono::seconds(60);
    ep = std::move(*webrtc::Endpoint::Start(io.get_executor(), options, events));
    for (int i = 0; i < peers; ++i) {
        WriteLine(offers_out, Escape(ep->CreatePeer("p" + std::to_string(i), {})->sdp));
    }
    std::string line;
    for (int i = 0; i < peers; ++i) {
        if (!ReadLine(answers_in, line) ||
            !ep->SetRemoteAnswer("p" + std::to_string(i), Unescape(line)).ok()) {
            return 2;
        }
        io.poll();
    }
    const auto setup_start = Clock::now();
    while (open < static_cast<size_t>(peers) &&
           Clock::now() - setup_start < std::chrono::seconds(30)) {
        io.run_for(std::chrono::milliseconds(5));
    }
    const double setup_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - setup_start).count();
    const double cpu0 = CpuSeconds();
    const auto start = Clock::now();
    io.run_for(std::chrono::seconds(seconds));
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = CpuSeconds() - cpu0;
    const auto& c = ep->Counters();
    std::printf(
        "server: peers_open=%zu setup_ms=%.0f echoed=%llu cpu=%.1f%% (of one core) "
        "us_per_echo=%.1f rss_mb=%.1f dropped_backpressure=%llu\n",
        open, setup_ms, static_cast<unsigned long long>(echoed), 100.0 * cpu / wall,
        echoed > 0 ? cpu * 1e6 / static_cast<double>(echoed) : 0.0, RssKb() / 1024.0,
        static_cast<unsigned long long>(c.sent_dropped_backpressure));
    return 0;
}

int RunClient(int peers, int hz, int seconds, int bytes, int offers_in, int answers_out) {
    boost::asio::io_context io;
    std::unique_ptr<webrtc::Endpoint> ep;
    std::vector<double> rtts_ms;
    size_t open = 0;
    webrtc::PeerEvents events{
        .on_open = [&](const webrtc::PeerId&) { ++open; },
        .on_message =
            [&](const webrtc::PeerId&, std::string_view data, bool) {
                int64_t sent = 0;
                if (data.size() >= sizeof(sent)) {
                    std::memcpy(&sent, data.data(), sizeof(sent));
                    const int64_t now = Clock::now().time_since_epoch().count();
                    rtts_ms.push_back(static_cast<double>(now - sent) / 1e6);
                }
            },
        .on_closed = {},
        .on_read_done = {},
    };
    webrtc::EndpointOptions options;
    options.bind_address = "127.0.0.1";
    options.max_peers = static_cast<size_t>(peers);
    options.open_timeout = std::chrono::seconds(60);
    ep = std::move(*webrtc::Endpoint::Start(io.get_executor(), options, events));
    // All offers first: the server writes them all before reading answers (pipes are finite).
    std::vector<std::string> offers(static_cast<size_t>(peers));
    for (auto& offer : offers) {
        if (!ReadLine(offers_in, offer)) {
            return 2;
        }
    }
    for (int i = 0; i < peers; ++i) {
        auto answer = ep->AcceptOffer("p" + std::to_string(i), Unescape(offers[i]));
        if (!answer.ok()) {
            std::cerr << answer.status() << std::endl;
            return 2;
        }
        WriteLine(answers_out, Escape(*answer));
    }
    const auto setup_start = Clock::now();
    while (open < static_cast<size_t>(peers) &&
           Clock::now() - setup_start < std::chrono::seconds(30)) {
        io.run_for(std::chrono::milliseconds(5));
    }
    if (open < static_cast<size_t>(peers)) {
        const auto& c = ep->Counters();
        std::printf(
            "client: only %zu of %d peers opened (closed: consent %llu, open %llu, protocol %llu, "
            "udp send errors %llu)\n",
            open, peers, static_cast<unsigned long long>(c.closed_consent_timeout),
            static_cast<unsigned long long>(c.closed_open_timeout),
            static_cast<unsigned long long>(c.closed_protocol_error),
            static_cast<unsigned long long>(c.udp_send_errors));
    }
    uint64_t sent = 0;
    std::string payload(static_cast<size_t>(std::max(bytes, 8)), 'x');
    const auto period = std::chrono::nanoseconds(1'000'000'000 / hz);
    const double cpu0 = CpuSeconds();
    const auto start = Clock::now();
    auto next = start;
    while (Clock::now() - start < std::chrono::seconds(seconds)) {
        const int64_t now = Clock::now().time_since_epoch().count();
        std::memcpy(payload.data(), &now, sizeof(now));
        for (int i = 0; i < peers; ++i) {
            if (ep->Send("p" + std::to_string(i), payload, true).ok()) {
                ++sent;
            }
        }
        next += period;
        io.run_until(next);
    }
    io.run_for(std::chrono::milliseconds(500));
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = CpuSeconds() - cpu0;
    std::sort(rtts_ms.begin(), rtts_ms.end());
    auto pct = [&](double p) {
        return rtts_ms.empty() ? 0.0 : rtts_ms[static_cast<size_t>(p * (rtts_ms.size() - 1))];
    };
    std::printf(
        "client: sent=%llu echoes=%zu rtt_ms p50=%.2f p99=%.2f max=%.2f cpu=%.1f%% rss_mb=%.1f\n",
        static_cast<unsigned long long>(sent), rtts_ms.size(), pct(0.5), pct(0.99), pct(1.0),
        100.0 * cpu / wall, RssKb() / 1024.0);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const int peers = argc > 1 ? std::atoi(argv[1]) : 100;
    const int hz = argc > 2 ? std::atoi(argv[2]) : 20;
    const int seconds = argc > 3 ? std::atoi(argv[3]) : 10;
    const int bytes = argc > 4 ? std::atoi(argv[4]) : 60;
    int offers[2];
    int answers[2];
    if (peers <= 0 || hz <= 0 || seconds <= 0 || pipe(offers) != 0 || pipe(answers) != 0) {
        std::cerr << "usage: webrtc_echo_load [PEERS] [HZ] [SECONDS] [BYTES]" << std::endl;
        return 2;
    }
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        close(offers[1]);
        close(answers[0]);
        return RunClient(peers, hz, seconds, bytes, offers[0], answers[1]);
    }
    close(offers[0]);
    close(answers[1]);
    const int rc = RunServer(peers, seconds + 1, offers[1], answers[0]);
    int status = 0;
    waitpid(child, &status, 0);
    return rc != 0 ? rc : (WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}
