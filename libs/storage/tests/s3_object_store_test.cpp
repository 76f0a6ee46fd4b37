// S3ObjectStore without a server: presigned public URLs and the checks that run before any request
// (the server behind the endpoint here does not exist, so a request would fail as Unavailable).
#include "hatongsu/storage/s3_object_store.h"

#include "hatongsu/storage/sigv4.h"
#include "hatongsu/testkit/fake_clock.h"
#include "libs/storage/tests/object_store_contract.h"

namespace hatongsu::storage {
namespace {

using ::hatongsu::testkit::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

// 2027-01-15T00:00:00Z
constexpr auto kDayStart = std::chrono::system_clock::time_point(1'799'971'200s);

S3Options Unreachable() {
    return {
        .endpoint = "http://127.0.0.1:1",  // nothing listens on port 1
        .bucket = "album",
        .access_key = "AKIDEXAMPLE",
        .secret_key = "secret-value",
        .connect_timeout = 2000ms,
    };
}

TEST(S3ObjectStore, PresignedUrlsAreStableForADay) {
    testkit::FakeClock clock(kDayStart + 1s);
    S3ObjectStore store(Unreachable(), clock);
    const std::string morning = store.PublicUrl("ab/cd.jpg");
    EXPECT_THAT(morning, StartsWith("http://127.0.0.1:1/album/ab/cd.jpg?X-Amz-Algorithm="));
    EXPECT_THAT(morning, HasSubstr("&X-Amz-Date=20270115T000000Z&X-Amz-Expires=604800&"));
    EXPECT_THAT(morning, HasSubstr("X-Amz-Credential=AKIDEXAMPLE%2F20270115%2Fus-east-1%2Fs3"));
    EXPECT_THAT(morning, ::testing::Not(HasSubstr("secret-value")));

    clock.Advance(24h - 2s);  // 23:59:59 the same day
    EXPECT_EQ(store.PublicUrl("ab/cd.jpg"), morning);
    clock.Advance(1s);  // the next day: a new signing date
    const std::string next_day = store.PublicUrl("ab/cd.jpg");
    EXPECT_NE(next_day, morning);
    EXPECT_THAT(next_day, HasSubstr("&X-Amz-Date=20270116T000000Z&"));
    EXPECT_NE(store.PublicUrl("ab/ce.jpg"), next_day);
}

TEST(S3ObjectStore, PresignedUrlsMatchTheSignerForTheEndpointsHost) {
    testkit::FakeClock clock(kDayStart + 5h);
    S3Options options = Unreachable();
    options.endpoint = "https://s3.example.com:443/";
    options.region = "eu-west-1";
    S3ObjectStore store(options, clock);
    EXPECT_EQ(
        store.PublicUrl("k.jpg"),
        PresignUrl({
            .scheme = "https",
            .host = "s3.example.com",  // the default port is not part of Host
            .path = "/album/k.jpg",
            .region = "eu-west-1",
            .access_key = "AKIDEXAMPLE",
            .secret_key = "secret-value",
            .signing_time = kDayStart,
            .expires = kPresignExpiry,
        }));
}

TEST(S3ObjectStore, APublicBaseUrlGivesPlainUrls) {
    testkit::FakeClock clock;
    S3Options options = Unreachable();
    options.public_url = "https://cdn.example.com/media/";
    S3ObjectStore store(options, clock);
    EXPECT_EQ(store.PublicUrl("ab/cd.jpg"), "https://cdn.example.com/media/album/ab/cd.jpg");
}

TEST(S3ObjectStore, BadKeysAreRefusedBeforeAnyRequest) {
    testkit::FakeClock clock;
    S3ObjectStore store(Unreachable(), clock);
    for (const std::string& key : contract::BadKeys()) {
        SCOPED_TRACE(::testing::PrintToString(key));
        EXPECT_THAT(store.Create(key, {}), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store.Put(key, "x", {}), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store.Get(key, 10), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store.Stat(key), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store.Delete(key), StatusIs(absl::StatusCode::kInvalidArgument));
    }
    EXPECT_THAT(store.List("../", 10), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        store.Put("ok.jpg", "x", {.content_type = "image/jpeg\r\nX-Evil: 1"}),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(S3ObjectStore, AnUnreachableServerIsUnavailable) {
    testkit::FakeClock clock;
    S3ObjectStore store(Unreachable(), clock);
    EXPECT_THAT(store.EnsureBucket(), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(store.Get("a.jpg", 10), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(store.Put("a.jpg", "x", {}), StatusIs(absl::StatusCode::kUnavailable));
    auto writer = store.Create("a.jpg", {});
    ASSERT_THAT(writer, testkit::IsOk());
    ASSERT_THAT((*writer)->Write("bytes"), testkit::IsOk());
    absl::Status commit = (*writer)->Commit();
    EXPECT_THAT(commit, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(std::string(commit.message()), ::testing::Not(HasSubstr("secret-value")));
}

}  // namespace
}  // namespace hatongsu::storage
