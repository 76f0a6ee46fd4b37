#include "hatongsu/jwt/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "hatongsu/testkit/status_matchers.h"
#include "libs/jwt/testing/test_rsa_key.h"

namespace hatongsu::jwt {
namespace {

using testkit::IsOk;
using testkit::StatusIs;
using namespace std::chrono_literals;
constexpr auto kUnauth = absl::StatusCode::kUnauthenticated;

std::string Unsigned(std::string_view header_json, std::string_view payload_json) {
    return core::Base64UrlEncode(header_json) + "." + core::Base64UrlEncode(payload_json) + ".";
}

TEST(Hs256, SignsAndVerifiesItsOwnTokens) {
    boost::json::object claims{
        {"sub", "u-1"}, {"role", "user"}, {"type", "access"}, {"exp", 2000000000}};
    auto token = SignHs256(claims, "secret");
    ASSERT_THAT(token, IsOk());
    auto back = VerifyHs256(*token, "secret");
    ASSERT_THAT(back, IsOk());
    EXPECT_EQ(back->at("sub").as_string(), "u-1");
    EXPECT_EQ(back->at("type").as_string(), "access");
    auto header = core::Base64UrlDecode(token->substr(0, token->find('.')));
    EXPECT_THAT(*header, ::testing::HasSubstr("\"HS256\""));
}

TEST(Hs256, RefusesForgeriesAndOtherAlgorithms) {
    auto token = SignHs256({{"sub", "u-1"}}, "secret");
    EXPECT_THAT(VerifyHs256(*token, "other"), StatusIs(kUnauth));
    std::string tampered = *token;
    tampered[tampered.find('.') + 2] ^= 1;
    EXPECT_THAT(VerifyHs256(tampered, "secret"), StatusIs(kUnauth));
    EXPECT_THAT(
        VerifyHs256(Unsigned(R"({"alg":"none"})", R"({"sub":"x"})"), "secret"), StatusIs(kUnauth));
    EXPECT_THAT(VerifyHs256("garbage", "secret"), StatusIs(kUnauth));
    EXPECT_THAT(VerifyHs256("a.b.c", "secret"), StatusIs(kUnauth));
    // HS512 with the right secret is still not HS256.
    jwt_t* j = nullptr;
    jwt_new(&j);
    jwt_add_grant(j, "sub", "x");
    jwt_set_alg(j, JWT_ALG_HS512, reinterpret_cast<const unsigned char*>("secret"), 6);
    char* hs512 = jwt_encode_str(j);
    EXPECT_THAT(VerifyHs256(hs512, "secret"), StatusIs(kUnauth));
    std::free(hs512);
    jwt_free(j);
}

TEST(UnverifiedClaims, ReadsThePayloadOfAnyWellFormedToken) {
    auto token = SignHs256({{"sub", "u-1"}, {"exp", 1234}}, "whatever");
    ASSERT_TRUE(token.ok());
    auto claims = UnverifiedClaims(*token);
    ASSERT_TRUE(claims.ok());
    EXPECT_EQ(claims->at("exp").as_int64(), 1234);
    EXPECT_EQ(claims->at("sub").as_string(), "u-1");
    for (const char* bad : {"", "a.b", "a.b.c.d", "x.!!!.y", "x.bm90IGpzb24.y"}) {
        EXPECT_EQ(UnverifiedClaims(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
    }
}

TEST(CheckTimes, EnforcesExpAndNbf) {
    auto now = std::chrono::system_clock::time_point(1000s);
    EXPECT_THAT(CheckTimes({{"exp", 1001}}, now, 0s), IsOk());
    EXPECT_THAT(CheckTimes({{"exp", 1000}}, now, 0s), StatusIs(kUnauth));
    EXPECT_THAT(CheckTimes({{"exp", 990}}, now, 20s), IsOk());
    EXPECT_THAT(CheckTimes({}, now, 0s), StatusIs(kUnauth));
    EXPECT_THAT(CheckTimes({{"exp", "2000"}}, now, 0s), StatusIs(kUnauth));
    EXPECT_THAT(CheckTimes({{"exp", 2000}, {"nbf", 1500}}, now, 0s), StatusIs(kUnauth));
    EXPECT_THAT(CheckTimes({{"exp", 2000}, {"nbf", 900}}, now, 0s), IsOk());
}

TEST(VerifyAccessToken, AcceptsOnlyUnexpiredAccessTokensWithASubjectAndARole) {
    auto now = std::chrono::system_clock::time_point(1000s);
    auto sign = [](boost::json::object claims) {
        return *SignHs256(claims, "secret");
    };
    boost::json::object good{{"sub", "u-1"}, {"role", "admin"}, {"type", "access"}, {"exp", 2000}};
    auto principal = VerifyAccessToken(sign(good), "secret", now);
    ASSERT_THAT(principal, IsOk());
    EXPECT_EQ(principal->user_id, "u-1");
    EXPECT_EQ(principal->role, "admin");

    EXPECT_THAT(VerifyAccessToken(sign(good), "other", now), StatusIs(kUnauth));
    EXPECT_THAT(VerifyAccessToken(sign(good), "", now), StatusIs(kUnauth));
    EXPECT_THAT(
        VerifyAccessToken(sign(good), "secret", std::chrono::system_clock::time_point(2000s)),
        StatusIs(kUnauth));
    for (const char* field : {"sub", "role", "type"}) {
        boost::json::object bad = good;
        bad.erase(field);
        EXPECT_THAT(VerifyAccessToken(sign(bad), "secret", now), StatusIs(kUnauth)) << field;
    }
    boost::json::object refresh = good;
    refresh["type"] = "refresh";
    EXPECT_THAT(VerifyAccessToken(sign(refresh), "secret", now), StatusIs(kUnauth));
    boost::json::object odd_role = good;
    odd_role["role"] = "root";
    EXPECT_THAT(VerifyAccessToken(sign(odd_role), "secret", now), StatusIs(kUnauth));
}

TEST(KeySet, VerifiesRs256WithTheJwksKeyAndRefusesSwaps) {
    testing::TestRsaKey key("k1");
    testing::TestRsaKey stranger("k1");
    auto keys = KeySet::FromJwks(key.Jwks());
    ASSERT_THAT(keys, IsOk());
    EXPECT_EQ(keys->Size(), 1u);
    auto claims = keys->VerifyRs256(key.Sign({{"email", "a@b.co"}}));
    ASSERT_THAT(claims, IsOk());
    EXPECT_EQ(claims->at("email").as_string(), "a@b.co");
    EXPECT_THAT(keys->VerifyRs256(stranger.Sign({{"email", "a@b.co"}})), StatusIs(kUnauth));
    // HS/RS swap: an HS256 token "signed" with the public key as the HMAC secret.
    auto swapped = SignHs256({{"email", "a@b.co"}}, key.PublicPem());
    EXPECT_THAT(keys->VerifyRs256(*swapped), StatusIs(kUnauth));
    EXPECT_THAT(VerifyHs256(key.Sign({{"email", "x"}}), key.PublicPem()), StatusIs(kUnauth));
}

TEST(KeySet, RefusesDocumentsWithoutKeys) {
    EXPECT_THAT(KeySet::FromJwks("{}"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(KeySet::FromJwks("not json"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        KeySet::FromJwks(R"({"keys":[{"kty":"EC"}]})"),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hatongsu::jwt
