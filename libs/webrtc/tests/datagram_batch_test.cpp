#include "hatongsu/webrtc/datagram_batch.h"

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <poll.h>

namespace hatongsu::webrtc {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

// A non-blocking UDP socket on 127.0.0.1 with an ephemeral port.
udp::socket Bound(asio::io_context& io) {
    udp::socket s(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    s.non_blocking(true);
    return s;
}

// Until `s` has something to read (loopback delivery may be deferred on a busy machine).
void WaitReadable(udp::socket& s) {
    pollfd p{s.native_handle(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1) << "nothing arrived";
}

struct Received {
    std::string data;
    udp::endpoint from;
};

// `count` datagrams from `s`, read through a DatagramReceiver.
std::vector<Received> ReceiveFrom(DatagramReceiver& r, udp::socket& s, std::size_t count) {
    std::vector<Received> out;
    while (out.size() < count) {
        WaitReadable(s);
        if (::testing::Test::HasFatalFailure()) {
            return out;
        }
        const std::size_t got = r.Receive(s.native_handle());
        for (std::size_t i = 0; i < got; ++i) {
            out.push_back({std::string(r.Data(i)), r.Sender(i)});
        }
    }
    EXPECT_EQ(r.Receive(s.native_handle()), 0u) << "more than expected";
    return out;
}

std::vector<std::string> ReceiveAll(DatagramReceiver& r, udp::socket& s, std::size_t count) {
    std::vector<std::string> out;
    for (Received& d : ReceiveFrom(r, s, count)) {
        out.push_back(std::move(d.data));
    }
    return out;
}

TEST(DatagramBatch, SendsEveryDatagramInOrderWithOneFlush) {
    asio::io_context io;
    udp::socket from = Bound(io);
    udp::socket to = Bound(io);
    DatagramBatch batch;
    std::vector<std::string> sent;
    for (int i = 0; i < 40; ++i) {  // 40 > kSlots: the receiver needs two calls
        sent.push_back("datagram " + std::to_string(i) + std::string(static_cast<size_t>(i), 'x'));
        ASSERT_TRUE(batch.Add(from.native_handle(), to.local_endpoint(), sent.back()));
    }
    EXPECT_EQ(batch.Size(), 40u);
    DatagramBatch::Result r = batch.Flush();
    EXPECT_EQ(r.sent, 40u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_TRUE(batch.Empty());
    DatagramReceiver receiver;
    EXPECT_EQ(ReceiveAll(receiver, to, sent.size()), sent);
}

TEST(DatagramBatch, ReportsTheSenderOfEachDatagram) {
    asio::io_context io;
    udp::socket a = Bound(io);
    udp::socket b = Bound(io);
    udp::socket to = Bound(io);
    DatagramBatch batch;
    ASSERT_TRUE(batch.Add(a.native_handle(), to.local_endpoint(), "from a"));
    ASSERT_TRUE(batch.Add(b.native_handle(), to.local_endpoint(), "from b"));
    ASSERT_TRUE(batch.Add(a.native_handle(), to.local_endpoint(), "from a again"));
    EXPECT_EQ(batch.Flush().sent, 3u);
    DatagramReceiver receiver;
    std::vector<Received> got = ReceiveFrom(receiver, to, 3);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].data, "from a");
    EXPECT_EQ(got[0].from, a.local_endpoint());
    EXPECT_EQ(got[1].data, "from b");
    EXPECT_EQ(got[1].from, b.local_endpoint());
    EXPECT_EQ(got[2].data, "from a again");
    EXPECT_EQ(got[2].from, a.local_endpoint());
}

TEST(DatagramBatch, IsFullAtOneCallsWorthAndThenTakesNothing) {
    asio::io_context io;
    udp::socket from = Bound(io);
    udp::socket to = Bound(io);
    DatagramBatch batch;
    std::size_t added = 0;
    while (batch.Add(from.native_handle(), to.local_endpoint(), "x")) {
        ++added;
        ASSERT_LE(added, DatagramBatch::kMaxDatagrams);
    }
    EXPECT_EQ(added, DatagramBatch::kMaxDatagrams);
    EXPECT_EQ(batch.Size(), DatagramBatch::kMaxDatagrams);
    // Bytes bound too: two datagrams that together pass kMaxBytes.
    DatagramBatch big;
    const std::string half(DatagramBatch::kMaxBytes / 2 + 1, 'b');
    EXPECT_TRUE(big.Add(from.native_handle(), to.local_endpoint(), half));
    EXPECT_FALSE(big.Add(from.native_handle(), to.local_endpoint(), half));
    EXPECT_EQ(big.Size(), 1u);
}

TEST(DatagramBatch, AFailedDatagramIsCountedAndTheOthersStillLeave) {
    asio::io_context io;
    udp::socket from = Bound(io);
    udp::socket to = Bound(io);
    DatagramBatch batch;
    ASSERT_TRUE(batch.Add(from.native_handle(), to.local_endpoint(), "one"));
    ASSERT_TRUE(batch.Add(-1, to.local_endpoint(), "to a socket that is not there"));
    ASSERT_TRUE(batch.Add(from.native_handle(), to.local_endpoint(), "two"));
    DatagramBatch::Result r = batch.Flush();
    EXPECT_EQ(r.sent, 2u);
    EXPECT_EQ(r.failed, 1u);
    DatagramReceiver receiver;
    EXPECT_EQ(ReceiveAll(receiver, to, 2), (std::vector<std::string>{"one", "two"}));
}

TEST(DatagramReceiver, ReadsNothingFromAnEmptySocketOrABadOne) {
    asio::io_context io;
    udp::socket s = Bound(io);
    DatagramReceiver receiver;
    EXPECT_EQ(receiver.Receive(s.native_handle()), 0u);
    EXPECT_EQ(receiver.Receive(-1), 0u);
}

TEST(DatagramReceiver, CutsADatagramLongerThanASlot) {
    asio::io_context io;
    udp::socket from = Bound(io);
    udp::socket to = Bound(io);
    DatagramBatch batch;
    const std::string long_one(DatagramReceiver::kSlotBytes + 100, 'l');
    ASSERT_TRUE(batch.Add(from.native_handle(), to.local_endpoint(), long_one));
    ASSERT_TRUE(batch.Add(from.native_handle(), to.local_endpoint(), "short"));
    ASSERT_EQ(batch.Flush().sent, 2u);
    DatagramReceiver receiver;
    EXPECT_EQ(
        ReceiveAll(receiver, to, 2),
        (std::vector<std::string>{long_one.substr(0, DatagramReceiver::kSlotBytes), "short"}));
}

}  // namespace
}  // namespace hatongsu::webrtc
