// The upload job message: round trip, strict decoding with the reason, the original's envelope.
#include "hatongsu/jobs/upload_job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::jobs {
namespace {

using testkit::IsOk;
using testkit::StatusIs;

constexpr const char* kId = "b16f7b3d-60af-44f9-895f-72c92c032127";

UploadJob SampleJob() {
    return {kId,          3,  "staging/x.bin",      "사진 1.JPG",
            "image/jpeg", 78, std::string(64, 'a'), 1'700'000'000'123};
}

TEST(UploadJobCodec, RoundTripsInTheEnvelope) {
    std::string body = EncodeUploadJob(SampleJob());
    EXPECT_THAT(body, ::testing::StartsWith(R"({"pattern":"file_uploaded","data":{"batchId":)"));
    auto job = DecodeUploadJob(body);
    ASSERT_THAT(job, IsOk());
    EXPECT_EQ(job->index, 3);
    EXPECT_EQ(job->filename, "사진 1.JPG");
    EXPECT_EQ(job->last_modified_ms, 1'700'000'000'123);
    UploadJob no_time = SampleJob();
    no_time.last_modified_ms.reset();
    std::string body2 = EncodeUploadJob(no_time);
    EXPECT_EQ(body2.find("lastModifiedTimestamp"), std::string::npos);
    EXPECT_FALSE(DecodeUploadJob(body2)->last_modified_ms);
}

TEST(UploadJobCodec, RefusesMalformedMessagesWithTheReason) {
    auto with = [](const std::string& field_json) {
        return std::string(
                   R"({"pattern":"file_uploaded","data":{"batchId":"b16f7b3d-60af-44f9-895f-72c92c032127","index":0,"stagingKey":"s","filename":"f","mimetype":"m","size":1,"sha256":")") +
               std::string(64, 'a') + "\"" + field_json + "}}";
    };
    EXPECT_THAT(DecodeUploadJob(with("")), IsOk());
    EXPECT_THAT(DecodeUploadJob(with(R"(,"lastModifiedTimestamp":null)")), IsOk());
    EXPECT_THAT(
        DecodeUploadJob(with(R"(,"lastModifiedTimestamp":"1700000000123")")),
        StatusIs(
            absl::StatusCode::kInvalidArgument, "data.lastModifiedTimestamp must be an integer"));
    EXPECT_THAT(
        DecodeUploadJob(with(R"(,"lastModifiedTimestamp":1.5)")),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(DecodeUploadJob("not json"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(DecodeUploadJob("[]"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        DecodeUploadJob(R"({"pattern":"other","data":{}})"),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        DecodeUploadJob(R"({"pattern":"file_uploaded","data":{"batchId":"x"}})"),
        StatusIs(absl::StatusCode::kInvalidArgument, "data.batchId must be a UUID"));
    EXPECT_THAT(
        DecodeUploadJob(std::string(kMaxUploadMessageBytes + 1, ' ')),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        DecodeUploadJob(std::string(200, '[') + std::string(200, ']')),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(UploadJobCodec, TheOriginalEnvelopeIsRecognisedAsLegacy) {
    EXPECT_THAT(
        DecodeUploadJob(
            R"({"pattern":"file_uploaded","data":{"filename":"IMG_0042.jpg","size":78,"mimetype":"image/jpeg","buffer":"/9j/4QBI","lastModifiedTimestamp":1700000000123}})"),
        StatusIs(absl::StatusCode::kFailedPrecondition, "LEGACY_ENVELOPE"));
}

}  // namespace
}  // namespace hatongsu::jobs
