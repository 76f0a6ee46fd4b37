// The server half of the Chromium smoke test (libs/webrtc/tests/chromium/smoke.sh): one Endpoint
// on 127.0.0.1, one peer. Talks to the driver over stdio, one line each:
//   out: OFFER <json string>        in: ANSWER <json string>
//   out: OPEN, MESSAGE <size> <first 40 bytes>, CLOSED <reason>
// Sends "hello from server" when the channel opens and answers "hello from browser" with
// "echo: hello from browser". Exits 0 once the peer closed after a greeting was received.
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
    bool closed = false;
    webrtc::PeerEvents events{
        .on_open =
            [&](const webrtc::PeerId& id) {
                std::cout << "OPEN" << std::endl;
                (void)endpoint->Send(id, "hello from server", false);
            },
        .on_message =
            [&](const webrtc::PeerId& id, std::string_view data, bool binary) {
                std::cout << "MESSAGE " << data.size() << (binary ? " binary " : " text ")
                          << data.substr(0, 40) << std::endl;
                if (data == "hello from browser") {
                    greeted = true;
                    (void)endpoint->Send(id, "echo: hello from browser", false);
                }
            },
        .on_closed =
            [&](const webrtc::PeerId&, webrtc::CloseReason reason) {
                std::cout << "CLOSED " << webrtc::CloseReasonName(reason) << std::endl;
                closed = true;
            },
    };
    webrtc::EndpointOptions options;
    options.bind_address = "127.0.0.1";
    auto started = webrtc::Endpoint::Start(io.get_executor(), options, events);
    if (!started.ok()) {
        std::cerr << started.status() << std::endl;
        return 1;
    }
    endpoint = std::move(*started);
    auto offer = endpoint->CreatePeer("chromium", {});
    if (!offer.ok()) {
        std::cerr << offer.status() << std::endl;
        return 1;
    }
    std::cout << "OFFER " << JsonQuote(offer->sdp) << std::endl;
    std::string line;
    if (!std::getline(std::cin, line) || line.rfind("ANSWER ", 0) != 0) {
        std::cerr << "no answer" << std::endl;
        return 1;
    }
    const absl::Status st = endpoint->SetRemoteAnswer("chromium", JsonUnquote(line.substr(7)));
    if (!st.ok()) {
        std::cerr << st << std::endl;
        return 1;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!closed && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(10));
    }
    const auto& c = endpoint->Counters();
    std::cout << "COUNTERS answered=" << c.stun_answered << " malformed=" << c.stun_malformed
              << " bad_integrity=" << c.stun_bad_integrity
              << " unknown_ufrag=" << c.stun_unknown_ufrag
              << " dtls_unknown=" << c.dtls_unknown_source << std::endl;
    endpoint.reset();
    return greeted && closed ? 0 : 1;
}
