// The geckos channel-message codec: events, the reliable wrapper, the game's payloads, the exact
// JSON the original server sent (spec §6), and the bad inputs of issue 9.
#include "services/world/adapter/geckos/codec.h"

#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::world::geckos {
namespace {

using testkit::IsOk;
using testkit::StatusIs;
constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(ParseChannelMessage, ReadsAnEventAndItsData) {
    auto ev = ParseChannelMessage(
        R"({"clientPlayerUpdate":{"position":{"x":1.5,"y":0,"z":-2},"rotation":{"x":0,"y":0.7071,"z":0,"w":0.7071}}})",
        false, {});
    ASSERT_THAT(ev, IsOk());
    EXPECT_EQ(ev->name, "clientPlayerUpdate");
    EXPECT_FALSE(ev->reliable_id);
    auto msg = ToClientMessage(*ev);
    ASSERT_THAT(msg, IsOk());
    const auto& t = std::get<PlayerUpdate>(*msg).transform;
    EXPECT_EQ(t.position, (Vec3{1.5, 0, -2}));
    EXPECT_EQ(t.rotation, (Quaternion{0, 0.7071, 0, 0.7071}));

    auto none = ParseChannelMessage(R"( {"ping":null} )", false, {});
    ASSERT_THAT(none, IsOk());
    EXPECT_EQ(none->name, "ping");
    EXPECT_TRUE(none->data.is_null());
}

TEST(ParseChannelMessage, UnwrapsTheReliableWrapper) {
    auto ev = ParseChannelMessage(
        R"({"clientAnimationUpdate":{"MESSAGE":{"playerId":"x","state":3},"RELIABLE":1,"ID":"abcDEF123456789012345678"}})",
        false, {});
    ASSERT_THAT(ev, IsOk());
    EXPECT_EQ(ev->reliable_id, "abcDEF123456789012345678");
    auto msg = ToClientMessage(*ev);
    ASSERT_THAT(msg, IsOk());
    EXPECT_EQ(std::get<AnimationUpdate>(*msg).state, 3);
    // RELIABLE without a usable ID is refused.
    EXPECT_THAT(
        ParseChannelMessage(R"({"e":{"MESSAGE":1,"RELIABLE":1}})", false, {}), StatusIs(kInvalid));
    EXPECT_THAT(
        ParseChannelMessage(R"({"e":{"MESSAGE":1,"RELIABLE":1,"ID":7}})", false, {}),
        StatusIs(kInvalid));
    EXPECT_THAT(
        ParseChannelMessage(
            R"({"e":{"MESSAGE":1,"RELIABLE":1,"ID":")" + std::string(65, 'a') + "\"}}", false, {}),
        StatusIs(kInvalid));
}

TEST(ParseChannelMessage, RefusesWhatIsNotOneBoundedEvent) {
    const std::vector<std::string> bad = {
        "",
        "not json",
        "ping-raw",       // a raw string (the game sends none)
        "123",            // parseInt would succeed: raw in geckos
        R"("a string")",  // key "0" in geckos: not an event here
        R"([1,2,3])",
        "{}",                // no key
        R"({"a":1,"b":2})",  // more than one key
        R"({"a":1)",         // truncated
        R"({"a":NaN})",
        R"({"a":Infinity})",
        R"({"a":-Infinity})",
        R"({"a":1e400})",  // parses to infinity
        R"({"a":-1e400})",
        R"({"a":1e10})",  // finite but huge
        R"({"a":[12345678901234567890]})",
        R"({"a":"\ud800"})",  // lone surrogate
        "{\"a\":\"\xff\"}",   // invalid UTF-8
    };
    for (const std::string& text : bad) {
        EXPECT_THAT(ParseChannelMessage(text, false, {}), StatusIs(kInvalid)) << text;
    }
    EXPECT_THAT(ParseChannelMessage(R"({"a":1})", true, {}), StatusIs(kInvalid));  // binary
}

TEST(ParseChannelMessage, RefusesDeepNestingWithoutParsingIt) {
    // 100,000 levels: refused at the depth limit, long before the end of the text.
    std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    EXPECT_THAT(
        ParseChannelMessage(deep, false, {.max_bytes = 1 << 20, .max_depth = 8}),
        StatusIs(kInvalid));
    std::string nine = R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}})";
    EXPECT_THAT(ParseChannelMessage(nine, false, {.max_depth = 8}), StatusIs(kInvalid));
    std::string eight = R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}})";
    EXPECT_THAT(ParseChannelMessage(eight, false, {.max_depth = 8}), IsOk());
}

TEST(ParseChannelMessage, RefusesMessagesOverTheSizeLimit) {
    std::string text = R"({"a":")" + std::string(5000, 'x') + "\"}";
    EXPECT_THAT(ParseChannelMessage(text, false, {.max_bytes = 4096}), StatusIs(kInvalid));
    EXPECT_THAT(ParseChannelMessage(text, false, {.max_bytes = 8192}), IsOk());
}

TEST(ToClientMessage, UnknownEventsAreNotFoundAndBadPayloadsInvalid) {
    auto parse = [](std::string_view text) {
        return *ParseChannelMessage(text, false, {});
    };
    EXPECT_THAT(ToClientMessage(parse(R"({"chat":"hi"})")), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(
        ToClientMessage(parse(R"({"disconnected":null})")), StatusIs(absl::StatusCode::kNotFound));
    for (
        std::string_view bad : {
            R"({"clientPlayerUpdate":null})",
            R"({"clientPlayerUpdate":{"position":{"x":1,"y":2}}})",
            R"({"clientPlayerUpdate":{"position":{"x":1,"y":2,"z":3},"rotation":{"x":0,"y":0,"z":0}}})",
            R"({"clientPlayerUpdate":{"position":{"x":"1","y":2,"z":3},"rotation":{"x":0,"y":0,"z":0,"w":1}}})",
            R"({"clientAnimationUpdate":{"playerId":"x"}})",
            R"({"clientAnimationUpdate":{"state":1.5}})",
            R"({"clientAnimationUpdate":{"state":"1"}})",
            R"({"clientAnimationUpdate":[1]})",
        }) {
        EXPECT_THAT(ToClientMessage(parse(bad)), StatusIs(kInvalid)) << bad;
    }
}

TEST(Encode, TheOriginalServersShapesByteForByte) {
    Transform t{{2, 0, 0}, {0, 0.7071067811865475, 0, 0.7071067811865476}};
    const std::string me =
        R"({"playerId":"sDaeFU3MDyFOsJIfYDdzpE6g","transform":{"position":{"x":2,"y":0,"z":0},"rotation":{"x":0,"y":0.7071067811865475,"z":0,"w":0.7071067811865476}}})";
    EXPECT_EQ(
        EncodeServerMessage(NewPlayer{{"sDaeFU3MDyFOsJIfYDdzpE6g", t, 0}}),
        R"({"serverNewPlayer":)" + me + "}");
    EXPECT_EQ(
        EncodeServerMessage(ExistingPlayers{
            {{"sDaeFU3MDyFOsJIfYDdzpE6g", t, 0}, {"sDaeFU3MDyFOsJIfYDdzpE6g", t, 2}}}),
        R"({"serverExistingPlayers":[)" + me + "," + me + "]}");
    EXPECT_EQ(EncodeServerMessage(ExistingPlayers{}), R"({"serverExistingPlayers":[]})");
    EXPECT_EQ(
        EncodeServerMessage(
            PlayerMoved{"sDaeFU3MDyFOsJIfYDdzpE6g", {{2.4, 0, -0.3}, {0, 0.68, 0, 0.73}}}),
        R"({"serverPlayerUpdate":{"playerId":"sDaeFU3MDyFOsJIfYDdzpE6g","transform":{"position":{"x":2.4,"y":0,"z":-0.3},"rotation":{"x":0,"y":0.68,"z":0,"w":0.73}}}})");
    EXPECT_EQ(
        EncodeServerMessage(PlayerAnimation{"HOZYSxTDf3mDXM2jo7bNUGsF", 2}),
        R"({"serverPlayerAnimation":{"playerId":"HOZYSxTDf3mDXM2jo7bNUGsF","state":2}})");
    EXPECT_EQ(
        EncodeServerMessage(PlayerDisconnected{"sDaeFU3MDyFOsJIfYDdzpE6g"}),
        R"({"serverPlayerDisconnected":"sDaeFU3MDyFOsJIfYDdzpE6g"})");
    EXPECT_EQ(EncodeServerMessage(Disconnect{}), R"({"disconnected":null})");
}

TEST(Encode, TheReliableWrapper) {
    EXPECT_EQ(
        EncodeReliable(PlayerDisconnected{"B"}, "ID0123456789abcdefghijkl"),
        R"({"serverPlayerDisconnected":{"MESSAGE":"B","RELIABLE":1,"ID":"ID0123456789abcdefghijkl"}})");
    // What we send, we read back (the same wrapper both ways).
    auto back = ParseChannelMessage(
        EncodeReliable(PlayerAnimation{"B", 1}, "ID0123456789abcdefghijkl"), false, {});
    ASSERT_THAT(back, IsOk());
    EXPECT_EQ(back->name, "serverPlayerAnimation");
    EXPECT_EQ(back->reliable_id, "ID0123456789abcdefghijkl");
    EXPECT_EQ(back->data.at("state").as_int64(), 1);
}

TEST(FormatNumber, AsJavaScriptWritesNumbers) {
    EXPECT_EQ(FormatNumber(2), "2");
    EXPECT_EQ(FormatNumber(-0.0), "0");
    EXPECT_EQ(FormatNumber(-0.3), "-0.3");
    EXPECT_EQ(FormatNumber(0.7071067811865476), "0.7071067811865476");
    EXPECT_EQ(FormatNumber(1e21), "1e+21");
    EXPECT_EQ(FormatNumber(1e20), "100000000000000000000");
    EXPECT_EQ(FormatNumber(1e-7), "1e-7");
    EXPECT_EQ(FormatNumber(1.5e-6), "0.0000015");
    EXPECT_EQ(FormatNumber(-2.5e-10), "-2.5e-10");
    EXPECT_EQ(FormatNumber(12.5), "12.5");
}

}  // namespace
}  // namespace hatongsu::world::geckos
