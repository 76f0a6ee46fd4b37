// The RabbitMQ that scripts/deps.sh starts (HATONGSU_AMQP_URL) speaks AMQP 0-9-1 and keeps what it
// confirms: a durable queue, a persistent message published with confirms, read back and acked.
// The upload pipeline builds on exactly these operations.
#include <cstdlib>
#include <cstring>
#include <string>

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <gtest/gtest.h>

#include "hatongsu/core/random.h"

namespace hatongsu {
namespace {

bool Ok(amqp_rpc_reply_t reply) {
    return reply.reply_type == AMQP_RESPONSE_NORMAL;
}

TEST(Broker, KeepsAConfirmedPersistentMessageInADurableQueue) {
    const char* url_env =
        std::getenv("HATONGSU_AMQP_URL");  // NOLINT(concurrency-mt-unsafe): test setup
    ASSERT_NE(url_env, nullptr)
        << "HATONGSU_AMQP_URL is not set: run through scripts/test.sh (make test)";
    std::string url(url_env);
    amqp_connection_info info;
    ASSERT_EQ(amqp_parse_url(url.data(), &info), AMQP_STATUS_OK);

    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t* socket = amqp_tcp_socket_new(conn);
    ASSERT_EQ(amqp_socket_open(socket, info.host, info.port), AMQP_STATUS_OK);
    ASSERT_TRUE(
        Ok(amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user, info.password)));
    amqp_channel_open(conn, 1);
    ASSERT_TRUE(Ok(amqp_get_rpc_reply(conn)));

    std::string queue = "hatongsu_smoke_" + core::RandomUuidV4();
    amqp_queue_declare(
        conn, 1, amqp_cstring_bytes(queue.c_str()), 0, /*durable=*/1, 0, /*auto_delete=*/1,
        amqp_empty_table);
    ASSERT_TRUE(Ok(amqp_get_rpc_reply(conn)));
    amqp_confirm_select(conn, 1);
    ASSERT_TRUE(Ok(amqp_get_rpc_reply(conn)));

    std::string body = R"({"pattern":"smoke","data":{"n":1}})";
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = 2;  // persistent
    ASSERT_EQ(
        amqp_basic_publish(
            conn, 1, amqp_empty_bytes, amqp_cstring_bytes(queue.c_str()), 0, 0, &props,
            amqp_cstring_bytes(body.c_str())),
        AMQP_STATUS_OK);
    amqp_frame_t frame;
    ASSERT_EQ(amqp_simple_wait_frame(conn, &frame), AMQP_STATUS_OK);
    ASSERT_EQ(frame.frame_type, AMQP_FRAME_METHOD);
    EXPECT_EQ(frame.payload.method.id, AMQP_BASIC_ACK_METHOD);  // the broker confirmed it

    amqp_rpc_reply_t got = amqp_basic_get(conn, 1, amqp_cstring_bytes(queue.c_str()), /*no_ack=*/0);
    ASSERT_TRUE(Ok(got));
    ASSERT_EQ(got.reply.id, AMQP_BASIC_GET_OK_METHOD);
    auto* get_ok = static_cast<amqp_basic_get_ok_t*>(got.reply.decoded);
    amqp_message_t message;
    ASSERT_TRUE(Ok(amqp_read_message(conn, 1, &message, 0)));
    EXPECT_EQ(std::string(static_cast<char*>(message.body.bytes), message.body.len), body);
    EXPECT_EQ(message.properties.delivery_mode, 2);
    EXPECT_EQ(amqp_basic_ack(conn, 1, get_ok->delivery_tag, 0), AMQP_STATUS_OK);
    amqp_destroy_message(&message);

    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
}

}  // namespace
}  // namespace hatongsu
