#include "hatongsu/webrtc/datagram_batch.h"

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

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

// Everything waiting on `s`, read through a DatagramReceiver.
std::vector<std::string> ReceiveAll(DatagramReceiver& r, udp::socket& s) {
    std::vector<std::string> out;
    for (;;) {
        const std::size_t got = r.Receive(s.native_handle());
        for (std::size_t i = 0; i < got; ++i) {
            out.emplace_back(r.Data(i));
        }
        if (got < DatagramReceiver::kSlots) {
            return out;
        }
    }
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
    EXPECT_EQ(ReceiveAll(receiver, to), sent);
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
    ASSERT_EQ(receiver.Receive(to.native_handle()), 3u);
    EXPECT_EQ(receiver.Data(0), "from a");
    EXPECT_EQ(receiver.Sender(0), a.local_endpoint());
    EXPECT_EQ(receiver.Data(1), "from b");
    EXPECT_EQ(receiver.Sender(1), b.local_endpoint());
    EXPECT_EQ(receiver.Data(2), "from a again");
    EXPECT_EQ(receiver.Sender(2), a.local_endpoint());
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
    EXPECT_EQ(ReceiveAll(receiver, to), (std::vector<std::string>{"one", "two"}));
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
    ASSERT_EQ(receiver.Receive(to.native_handle()), 2u);
    EXPECT_EQ(receiver.Data(0), long_one.substr(0, DatagramReceiver::kSlotBytes));
    EXPECT_EQ(receiver.Data(1), "short");
}

}  // namespace
}  // namespace hatongsu::webrtc
