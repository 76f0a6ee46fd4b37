#include "services/world/adapter/webrtc/webrtc_transport.h"

#include <future>
#include <type_traits>
#include <utility>

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
    rtc_thread_id_ = rtc_thread_.get_id();
}

WebRtcTransport::~WebRtcTransport() {
    Stop();
}

template <typename Fn>
bool WebRtcTransport::PostToRtc(Fn fn) {
    std::lock_guard lock(post_mu_);
    if (stopped_) {
        return false;
    }
    asio::post(rtc_io_, std::move(fn));
    return true;
}

template <typename Fn>
auto WebRtcTransport::OnRtcThread(Fn fn) -> std::optional<decltype(fn())> {
    if (std::this_thread::get_id() == rtc_thread_id_) {
        return fn();
    }
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    if (!PostToRtc([&task] { task(); })) {
        return std::nullopt;
    }
    return result.get();
}

bool WebRtcTransport::Bind() {
    rtc::EndpointOptions options;
    options.bind_address = config_.udp_address;
    options.udp_port = config_.udp_port;
    options.public_ip = config_.public_ip;
    options.max_peers = config_.max_peers;
    options.consent_timeout = config_.consent_timeout;
    options.open_timeout = config_.open_timeout;
    options.max_received_message_bytes = config_.max_inbound_message_bytes;
    options.max_message_bytes = kMaxOutboundMessageBytes;
    options.max_send_buffer_bytes = kSendBufferBytesPerPeer;
    // Events run on the world's strand, never on the rtc thread: the world's handlers take the
    // world's locks, which a caller of CreatePeer may hold while it waits for this thread.
    rtc::PeerEvents events;
    events.on_open = [this](const rtc::PeerId& id) {
        Hand({Event::kOpen, id, {}, false, {}});
    };
    events.on_message = [this](const rtc::PeerId& id, std::string_view data, bool binary) {
        if (queued_events_.load() >= kMaxQueuedEvents) {
            dropped_events_.fetch_add(1);  // the world is behind: drop rather than pile up
            return;
        }
        queued_events_.fetch_add(1);
        Hand({Event::kMessage, id, std::string(data), binary, {}});
    };
    events.on_closed = [this](const rtc::PeerId& id, rtc::CloseReason reason) {
        peers_.fetch_sub(1);
        Hand({Event::kClosed, id, {}, false, rtc::CloseReasonName(reason)});
    };
    events.on_read_done = [this] {
        HandOver();
    };
    absl::Status started = OnRtcThread([&]() -> absl::Status {
                               auto endpoint = rtc::Endpoint::Start(
                                   rtc_io_.get_executor(), options, std::move(events));
                               if (!endpoint.ok()) {
                                   return endpoint.status();
                               }
                               endpoint_ = std::move(*endpoint);
                               return absl::OkStatus();
                           }).value_or(absl::UnavailableError("the transport is stopped"));
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

// On the rtc thread: events wait in `handing_` for the end of the Endpoint's read turn, then go
// to the world's strand as one task (one wake-up of a world thread for a whole read batch).
// Events fired outside a read turn (a timeout, a close from Drain) go with a posted hand-over.
void WebRtcTransport::Hand(Event event) {
    handing_.push_back(std::move(event));
    if (handing_.size() == 1) {
        asio::post(rtc_io_, [this] { HandOver(); });
    }
}

void WebRtcTransport::HandOver() {
    if (handing_.empty()) {
        return;
    }
    asio::post(events_strand_, [this, batch = std::exchange(handing_, {})] {
        for (const Event& e : batch) {
            if (e.kind == Event::kMessage) {
                queued_events_.fetch_sub(1);
            }
            PeerEvents* events = events_.load();
            if (events == nullptr) {
                continue;
            }
            switch (e.kind) {
                case Event::kOpen:
                    events->OnOpen(e.id);
                    break;
                case Event::kMessage:
                    events->OnMessage(e.id, e.data, e.binary);
                    break;
                case Event::kClosed:
                    events->OnClosed(e.id, e.reason);
                    break;
            }
        }
    });
}

void WebRtcTransport::Start(PeerEvents& events) {
    events_.store(&events);
}

absl::StatusOr<PeerOffer> WebRtcTransport::CreatePeer(std::string_view id) {
    auto offer = OnRtcThread([&]() -> absl::StatusOr<PeerOffer> {
        if (!endpoint_) {
            return absl::UnavailableError("the transport is not bound");
        }
        auto made = endpoint_->CreatePeer(std::string(id), rtc::ChannelOptions{});
        if (!made.ok()) {
            return made.status();
        }
        peers_.fetch_add(1);
        return PeerOffer{std::move(made->sdp), std::move(made->candidates)};
    });
    return offer.value_or(absl::UnavailableError("the transport is stopped"));
}

absl::Status WebRtcTransport::SetRemoteAnswer(std::string_view id, std::string_view sdp) {
    return OnRtcThread([&]() -> absl::Status {
               if (!endpoint_) {
                   return absl::UnavailableError("the transport is not bound");
               }
               return endpoint_->SetRemoteAnswer(std::string(id), sdp);
           })
        .value_or(absl::UnavailableError("the transport is stopped"));
}

bool WebRtcTransport::Enqueue(std::string_view id, std::string_view data, bool binary, bool close) {
    if (!drain_queued_) {
        if (!PostToRtc([this] { Drain(); })) {
            return false;
        }
        drain_queued_ = true;
    }
    Outbox& box = filling_;
    uint32_t text = 0;
    if (!close) {
        if (box.texts.empty() || box.texts.back() != data) {
            box.texts.emplace_back(data);
        }
        text = static_cast<uint32_t>(box.texts.size() - 1);
        box.bytes += id.size() + data.size();
    }
    auto it = box.per_peer.find(absl::string_view(id.data(), id.size()));
    if (it == box.per_peer.end()) {
        it = box.per_peer.emplace(std::string(id), std::vector<Item>{}).first;
    }
    it->second.push_back({text, binary, close});
    return true;
}

absl::Status WebRtcTransport::Send(std::string_view id, std::string_view data, bool binary) {
    const std::size_t size = id.size() + data.size();
    if (queued_send_bytes_.fetch_add(size) + size > kMaxQueuedSendBytes) {
        queued_send_bytes_.fetch_sub(size);
        return absl::ResourceExhaustedError("the transport's send queue is full");
    }
    std::lock_guard lock(outbox_mu_);
    if (!Enqueue(id, data, binary, false)) {
        queued_send_bytes_.fetch_sub(size);
        return absl::FailedPreconditionError("the transport is stopped");
    }
    return absl::OkStatus();
}

void WebRtcTransport::Close(std::string_view id) {
    std::lock_guard lock(outbox_mu_);
    (void)Enqueue(id, {}, false, true);
}

// On the rtc thread. Each peer's messages go out together (in their order); a peer's close goes
// out after the messages queued for it before the close.
void WebRtcTransport::Drain() {
    {
        std::lock_guard lock(outbox_mu_);
        std::swap(filling_, draining_);
        drain_queued_ = false;
    }
    Outbox& box = draining_;
    queued_send_bytes_.fetch_sub(box.bytes);
    std::vector<rtc::OutgoingMessage> messages;
    for (auto& [peer, items] : box.per_peer) {
        if (items.empty() || !endpoint_) {
            items.clear();
            continue;
        }
        for (const Item& item : items) {
            if (item.close) {
                if (!messages.empty()) {
                    (void)endpoint_->SendMany(peer, messages);  // drops are counted there
                    messages.clear();
                }
                endpoint_->Close(peer);
            } else {
                messages.push_back({box.texts[item.text], item.binary});
            }
        }
        if (!messages.empty()) {
            (void)endpoint_->SendMany(peer, messages);
            messages.clear();
        }
        items.clear();
    }
    box.texts.clear();
    box.bytes = 0;
    // Every entry is empty now; entries of peers that are gone would pile up over connects and
    // disconnects: once they clearly outnumber the live peers, start over (live peers' entries
    // come back on their next send).
    if (box.per_peer.size() > 2 * peers_.load() + 64) {
        absl::erase_if(box.per_peer, [](const auto& entry) { return entry.second.empty(); });
    }
}

bool WebRtcTransport::Backlogged() {
    return queued_send_bytes_.load() > 0;
}

std::size_t WebRtcTransport::PeerCount() {
    return peers_.load();
}

// The Endpoint stops on its thread, which then runs what is still queued (with no Endpoint, those
// tasks do nothing) and ends; nothing can be queued after `stopped_` is set.
void WebRtcTransport::Stop() {
    events_.store(nullptr);
    std::packaged_task<void()> stop([this] {
        if (endpoint_) {
            endpoint_->Stop();
            endpoint_.reset();
        }
    });
    auto done = stop.get_future();
    {
        std::lock_guard lock(post_mu_);
        if (stopped_) {
            return;
        }
        stopped_ = true;
        asio::post(rtc_io_, [&stop] { stop(); });
    }
    done.wait();
    rtc_work_.reset();
    rtc_thread_.join();
}

}  // namespace hatongsu::world::webrtc
