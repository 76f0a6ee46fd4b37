// File: UDP datagrams queued while one handler runs and sent together, with sendmmsg(2) (one
// system call for up to kMaxPerCall datagrams of one socket), and received the same way with
// recvmmsg(2). A tick that writes a packet to each of 200 peers makes a handful of system calls
// instead of 200: on a virtual machine each call is several microseconds.
//
// A batch copies each datagram (the caller's buffer may be reused at once) and keeps the order
// of the datagrams of each socket. Memory is bounded by the caller: Add reports when the batch
// is full (kMaxDatagrams or kMaxBytes), and the caller flushes. Not thread-safe.
//
//   DatagramBatch out;
//   if (!out.Add(fd, to, packet)) { out.Flush(); (void)out.Add(fd, to, packet); }
//   DatagramBatch::Result r = out.Flush();    // r.sent, r.failed (full buffer, closed socket)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/asio/ip/udp.hpp>
#include <sys/socket.h>

namespace hatongsu::webrtc {

class DatagramBatch final {
public:
    // A full batch is one system call's worth: the first peers of a tick's burst do not wait
    // for the last ones to be encrypted.
    static constexpr std::size_t kMaxPerCall = 64;
    static constexpr std::size_t kMaxDatagrams = kMaxPerCall;
    static constexpr std::size_t kMaxBytes = kMaxPerCall * 2048;

    struct Result {
        std::size_t sent = 0;
        std::size_t failed = 0;  // the kernel refused them (full buffer, closed socket, ...)
    };

    // Queues `data` for `fd` (a non-blocking UDP socket) to `to`; false (nothing queued) when the
    // batch is full.
    bool Add(int fd, const boost::asio::ip::udp::endpoint& to, std::string_view data);
    // Sends everything queued, in order per socket, and empties the batch (keeping its memory).
    Result Flush();
    bool Empty() const { return entries_.empty(); }
    std::size_t Size() const { return entries_.size(); }

private:
    struct Entry {
        int fd;
        boost::asio::ip::udp::endpoint to;
        std::size_t offset;
        std::size_t size;
    };
    // Sends entries_[first, last) (all for one socket).
    Result SendRun(std::size_t first, std::size_t last);

    std::vector<char> bytes_;
    std::vector<Entry> entries_;
};

// Receives up to kSlots datagrams from a non-blocking UDP socket in one call.
class DatagramReceiver final {
public:
    static constexpr std::size_t kSlots = 32;
    static constexpr std::size_t kSlotBytes = 4096;

    DatagramReceiver();
    DatagramReceiver(const DatagramReceiver&) = delete;
    DatagramReceiver& operator=(const DatagramReceiver&) = delete;

    // Datagrams read (0 when none is waiting or the socket failed). A datagram longer than
    // kSlotBytes is cut there (as one recvfrom into a buffer that size would).
    std::size_t Receive(int fd);
    std::string_view Data(std::size_t i) const;
    boost::asio::ip::udp::endpoint Sender(std::size_t i) const;

private:
    std::vector<char> buffer_;  // kSlots * kSlotBytes
    std::array<sockaddr_storage, kSlots> senders_{};
    std::array<std::size_t, kSlots> sizes_{};
    std::array<uint32_t, kSlots> sender_lengths_{};
};

}  // namespace hatongsu::webrtc
