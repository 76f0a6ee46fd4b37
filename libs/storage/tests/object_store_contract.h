// The ObjectStore contract as one typed GoogleTest suite, run against every adapter so the
// in-memory fake cannot drift from the real ones. A backend type provides:
//   static std::string SkipReason();     // non-empty: skip (a server the run does not have)
//   Backend();                           // a fresh, empty store
//   absl::Status Ready();                // OK once the store can be used (bucket made, ...)
//   ObjectStore& Store();
//   std::size_t LeftoverFiles();         // temporary files the adapter left behind (0 if none)
// and a test file instantiates it:
//   namespace contract { INSTANTIATE_TYPED_TEST_SUITE_P(Disk, ObjectStoreContract, DiskBackend); }
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/storage/object_store.h"
#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::storage::contract {

using ::hatongsu::testkit::IsOk;
using ::hatongsu::testkit::IsOkAndHolds;
using ::hatongsu::testkit::StatusIs;

// Bytes that are not text (NUL, high bytes) and do not repeat with a short period.
inline std::string PatternBytes(std::size_t size, unsigned seed) {
    std::string bytes(size, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (char& c : bytes) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    return bytes;
}

inline std::vector<std::string> BadKeys() {
    return {
        "",
        "../x",
        "a/../../x",
        "..",
        ".",
        "/abs",
        "/etc/passwd",
        "a//b",
        "a/",
        "a/./b",
        "%2F",
        "a%2Fb",
        std::string(513, 'k'),
        std::string("a\x01z", 3),
        std::string("a\0z", 3),
        "a\nb",
        "a\\b",
        "..\\x",
        "a b",
        "caf\xc3\xa9.jpg",
    };
}

template <typename Backend>
class ObjectStoreContract : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::string reason = Backend::SkipReason(); !reason.empty()) {
            GTEST_SKIP() << reason;
        }
        backend_ = std::make_unique<Backend>();
        ASSERT_THAT(backend_->Ready(), IsOk());
    }

    ObjectStore& Store() { return backend_->Store(); }
    std::size_t LeftoverFiles() { return backend_->LeftoverFiles(); }
    std::vector<std::string> AllKeys() {
        auto keys = Store().List("", 1000);
        EXPECT_THAT(keys, IsOk());
        return keys.ok() ? *keys : std::vector<std::string>{};
    }

private:
    std::unique_ptr<Backend> backend_;
};

TYPED_TEST_SUITE_P(ObjectStoreContract);

TYPED_TEST_P(ObjectStoreContract, PutThenGetReturnsTheSameBytes) {
    std::string bytes = PatternBytes(10'000, 1);
    ASSERT_THAT(this->Store().Put("photos/a.jpg", bytes, {.content_type = "image/jpeg"}), IsOk());
    EXPECT_THAT(this->Store().Get("photos/a.jpg", 1 << 20), IsOkAndHolds(bytes));
}

TYPED_TEST_P(ObjectStoreContract, AnEmptyObjectIsAnObject) {
    ASSERT_THAT(this->Store().Put("empty.bin", "", {}), IsOk());
    EXPECT_THAT(this->Store().Get("empty.bin", 0), IsOkAndHolds(std::string()));
    auto stat = this->Store().Stat("empty.bin");
    ASSERT_THAT(stat, IsOk());
    EXPECT_EQ(stat->size, 0u);
}

TYPED_TEST_P(ObjectStoreContract, StatReportsSizeAndContentType) {
    ASSERT_THAT(
        this->Store().Put("b1.png", PatternBytes(1234, 2), {.content_type = "image/png"}), IsOk());
    auto stat = this->Store().Stat("b1.png");
    ASSERT_THAT(stat, IsOk());
    EXPECT_EQ(stat->size, 1234u);
    EXPECT_EQ(stat->content_type, "image/png");
}

TYPED_TEST_P(ObjectStoreContract, AbsentObjectsAreNotFound) {
    EXPECT_THAT(this->Store().Get("nope.jpg", 100), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(this->Store().Stat("nope.jpg"), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(this->Store().Get("no/such/dir.jpg", 100), StatusIs(absl::StatusCode::kNotFound));
}

TYPED_TEST_P(ObjectStoreContract, PutReplacesAnExistingObject) {
    ASSERT_THAT(this->Store().Put("r.jpg", "first version", {}), IsOk());
    ASSERT_THAT(this->Store().Put("r.jpg", "second", {}), IsOk());
    EXPECT_THAT(this->Store().Get("r.jpg", 100), IsOkAndHolds(std::string("second")));
    EXPECT_THAT(this->AllKeys(), ::testing::ElementsAre("r.jpg"));
}

TYPED_TEST_P(ObjectStoreContract, CopyMakesAnIndependentObjectUnderTheNewKey) {
    ObjectStore& store = this->Store();
    ASSERT_THAT(store.Put("staging/c.bin", "the original bytes", {}), IsOk());
    ASSERT_THAT(store.Put("final/c.jpg", "an older object", {}), IsOk());
    ASSERT_THAT(store.Copy("staging/c.bin", "final/c.jpg", {.content_type = "image/jpeg"}), IsOk());
    EXPECT_THAT(store.Get("final/c.jpg", 100), IsOkAndHolds(std::string("the original bytes")));
    auto stat = store.Stat("final/c.jpg");
    ASSERT_THAT(stat, IsOk());
    EXPECT_EQ(stat->size, 18u);
    EXPECT_EQ(stat->content_type, "image/jpeg");
    // Independent: replacing or deleting the source leaves the copy as it was.
    ASSERT_THAT(store.Put("staging/c.bin", "replaced", {}), IsOk());
    EXPECT_THAT(store.Get("final/c.jpg", 100), IsOkAndHolds(std::string("the original bytes")));
    ASSERT_THAT(store.Delete("staging/c.bin"), IsOk());
    EXPECT_THAT(store.Get("final/c.jpg", 100), IsOkAndHolds(std::string("the original bytes")));

    EXPECT_THAT(
        store.Copy("staging/gone.bin", "final/d.jpg", {}), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(store.Stat("final/d.jpg"), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(
        store.Copy("final/c.jpg", "../d.jpg", {}), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        store.Copy("../c.jpg", "final/d.jpg", {}), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(this->AllKeys(), ::testing::ElementsAre("final/c.jpg"));
    EXPECT_EQ(this->LeftoverFiles(), 0u);
}

TYPED_TEST_P(ObjectStoreContract, DeleteRemovesAndIsIdempotent) {
    ASSERT_THAT(this->Store().Put("staging/d.bin", "x", {}), IsOk());
    ASSERT_THAT(this->Store().Delete("staging/d.bin"), IsOk());
    EXPECT_THAT(this->Store().Get("staging/d.bin", 100), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(this->Store().Delete("staging/d.bin"), IsOk());
    EXPECT_THAT(this->Store().Delete("never/was.bin"), IsOk());
    EXPECT_THAT(this->AllKeys(), ::testing::IsEmpty());
}

TYPED_TEST_P(ObjectStoreContract, ListReturnsSortedKeysUnderThePrefixUpToTheLimit) {
    for (const char* key :
         {"staging/c.bin", "staging/a.bin", "final/x.jpg", "staging/b.bin", "staging/sub/z.bin",
          "stagingx.bin"}) {
        ASSERT_THAT(this->Store().Put(key, key, {}), IsOk());
    }
    EXPECT_THAT(
        this->Store().List("staging/", 100),
        IsOkAndHolds(::testing::ElementsAre(
            "staging/a.bin", "staging/b.bin", "staging/c.bin", "staging/sub/z.bin")));
    EXPECT_THAT(
        this->Store().List("staging/", 2),
        IsOkAndHolds(::testing::ElementsAre("staging/a.bin", "staging/b.bin")));
    EXPECT_THAT(
        this->Store().List("staging", 100), IsOkAndHolds(::testing::ElementsAre(
                                                "staging/a.bin", "staging/b.bin", "staging/c.bin",
                                                "staging/sub/z.bin", "stagingx.bin")));
    EXPECT_THAT(this->Store().List("nothing/", 100), IsOkAndHolds(::testing::IsEmpty()));
    EXPECT_THAT(this->Store().List("", 100), IsOkAndHolds(::testing::SizeIs(6)));
    EXPECT_THAT(this->Store().List("", 0), IsOkAndHolds(::testing::IsEmpty()));
}

TYPED_TEST_P(ObjectStoreContract, StreamsSeveralMegabytesInSmallChunks) {
    constexpr std::size_t kSize = 5 * 1024 * 1024 + 123;
    const std::string bytes = PatternBytes(kSize, 3);
    auto writer = this->Store().Create("big/object.bin", {});
    ASSERT_THAT(writer, IsOk());
    for (std::size_t offset = 0; offset < kSize; offset += 4096) {
        ASSERT_THAT((*writer)->Write(std::string_view(bytes).substr(offset, 4096)), IsOk());
    }
    EXPECT_EQ((*writer)->BytesWritten(), kSize);
    ASSERT_THAT((*writer)->Commit(), IsOk());
    auto stat = this->Store().Stat("big/object.bin");
    ASSERT_THAT(stat, IsOk());
    EXPECT_EQ(stat->size, kSize);
    auto got = this->Store().Get("big/object.bin", kSize);
    ASSERT_THAT(got, IsOk());
    EXPECT_TRUE(*got == bytes) << "content differs";
    EXPECT_EQ(this->LeftoverFiles(), 0u);
}

TYPED_TEST_P(ObjectStoreContract, NothingIsVisibleBeforeCommit) {
    auto writer = this->Store().Create("pending.jpg", {.content_type = "image/jpeg"});
    ASSERT_THAT(writer, IsOk());
    ASSERT_THAT((*writer)->Write("partial"), IsOk());
    EXPECT_THAT(this->Store().Stat("pending.jpg"), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(this->AllKeys(), ::testing::IsEmpty());
    ASSERT_THAT((*writer)->Write(" and the rest"), IsOk());
    ASSERT_THAT((*writer)->Commit(), IsOk());
    EXPECT_THAT(
        this->Store().Get("pending.jpg", 100), IsOkAndHolds(std::string("partial and the rest")));
    EXPECT_THAT((*writer)->Write("more"), StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT((*writer)->Commit(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TYPED_TEST_P(ObjectStoreContract, AnAbortedWriterLeavesNothing) {
    auto writer = this->Store().Create("aborted.jpg", {});
    ASSERT_THAT(writer, IsOk());
    ASSERT_THAT((*writer)->Write(PatternBytes(100'000, 4)), IsOk());
    (*writer)->Abort();
    EXPECT_THAT((*writer)->Write("x"), StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT((*writer)->Commit(), StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(this->Store().Stat("aborted.jpg"), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(this->AllKeys(), ::testing::IsEmpty());
    EXPECT_EQ(this->LeftoverFiles(), 0u);
}

TYPED_TEST_P(ObjectStoreContract, ADestroyedUncommittedWriterLeavesNothing) {
    {
        auto writer = this->Store().Create("dropped/x.jpg", {});
        ASSERT_THAT(writer, IsOk());
        ASSERT_THAT((*writer)->Write(PatternBytes(100'000, 5)), IsOk());
    }
    EXPECT_THAT(this->Store().Stat("dropped/x.jpg"), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(this->AllKeys(), ::testing::IsEmpty());
    EXPECT_EQ(this->LeftoverFiles(), 0u);
}

TYPED_TEST_P(ObjectStoreContract, GetPastMaxBytesIsResourceExhausted) {
    ASSERT_THAT(this->Store().Put("sized.bin", PatternBytes(1000, 6), {}), IsOk());
    EXPECT_THAT(
        this->Store().Get("sized.bin", 999), StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(this->Store().Get("sized.bin", 0), StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(this->Store().Get("sized.bin", 1000), IsOkAndHolds(PatternBytes(1000, 6)));
}

TYPED_TEST_P(ObjectStoreContract, BadKeysAreInvalidArgumentEverywhere) {
    for (const std::string& key : BadKeys()) {
        SCOPED_TRACE(::testing::PrintToString(key));
        EXPECT_THAT(this->Store().Create(key, {}), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(this->Store().Put(key, "x", {}), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(this->Store().Get(key, 100), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(this->Store().Stat(key), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(this->Store().Delete(key), StatusIs(absl::StatusCode::kInvalidArgument));
    }
    EXPECT_THAT(this->AllKeys(), ::testing::IsEmpty());
    EXPECT_EQ(this->LeftoverFiles(), 0u);
}

TYPED_TEST_P(ObjectStoreContract, ConcurrentWritersToDifferentKeys) {
    constexpr int kWriters = 6;
    constexpr int kChunks = 32;
    std::vector<absl::Status> results(kWriters);
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
        threads.emplace_back([this, w, &results] {
            auto writer = this->Store().Create("concurrent/" + std::to_string(w) + ".bin", {});
            if (!writer.ok()) {
                results[w] = writer.status();
                return;
            }
            for (int c = 0; c < kChunks && results[w].ok(); ++c) {
                results[w] = (*writer)->Write(PatternBytes(8192, w * 100 + c));
            }
            if (results[w].ok()) {
                results[w] = (*writer)->Commit();
            }
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    for (int w = 0; w < kWriters; ++w) {
        ASSERT_THAT(results[w], IsOk()) << "writer " << w;
        std::string expected;
        for (int c = 0; c < kChunks; ++c) {
            expected += PatternBytes(8192, w * 100 + c);
        }
        auto got = this->Store().Get("concurrent/" + std::to_string(w) + ".bin", 1 << 20);
        ASSERT_THAT(got, IsOk());
        EXPECT_TRUE(*got == expected) << "writer " << w << " content differs";
    }
    EXPECT_THAT(this->Store().List("concurrent/", 100), IsOkAndHolds(::testing::SizeIs(kWriters)));
    EXPECT_EQ(this->LeftoverFiles(), 0u);
}

TYPED_TEST_P(ObjectStoreContract, PublicUrlIsAnAbsoluteUrlNamingTheKey) {
    std::string url = this->Store().PublicUrl("ab/cd.jpg");
    EXPECT_THAT(url, ::testing::StartsWith("http"));
    EXPECT_THAT(url, ::testing::HasSubstr("://"));
    EXPECT_THAT(url, ::testing::HasSubstr("/ab/cd.jpg"));
    EXPECT_EQ(url, this->Store().PublicUrl("ab/cd.jpg"));  // stable: browsers may cache it
}

REGISTER_TYPED_TEST_SUITE_P(
    ObjectStoreContract,
    PutThenGetReturnsTheSameBytes,
    AnEmptyObjectIsAnObject,
    StatReportsSizeAndContentType,
    AbsentObjectsAreNotFound,
    PutReplacesAnExistingObject,
    CopyMakesAnIndependentObjectUnderTheNewKey,
    DeleteRemovesAndIsIdempotent,
    ListReturnsSortedKeysUnderThePrefixUpToTheLimit,
    StreamsSeveralMegabytesInSmallChunks,
    NothingIsVisibleBeforeCommit,
    AnAbortedWriterLeavesNothing,
    ADestroyedUncommittedWriterLeavesNothing,
    GetPastMaxBytesIsResourceExhausted,
    BadKeysAreInvalidArgumentEverywhere,
    ConcurrentWritersToDifferentKeys,
    PublicUrlIsAnAbsoluteUrlNamingTheKey);

}  // namespace hatongsu::storage::contract
