#include "hatongsu/storage/sigv4.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hatongsu::storage {
namespace {

using namespace std::chrono_literals;

// 2013-05-24T00:00:00Z, the date of AWS's worked example.
constexpr auto kExampleTime = std::chrono::system_clock::time_point(1369353600s);

// The presigned GET of AWS's "Authenticating Requests: Using Query Parameters (AWS Signature
// Version 4)" example (examplebucket/test.txt, its documented example credentials), signature as
// the documentation prints it.
TEST(PresignUrl, ReproducesTheAwsDocumentedExample) {
    std::string url = PresignUrl({
        .method = "GET",
        .scheme = "https",
        .host = "examplebucket.s3.amazonaws.com",
        .path = "/test.txt",
        .region = "us-east-1",
        .access_key = "AKIAIOSFODNN7EXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        .signing_time = kExampleTime,
        .expires = 86400s,
    });
    EXPECT_EQ(
        url,
        "https://examplebucket.s3.amazonaws.com/test.txt"
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(PresignUrl, EverySignedInputChangesTheSignature) {
    PresignRequest base{
        .scheme = "http",
        .host = "127.0.0.1:9000",
        .path = "/album/a.jpg",
        .access_key = "ak",
        .secret_key = "sk",
        .signing_time = kExampleTime,
        .expires = 604800s,
    };
    const std::string original = PresignUrl(base);
    auto signature = [](const std::string& url) {
        return url.substr(url.rfind('=') + 1);
    };
    EXPECT_EQ(signature(original).size(), 64u);
    PresignRequest other = base;
    other.path = "/album/b.jpg";
    EXPECT_NE(signature(PresignUrl(other)), signature(original));
    other = base;
    other.secret_key = "sk2";
    EXPECT_NE(signature(PresignUrl(other)), signature(original));
    other = base;
    other.host = "127.0.0.1:9001";
    EXPECT_NE(signature(PresignUrl(other)), signature(original));
    other = base;
    other.signing_time += 1s;
    EXPECT_NE(signature(PresignUrl(other)), signature(original));
    EXPECT_EQ(PresignUrl(base), original);  // deterministic
}

TEST(UriEncode, EncodesAllButUnreservedCharacters) {
    EXPECT_EQ(UriEncode("AZaz09-._~", false), "AZaz09-._~");
    EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
    EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
    EXPECT_EQ(UriEncode("(+=&)", false), "%28%2B%3D%26%29");
    EXPECT_EQ(UriEncode("\xc3\xa9", false), "%C3%A9");
}

}  // namespace
}  // namespace hatongsu::storage
