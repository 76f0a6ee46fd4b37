#include "services/gateway/usecase/upload_session.h"

#include <gtest/gtest.h>

#include "hatongsu/core/sha256.h"
#include "hatongsu/storage/in_memory_object_store.h"

namespace hatongsu::gateway {
namespace {

class UploadSessionTest : public ::testing::Test {
protected:
    absl::Status SendFile(UploadSession& s, const std::string& name, const std::string& bytes) {
        if (absl::Status st = s.BeginFile("files", name, "image/jpeg"); !st.ok()) {
            return st;
        }
        for (std::size_t i = 0; i < bytes.size(); i += 7) {
            if (absl::Status st = s.Write(std::string_view(bytes).substr(i, 7)); !st.ok()) {
                return st;
            }
        }
        return s.EndFile();
    }
    storage::InMemoryObjectStore store_;
};

TEST_F(UploadSessionTest, StagesEachFileWithItsHashSizeAndTimestamp) {
    UploadSession s(store_, {}, "batch-1");
    ASSERT_TRUE(SendFile(s, "사진 1.jpg", "first file bytes").ok());
    ASSERT_TRUE(s.AddField("lastModifiedTimestamps[]", "1700000000123").ok());
    ASSERT_TRUE(SendFile(s, "b.png", "second").ok());
    ASSERT_TRUE(s.AddField("lastModifiedTimestamps[]", "1700000000456").ok());
    auto files = s.Finish();
    ASSERT_TRUE(files.ok()) << files.status();
    ASSERT_EQ(files->size(), 2u);
    EXPECT_EQ((*files)[0].filename, "사진 1.jpg");
    EXPECT_EQ((*files)[0].size, 16);
    EXPECT_EQ((*files)[0].sha256, core::Sha256Hex("first file bytes"));
    EXPECT_EQ((*files)[0].last_modified_ms, 1700000000123);
    EXPECT_EQ((*files)[1].last_modified_ms, 1700000000456);
    EXPECT_TRUE((*files)[0].staging_key.starts_with("staging/batch-1/0-"));
    EXPECT_EQ(store_.Get((*files)[1].staging_key, 100).value(), "second");
    EXPECT_EQ(store_.ObjectCount(), 2u);
}

TEST_F(UploadSessionTest, AcceptsEveryTimestampFormOfTheOriginal) {
    for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"lastModifiedTimestamps", "1,2"},
             {"lastModifiedTimestamps[0]", "1"},
         }) {
        UploadSession s(store_, {}, "b");
        ASSERT_TRUE(SendFile(s, "a.jpg", "a").ok());
        ASSERT_TRUE(SendFile(s, "b.jpg", "b").ok());
        ASSERT_TRUE(s.AddField(name, value).ok());
        if (name == "lastModifiedTimestamps[0]") {
            ASSERT_TRUE(s.AddField("lastModifiedTimestamps[1]", "2").ok());
        }
        auto files = s.Finish();
        ASSERT_TRUE(files.ok()) << name << " " << files.status();
        EXPECT_EQ((*files)[0].last_modified_ms, 1);
        EXPECT_EQ((*files)[1].last_modified_ms, 2);
    }
    UploadSession s(store_, {}, "b");
    ASSERT_TRUE(SendFile(s, "a.jpg", "a").ok());
    ASSERT_TRUE(s.AddField("lastModifiedTimestamps", "1.7e12").ok());
    EXPECT_EQ(s.Finish()->at(0).last_modified_ms, 1700000000000);
}

TEST_F(UploadSessionTest, TimestampsAreOptionalButMustBeNumbersOnePerFile) {
    {
        UploadSession s(store_, {}, "b");
        ASSERT_TRUE(SendFile(s, "a.jpg", "a").ok());
        auto files = s.Finish();
        ASSERT_TRUE(files.ok());
        EXPECT_FALSE((*files)[0].last_modified_ms.has_value());
    }
    {
        UploadSession s(store_, {}, "b");
        ASSERT_TRUE(SendFile(s, "a.jpg", "a").ok());
        ASSERT_TRUE(SendFile(s, "b.jpg", "b").ok());
        ASSERT_TRUE(s.AddField("lastModifiedTimestamps[]", "12").ok());
        ASSERT_TRUE(s.AddField("lastModifiedTimestamps[]", "yesterday").ok());
        auto files = s.Finish();
        EXPECT_EQ(files.status().message(), "[1] item must be a number");
    }
    {
        UploadSession s(store_, {}, "b");
        ASSERT_TRUE(SendFile(s, "a.jpg", "a").ok());
        ASSERT_TRUE(SendFile(s, "b.jpg", "b").ok());
        ASSERT_TRUE(s.AddField("lastModifiedTimestamps[]", "12").ok());
        EXPECT_EQ(s.Finish().status().code(), absl::StatusCode::kInvalidArgument);
    }
    // A refused request leaves nothing staged.
    EXPECT_EQ(store_.ObjectCount(), 1u);  // only the first block's finished file
}

TEST_F(UploadSessionTest, ParsesTimestampsStrictly) {
    EXPECT_EQ(ParseTimestamp(" 1700000000123 "), 1700000000123);
    EXPECT_EQ(ParseTimestamp("-5"), -5);
    EXPECT_EQ(ParseTimestamp("1e3"), 1000);
    EXPECT_FALSE(ParseTimestamp("").has_value());
    EXPECT_FALSE(ParseTimestamp("1.5").has_value());
    EXPECT_FALSE(ParseTimestamp("0x10").has_value());
    EXPECT_FALSE(ParseTimestamp("NaN").has_value());
    EXPECT_FALSE(ParseTimestamp("Infinity").has_value());
    EXPECT_FALSE(ParseTimestamp("1e300").has_value());
    EXPECT_FALSE(ParseTimestamp("12abc").has_value());
}

TEST_F(UploadSessionTest, LimitsHoldAsBytesArriveAndNothingIsLeftBehind) {
    {
        UploadSession s(store_, {.max_files = 2, .max_file_bytes = 10, .max_total_bytes = 15}, "b");
        ASSERT_TRUE(SendFile(s, "a.jpg", "0123456789").ok());
        EXPECT_EQ(SendFile(s, "b.jpg", "0123456789").message(), "UPLOAD_TOO_LARGE");
    }
    {
        UploadSession s(
            store_, {.max_files = 2, .max_file_bytes = 10, .max_total_bytes = 100}, "b");
        EXPECT_EQ(SendFile(s, "a.jpg", "01234567890").message(), "FILE_TOO_LARGE");
    }
    {
        UploadSession s(
            store_, {.max_files = 2, .max_file_bytes = 10, .max_total_bytes = 100}, "b");
        ASSERT_TRUE(SendFile(s, "a.jpg", "1").ok());
        ASSERT_TRUE(SendFile(s, "b.jpg", "2").ok());
        EXPECT_EQ(SendFile(s, "c.jpg", "3").code(), absl::StatusCode::kResourceExhausted);
    }
    EXPECT_EQ(store_.ObjectCount(), 0u);
}

TEST_F(UploadSessionTest, RefusesOtherFileFieldsAndCleansUpWhenDropped) {
    {
        UploadSession s(store_, {}, "b");
        ASSERT_TRUE(SendFile(s, "a.jpg", "a").ok());
        EXPECT_EQ(s.BeginFile("avatar", "x.jpg", "image/jpeg").message(), "Unexpected field");
        ASSERT_TRUE(s.BeginFile("files", "half.jpg", "image/jpeg").ok());
        ASSERT_TRUE(s.Write("partial").ok());
        // Dropped mid-file: the client went away.
    }
    EXPECT_EQ(store_.ObjectCount(), 0u);
}

TEST_F(UploadSessionTest, AStoreFailureIsReportedAndCleaned) {
    UploadSession s(store_, {}, "b");
    ASSERT_TRUE(SendFile(s, "a.jpg", "a").ok());
    store_.FailNextWith(absl::UnavailableError("disk gone"));
    EXPECT_EQ(SendFile(s, "b.jpg", "b").code(), absl::StatusCode::kUnavailable);
    s.Abandon();
    EXPECT_EQ(store_.ObjectCount(), 0u);
}

}  // namespace
}  // namespace hatongsu::gateway
