#include "hatongsu/webrtc/datagram_batch.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/uio.h>

namespace hatongsu::webrtc {

bool DatagramBatch::Add(int fd, const boost::asio::ip::udp::endpoint& to, std::string_view data) {
    if (entries_.size() >= kMaxDatagrams || bytes_.size() + data.size() > kMaxBytes) {
        return false;
    }
    entries_.push_back({fd, to, bytes_.size(), data.size()});
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return true;
}

DatagramBatch::Result DatagramBatch::Flush() {
    Result total;
    std::size_t first = 0;
    while (first < entries_.size()) {
        std::size_t last = first + 1;
        while (last < entries_.size() && entries_[last].fd == entries_[first].fd) {
            ++last;
        }
        Result run = SendRun(first, last);
        total.sent += run.sent;
        total.failed += run.failed;
        first = last;
    }
    entries_.clear();
    bytes_.clear();
    return total;
}

DatagramBatch::Result DatagramBatch::SendRun(std::size_t first, std::size_t last) {
    Result result;
    std::array<mmsghdr, kMaxPerCall> headers{};
    std::array<iovec, kMaxPerCall> vectors{};
    const int fd = entries_[first].fd;
    while (first < last) {
        const std::size_t n = std::min(last - first, kMaxPerCall);
        for (std::size_t i = 0; i < n; ++i) {
            Entry& e = entries_[first + i];
            vectors[i] = {bytes_.data() + e.offset, e.size};
            headers[i] = {};
            headers[i].msg_hdr.msg_name = e.to.data();
            headers[i].msg_hdr.msg_namelen = static_cast<socklen_t>(e.to.size());
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        const int sent = ::sendmmsg(fd, headers.data(), static_cast<unsigned>(n), MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR) {
            continue;
        }
        if (sent <= 0) {
            // The first datagram failed (full buffer, unreachable, closed socket): it is lost, as
            // with sendto; the rest get their own try. (0 sent cannot happen for n > 0; it
            // counts as a failure so the loop always advances.)
            ++result.failed;
            ++first;
            continue;
        }
        result.sent += static_cast<std::size_t>(sent);
        first += static_cast<std::size_t>(sent);
    }
    return result;
}

DatagramReceiver::DatagramReceiver() : buffer_(kSlots * kSlotBytes) {}

std::size_t DatagramReceiver::Receive(int fd) {
    std::array<mmsghdr, kSlots> headers{};
    std::array<iovec, kSlots> vectors{};
    for (std::size_t i = 0; i < kSlots; ++i) {
        vectors[i] = {buffer_.data() + i * kSlotBytes, kSlotBytes};
        headers[i].msg_hdr.msg_name = &senders_[i];
        headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
    }
    // An error reads as "nothing waiting": the caller waits for readability again. (With
    // IP_RECVERR set the error queue would have to be drained here; we do not set it.)
    int got = 0;
    do {
        got = ::recvmmsg(fd, headers.data(), kSlots, MSG_DONTWAIT, nullptr);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
        return 0;
    }
    for (int i = 0; i < got; ++i) {
        sizes_[i] = headers[i].msg_len;
        sender_lengths_[i] = headers[i].msg_hdr.msg_namelen;
    }
    return static_cast<std::size_t>(got);
}

std::string_view DatagramReceiver::Data(std::size_t i) const {
    return {buffer_.data() + i * kSlotBytes, sizes_[i]};
}

boost::asio::ip::udp::endpoint DatagramReceiver::Sender(std::size_t i) const {
    boost::asio::ip::udp::endpoint from;
    const std::size_t length = std::min<std::size_t>(sender_lengths_[i], from.capacity());
    std::memcpy(from.data(), &senders_[i], length);
    from.resize(length);
    return from;
}

}  // namespace hatongsu::webrtc
