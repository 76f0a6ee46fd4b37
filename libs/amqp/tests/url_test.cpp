// URL parsing, topology names and header conversion: everything of the library that needs no
// broker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/amqp/config.h"
#include "hatongsu/amqp/topology.h"
#include "hatongsu/testkit/status_matchers.h"
#include "libs/amqp/src/connection.h"

namespace hatongsu::amqp {
namespace {

using testkit::IsOk;
using testkit::StatusIs;

TEST(ParseUrl, ReadsEveryPart) {
    auto url = internal::ParseUrl("amqp://alice:s3cret@broker.local:5673/photos");
    ASSERT_THAT(url, IsOk());
    EXPECT_EQ(url->host, "broker.local");
    EXPECT_EQ(url->port, 5673);
    EXPECT_EQ(url->user, "alice");
    EXPECT_EQ(url->password, "s3cret");
    EXPECT_EQ(url->vhost, "photos");
}

TEST(ParseUrl, AnEmptyVhostIsTheDefaultOne) {
    auto url = internal::ParseUrl("amqp://guest:guest@127.0.0.1:24731/");
    ASSERT_THAT(url, IsOk());
    EXPECT_EQ(url->vhost, "/");
    auto bare = internal::ParseUrl("amqp://localhost");
    ASSERT_THAT(bare, IsOk());
    EXPECT_EQ(bare->vhost, "/");
    EXPECT_EQ(bare->port, 5672);
    auto encoded = internal::ParseUrl("amqp://localhost/%2f");
    ASSERT_THAT(encoded, IsOk());
    EXPECT_EQ(encoded->vhost, "/");
}

TEST(ParseUrl, RefusesWhatItCannotUse) {
    for (const char* bad :
         {"", "localhost:5672", "http://localhost/", "amqps://localhost/", "amqp://host:99999/",
          "amqp://host:port/"}) {
        EXPECT_THAT(internal::ParseUrl(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
        EXPECT_THAT(ValidateUrl(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
    }
}

TEST(RedactUrl, HidesOnlyThePassword) {
    EXPECT_EQ(RedactUrl("amqp://alice:s3cret@host:5672/v"), "amqp://alice:***@host:5672/v");
    EXPECT_EQ(RedactUrl("amqp://alice@host/"), "amqp://alice@host/");
    EXPECT_EQ(RedactUrl("amqp://host:5672/"), "amqp://host:5672/");
}

TEST(Topology, DerivesTheRetryAndDeadLetterNames) {
    Topology t = Topology::For("album_queue");
    EXPECT_EQ(t.queue, "album_queue");
    EXPECT_EQ(t.retry_queue, "album_queue.retry");
    EXPECT_EQ(t.dead_letter_queue, "album_queue.dead");

    Topology custom{.queue = "q", .retry_queue = "", .dead_letter_queue = "graveyard"};
    EXPECT_EQ(custom.Resolved().retry_queue, "q.retry");
    EXPECT_EQ(custom.Resolved().dead_letter_queue, "graveyard");
}

TEST(Topology, RefusesBadNames) {
    EXPECT_THAT(ValidateTopology(Topology::For("album_queue")), IsOk());
    EXPECT_THAT(ValidateTopology(Topology{}), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        ValidateTopology(Topology::For("amq.gen")), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        ValidateTopology(Topology::For(std::string(251, 'q'))),  // + ".retry" is 257 bytes
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        ValidateTopology(Topology{.queue = "q", .retry_queue = "q", .dead_letter_queue = ""}),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HeadersFromTable, KeepsStringsIntegersAndBooleansAsText) {
    amqp_table_entry_t nested_entries[1]{};
    nested_entries[0].key = amqp_cstring_bytes("inner");
    nested_entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    nested_entries[0].value.value.bytes = amqp_cstring_bytes("x");

    amqp_table_entry_t entries[6]{};
    entries[0].key = amqp_cstring_bytes("x-request-id");
    entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[0].value.value.bytes = amqp_cstring_bytes("req-1");
    entries[1].key = amqp_cstring_bytes("x-attempt");
    entries[1].value.kind = AMQP_FIELD_KIND_I32;
    entries[1].value.value.i32 = 3;
    entries[2].key = amqp_cstring_bytes("flag");
    entries[2].value.kind = AMQP_FIELD_KIND_BOOLEAN;
    entries[2].value.value.boolean = 1;
    entries[3].key = amqp_cstring_bytes("big");
    entries[3].value.kind = AMQP_FIELD_KIND_I64;
    entries[3].value.value.i64 = -9000000000;
    entries[4].key = amqp_cstring_bytes("x-death");  // the broker's table: skipped
    entries[4].value.kind = AMQP_FIELD_KIND_TABLE;
    entries[4].value.value.table = amqp_table_t{1, nested_entries};
    entries[5].key = amqp_cstring_bytes("ratio");
    entries[5].value.kind = AMQP_FIELD_KIND_F64;
    entries[5].value.value.f64 = 0.5;

    auto headers = internal::HeadersFromTable(amqp_table_t{6, entries});
    EXPECT_THAT(
        headers, ::testing::ElementsAre(
                     ::testing::Pair("big", "-9000000000"), ::testing::Pair("flag", "true"),
                     ::testing::Pair("x-attempt", "3"), ::testing::Pair("x-request-id", "req-1")));
}

TEST(ValidateHeaders, RefusesNamesAMessageCannotCarry) {
    EXPECT_THAT(internal::ValidateHeaders({{"x-request-id", "r"}}), IsOk());
    EXPECT_THAT(
        internal::ValidateHeaders({{"", "v"}}), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        internal::ValidateHeaders({{std::string(256, 'k'), "v"}}),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hatongsu::amqp
