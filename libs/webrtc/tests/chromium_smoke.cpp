// The server half of the Chromium smoke test (libs/webrtc/tests/chromium/smoke.sh): one Endpoint
// on 127.0.0.1, one peer. Talks to the driver over stdio, one line each:
//   out: OFFER <id> <json string>   in: ANSWER <json string>
//   out: OPEN <id>, MESSAGE <size> <first 40 bytes>, CLOSED <id> <reason>, COUNTERS ...
// Sends "hello from server" when a channel opens, answers "hello from browser" with
// "echo: hello from browser" and closes the peer on "close me". Two peers, one after the other;
// after the second closed it waits for a line on stdin (DONE), then exits 0 if all went well.
#include <cstdio>
#include <iostream>
#include <string>

#include <boost/asio/io_context.hpp>

#include "hatongsu/webrtc/endpoint.h"

namespace {

namespace webrtc = hatongsu::webrtc;

std::string JsonQuote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out + "\"";
}

// Enough of JSON string unescaping for an SDP (ASCII only).
std::string JsonUnquote(std::string_view s) {
    std::string out;
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') {
        return out;
    }
    s = s.substr(1, s.size() - 2);
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char e = s[++i];
        out += e == 'r' ? '\r' : e == 'n' ? '\n' : e == 't' ? '\t' : e;
    }
    return out;
}

}  // namespace

int main() {
    boost::asio::io_context io;
    std::unique_ptr<webrtc::Endpoint> endpoint;
    bool greeted = false;
    int closed = 0;
    webrtc::PeerEvents events{
        .on_open =
            [&](const webrtc::PeerId& id) {
                std::cout << "OPEN " << id << std::endl;
                (void)endpoint->Send(id, "hello from server", false);
            },
        .on_message =
            [&](const webrtc::PeerId& id, std::string_view data, bool binary) {
                std::cout << "MESSAGE " << data.size() << (binary ? " binary " : " text ")
                          << data.substr(0, 40) << std::endl;
                if (data == "hello from browser") {
                    greeted = true;
                    (void)endpoint->Send(id, "echo: hello from browser", false);
                } else if (data == "close me") {
                    endpoint->Close(id);
                }
            },
        .on_closed =
            [&](const webrtc::PeerId& id, webrtc::CloseReason reason) {
                std::cout << "CLOSED " << id << " " << webrtc::CloseReasonName(reason) << std::endl;
                ++closed;
            },
        .on_read_done = {},
    };
    webrtc::EndpointOptions options;
    options.bind_address = "127.0.0.1";
    auto started = webrtc::Endpoint::Start(io.get_executor(), options, events);
    if (!started.ok()) {
        std::cerr << started.status() << std::endl;
        return 1;
    }
    endpoint = std::move(*started);
    // Peer 1: the browser closes (pc.close()). Peer 2: the server closes on "close me".
    for (const std::string id : {"chromium-1", "chromium-2"}) {
        auto offer = endpoint->CreatePeer(id, {});
        if (!offer.ok()) {
            std::cerr << offer.status() << std::endl;
            return 1;
        }
        std::cout << "OFFER " << id << " " << JsonQuote(offer->sdp) << std::endl;
        std::string line;
        if (!std::getline(std::cin, line) || line.rfind("ANSWER ", 0) != 0) {
            std::cerr << "no answer" << std::endl;
            return 1;
        }
        const absl::Status st = endpoint->SetRemoteAnswer(id, JsonUnquote(line.substr(7)));
        if (!st.ok()) {
            std::cerr << st << std::endl;
            return 1;
        }
        const int want = closed + 1;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (closed < want && std::chrono::steady_clock::now() < deadline) {
            io.run_for(std::chrono::milliseconds(10));
        }
    }
    // Let the browser see the server's close before the process (and its socket) goes away.
    std::string line;
    std::getline(std::cin, line);
    const auto& c = endpoint->Counters();
    std::cout << "COUNTERS answered=" << c.stun_answered << " malformed=" << c.stun_malformed
              << " bad_integrity=" << c.stun_bad_integrity
              << " unknown_ufrag=" << c.stun_unknown_ufrag
              << " dtls_unknown=" << c.dtls_unknown_source << std::endl;
    endpoint.reset();
    return greeted && closed == 2 ? 0 : 1;
}
