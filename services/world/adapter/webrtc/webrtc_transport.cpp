#include "services/world/adapter/webrtc/webrtc_transport.h"

#include <future>
#include <type_traits>

#include <boost/asio/post.hpp>

#include "hatongsu/log/log.h"

namespace hatongsu::world::webrtc {

namespace asio = boost::asio;
namespace rtc = hatongsu::webrtc;

WebRtcTransport::WebRtcTransport(asio::io_context& world_io, TransportConfig config)
    : config_(std::move(config)),
      events_strand_(asio::make_strand(world_io)),
      rtc_work_(asio::make_work_guard(rtc_io_)) {
    rtc_thread_ = std::thread([this] { rtc_io_.run(); });
}

WebRtcTransport::~WebRtcTransport() {
    Stop();
}

template <typename Fn>
auto WebRtcTransport::OnRtcThread(Fn fn) -> decltype(fn()) {
    if (std::this_thread::get_id() == rtc_thread_.get_id()) {
        return fn();
    }
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(rtc_io_, [&task] { task(); });
    return result.get();
}

bool WebRtcTransport::Bind() {
    rtc::EndpointOptions options;
    options.bind_address = config_.udp_address;
    options.udp_port = config_.udp_port;
    options.public_ip = config_.public_ip;
    options.max_peers = config_.max_peers;
    options.consent_timeout = config_.consent_timeout;
    // Events leave the rtc thread at once: the world's handlers take the world's locks, which a
    // caller of CreatePeer may hold while it waits for this thread.
    rtc::PeerEvents events;
    events.on_open = [this](const rtc::PeerId& id) {
        asio::post(events_strand_, [this, id] {
            if (PeerEvents* e = events_.load(); e != nullptr && !stopped_) {
                e->OnOpen(id);
            }
        });
    };
    events.on_message = [this](const rtc::PeerId& id, std::string_view data, bool binary) {
        asio::post(events_strand_, [this, id, message = std::string(data), binary] {
            if (PeerEvents* e = events_.load(); e != nullptr && !stopped_) {
                e->OnMessage(id, message, binary);
            }
        });
    };
    events.on_closed = [this](const rtc::PeerId& id, rtc::CloseReason reason) {
        peers_.fetch_sub(1);
        asio::post(events_strand_, [this, id, reason] {
            if (PeerEvents* e = events_.load(); e != nullptr && !stopped_) {
                e->OnClosed(id, rtc::CloseReasonName(reason));
            }
        });
    };
    absl::Status started = OnRtcThread([&]() -> absl::Status {
        auto endpoint = rtc::Endpoint::Start(rtc_io_.get_executor(), options, std::move(events));
        if (!endpoint.ok()) {
            return endpoint.status();
        }
        endpoint_ = std::move(*endpoint);
        return absl::OkStatus();
    });
    if (!started.ok()) {
        log::Error(
            "cannot bind the WebRTC UDP port", {{"address", config_.udp_address},
                                                {"port", config_.udp_port},
                                                {"error", started.ToString()}});
        return false;
    }
    return true;
}

uint16_t WebRtcTransport::UdpPort() const {
    return endpoint_ ? endpoint_->LocalPort() : 0;  // set once by Bind, before any other use
}

void WebRtcTransport::Start(PeerEvents& events) {
    events_.store(&events);
}

absl::StatusOr<PeerOffer> WebRtcTransport::CreatePeer(std::string_view id) {
    if (stopped_) {
        return absl::UnavailableError("the transport is stopped");
    }
    return OnRtcThread([&]() -> absl::StatusOr<PeerOffer> {
        if (!endpoint_) {
            return absl::UnavailableError("the transport is not bound");
        }
        auto offer = endpoint_->CreatePeer(std::string(id), rtc::ChannelOptions{});
        if (!offer.ok()) {
            return offer.status();
        }
        peers_.fetch_add(1);
        return PeerOffer{std::move(offer->sdp), std::move(offer->candidates)};
    });
}

absl::Status WebRtcTransport::SetRemoteAnswer(std::string_view id, std::string_view sdp) {
    if (stopped_) {
        return absl::UnavailableError("the transport is stopped");
    }
    return OnRtcThread([&]() -> absl::Status {
        if (!endpoint_) {
            return absl::UnavailableError("the transport is not bound");
        }
        return endpoint_->SetRemoteAnswer(std::string(id), sdp);
    });
}

absl::Status WebRtcTransport::Send(std::string_view id, std::string_view data, bool binary) {
    if (stopped_) {
        return absl::FailedPreconditionError("the transport is stopped");
    }
    asio::post(rtc_io_, [this, id = std::string(id), data = std::string(data), binary] {
        if (endpoint_) {
            (void)endpoint_->Send(id, data, binary);  // drops are counted by the Endpoint
        }
    });
    return absl::OkStatus();
}

void WebRtcTransport::Close(std::string_view id) {
    if (stopped_) {
        return;
    }
    asio::post(rtc_io_, [this, id = std::string(id)] {
        if (endpoint_) {
            endpoint_->Close(id);
        }
    });
}

std::size_t WebRtcTransport::PeerCount() {
    return peers_.load();
}

void WebRtcTransport::Stop() {
    if (stopped_.exchange(true)) {
        return;
    }
    events_.store(nullptr);
    if (rtc_thread_.joinable()) {
        OnRtcThread([this] {
            if (endpoint_) {
                endpoint_->Stop();
                endpoint_.reset();
            }
        });
        rtc_work_.reset();
        rtc_io_.stop();
        rtc_thread_.join();
    }
}

}  // namespace hatongsu::world::webrtc
