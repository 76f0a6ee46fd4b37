#include "hatongsu/storage/disk_object_store.h"

#include <cstdlib>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libs/storage/tests/object_store_contract.h"

namespace hatongsu::storage {
namespace {

namespace fs = std::filesystem;
using ::hatongsu::testkit::IsOk;
using ::hatongsu::testkit::IsOkAndHolds;
using ::hatongsu::testkit::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

// A fresh folder under /tmp, removed with everything in it.
class TempFolder {
public:
    TempFolder() {
        std::string pattern = (fs::temp_directory_path() / "hatongsu-disk-XXXXXX").string();
        const char* made = ::mkdtemp(pattern.data());
        path_ = made == nullptr ? fs::path() : fs::path(made);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    ~TempFolder() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& Path() const { return path_; }

private:
    fs::path path_;
};

std::size_t CountFiles(const fs::path& folder) {
    std::error_code ec;
    std::size_t count = 0;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        count += it->is_regular_file() ? 1 : 0;
    }
    return count;
}

class DiskBackend {
public:
    static std::string SkipReason() { return ""; }
    DiskBackend() : opened_(DiskObjectStore::Open({.root = folder_.Path() / "objects"})) {}
    absl::Status Ready() { return opened_.status(); }
    ObjectStore& Store() { return **opened_; }
    std::size_t LeftoverFiles() { return CountFiles((*opened_)->TempDir()); }

private:
    TempFolder folder_;
    absl::StatusOr<std::unique_ptr<DiskObjectStore>> opened_;
};

}  // namespace

namespace contract {
INSTANTIATE_TYPED_TEST_SUITE_P(Disk, ObjectStoreContract, DiskBackend);
}  // namespace contract

namespace {

class DiskObjectStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = DiskObjectStore::Open(
            {.root = folder_.Path() / "var" / "objects",
             .public_base_url = "https://gw.test:4000/"});
        ASSERT_THAT(opened, IsOk());
        store_ = std::move(*opened);
    }

    TempFolder folder_;
    std::unique_ptr<DiskObjectStore> store_;
};

TEST_F(DiskObjectStoreTest, OpenCreatesTheRootAndItsTempFolder) {
    EXPECT_TRUE(fs::is_directory(folder_.Path() / "var" / "objects" / ".tmp"));
    EXPECT_TRUE(store_->Root().is_absolute());
}

TEST_F(DiskObjectStoreTest, OpenRefusesARootThatIsAFile) {
    std::ofstream(folder_.Path() / "file") << "x";
    EXPECT_THAT(
        DiskObjectStore::Open({.root = folder_.Path() / "file"}),
        StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(DiskObjectStoreTest, ObjectsAreFilesUnderTheRoot) {
    ASSERT_THAT(store_->Put("final/ab.jpg", "jpeg bytes", {}), IsOk());
    std::ifstream in(store_->Root() / "final" / "ab.jpg");
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content, "jpeg bytes");
}

// Copy is a hard link: one file under two names, dated when the copy was made (a staging file
// staged long ago must not look abandoned to SweepTemp, nor old to a backup, once linked).
TEST_F(DiskObjectStoreTest, CopyLinksTheFileAndDatesItNow) {
    ASSERT_THAT(store_->Put("staging/s.bin", "staged bytes", {}), IsOk());
    struct timespec old_times[2] = {{1'700'000'000, 0}, {1'700'000'000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (store_->Root() / "staging/s.bin").c_str(), old_times, 0), 0);
    ASSERT_THAT(store_->Copy("staging/s.bin", "final/s.jpg", {}), IsOk());
    struct stat source {};
    struct stat copy {};
    ASSERT_EQ(::stat((store_->Root() / "staging/s.bin").c_str(), &source), 0);
    ASSERT_EQ(::stat((store_->Root() / "final/s.jpg").c_str(), &copy), 0);
    EXPECT_EQ(source.st_ino, copy.st_ino);
    EXPECT_EQ(copy.st_nlink, 2u);
    auto stat = store_->Stat("final/s.jpg");
    ASSERT_THAT(stat, IsOk());
    EXPECT_GT(stat->modified, std::chrono::system_clock::now() - 1h);
    EXPECT_THAT(store_->SweepTemp(std::chrono::system_clock::now() - 1h), IsOkAndHolds(0u));
    ASSERT_THAT(store_->Delete("staging/s.bin"), IsOk());
    EXPECT_THAT(store_->Get("final/s.jpg", 100), IsOkAndHolds(std::string("staged bytes")));
}

TEST_F(DiskObjectStoreTest, PublicUrlIsTheGatewayFilesRoute) {
    EXPECT_EQ(store_->PublicUrl("ab/cd-1.webp"), "https://gw.test:4000/files/ab/cd-1.webp");
}

TEST_F(DiskObjectStoreTest, StatDerivesTheContentTypeFromTheExtensionAndReportsMtime) {
    ASSERT_THAT(store_->Put("x.JPEG", "1", {.content_type = "text/plain"}), IsOk());
    ASSERT_THAT(store_->Put("y.heic", "12", {}), IsOk());
    ASSERT_THAT(store_->Put("z.txt", "123", {}), IsOk());
    struct timespec times[2] = {{1'700'000'000, 0}, {1'700'000'000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (store_->Root() / "z.txt").c_str(), times, 0), 0);
    EXPECT_EQ(store_->Stat("x.JPEG")->content_type, "image/jpeg");
    EXPECT_EQ(store_->Stat("y.heic")->content_type, "image/heic");
    auto z = store_->Stat("z.txt");
    ASSERT_THAT(z, IsOk());
    EXPECT_EQ(z->content_type, "application/octet-stream");
    EXPECT_EQ(z->size, 3u);
    EXPECT_EQ(z->modified, std::chrono::system_clock::time_point(1'700'000'000s));
}

TEST(ContentTypeForKey, KnowsTheImageExtensions) {
    EXPECT_EQ(ContentTypeForKey("a/b.jpg"), "image/jpeg");
    EXPECT_EQ(ContentTypeForKey("b.jpeg"), "image/jpeg");
    EXPECT_EQ(ContentTypeForKey("b.PNG"), "image/png");
    EXPECT_EQ(ContentTypeForKey("b.webp"), "image/webp");
    EXPECT_EQ(ContentTypeForKey("b.gif"), "image/gif");
    EXPECT_EQ(ContentTypeForKey("b.heic"), "image/heic");
    EXPECT_EQ(ContentTypeForKey("b.bin"), "application/octet-stream");
    EXPECT_EQ(ContentTypeForKey("jpg"), "application/octet-stream");
    EXPECT_EQ(ContentTypeForKey("a.jpg/b"), "application/octet-stream");
}

TEST_F(DiskObjectStoreTest, LocalPathFindsCommittedObjectsOnly) {
    ASSERT_THAT(store_->Put("served/p.png", "png", {}), IsOk());
    EXPECT_THAT(
        store_->LocalPath("served/p.png"), IsOkAndHolds(store_->Root() / "served" / "p.png"));
    EXPECT_THAT(store_->LocalPath("served/absent.png"), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(store_->LocalPath("served"), StatusIs(absl::StatusCode::kNotFound));  // a folder
}

TEST_F(DiskObjectStoreTest, LocalPathRefusesBadKeysWithoutLookingOutsideTheRoot) {
    // A file right outside the root that a traversal would reach.
    std::ofstream(folder_.Path() / "var" / "secret.txt") << "secret";
    for (const std::string& key : contract::BadKeys()) {
        SCOPED_TRACE(::testing::PrintToString(key));
        EXPECT_THAT(store_->LocalPath(key), StatusIs(absl::StatusCode::kInvalidArgument));
    }
    EXPECT_THAT(store_->LocalPath("../secret.txt"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(DiskObjectStoreTest, BadKeysWriteNothingInsideOrOutsideTheRoot) {
    for (const std::string& key : contract::BadKeys()) {
        SCOPED_TRACE(::testing::PrintToString(key));
        EXPECT_THAT(store_->Put(key, "x", {}), StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(store_->Create(key, {}), StatusIs(absl::StatusCode::kInvalidArgument));
    }
    EXPECT_EQ(CountFiles(folder_.Path()), 0u);  // the root's parent, where "../x" would land
}

TEST_F(DiskObjectStoreTest, TheTempFolderIsNotAKey) {
    auto writer = store_->Create("in-progress.jpg", {});
    ASSERT_THAT(writer, IsOk());
    ASSERT_THAT((*writer)->Write("x"), IsOk());
    EXPECT_THAT(store_->Create(".tmp/x.part", {}), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(store_->LocalPath(".tmp"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(store_->Delete(".tmp"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(store_->List("", 100), IsOkAndHolds(IsEmpty()));
    EXPECT_THAT(store_->List(".tmp/", 100), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_EQ(CountFiles(store_->TempDir()), 1u);
}

TEST_F(DiskObjectStoreTest, ListRefusesBadPrefixes) {
    for (const char* prefix : {"../", "/", "a//", "%2F", "a/../"}) {
        SCOPED_TRACE(prefix);
        EXPECT_THAT(store_->List(prefix, 10), StatusIs(absl::StatusCode::kInvalidArgument));
    }
}

TEST_F(DiskObjectStoreTest, AKeyThroughAnExistingObjectIsFailedPrecondition) {
    ASSERT_THAT(store_->Put("a", "file", {}), IsOk());
    EXPECT_THAT(store_->Put("a/b", "x", {}), StatusIs(absl::StatusCode::kFailedPrecondition));
    ASSERT_THAT(store_->Put("c/d", "x", {}), IsOk());
    EXPECT_THAT(store_->Put("c", "x", {}), StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(store_->Delete("c"), IsOk());  // no object named "c": nothing to do
    EXPECT_THAT(store_->List("", 10), IsOkAndHolds(ElementsAre("a", "c/d")));
    EXPECT_EQ(CountFiles(store_->TempDir()), 0u);
}

// staging/<batch>/ must not outlive its files: one empty folder per upload batch would pile up.
TEST_F(DiskObjectStoreTest, DeletingTheLastObjectOfAFolderRemovesTheEmptyFolders) {
    ASSERT_THAT(store_->Put("staging/b1/0-a.jpg", "a", {}), IsOk());
    ASSERT_THAT(store_->Put("staging/b1/1-b.jpg", "b", {}), IsOk());
    ASSERT_THAT(store_->Put("staging/b2/0-c.jpg", "c", {}), IsOk());
    ASSERT_THAT(store_->Put("top.jpg", "t", {}), IsOk());
    auto writer = store_->Create("staging/b1/2-late.jpg", {});  // a writer still at work
    ASSERT_THAT(writer, IsOk());
    ASSERT_THAT((*writer)->Write("late"), IsOk());

    ASSERT_THAT(store_->Delete("staging/b1/0-a.jpg"), IsOk());
    EXPECT_TRUE(fs::is_directory(store_->Root() / "staging" / "b1"));  // 1-b.jpg is still there
    ASSERT_THAT(store_->Delete("staging/b1/1-b.jpg"), IsOk());
    EXPECT_FALSE(fs::exists(store_->Root() / "staging" / "b1"));
    EXPECT_TRUE(fs::is_directory(store_->Root() / "staging" / "b2"));
    ASSERT_THAT(store_->Delete("staging/b2/0-c.jpg"), IsOk());
    EXPECT_FALSE(fs::exists(store_->Root() / "staging"));
    ASSERT_THAT(store_->Delete("top.jpg"), IsOk());
    EXPECT_TRUE(fs::is_directory(store_->Root()));  // never the root, nor its temp folder
    EXPECT_TRUE(fs::is_directory(store_->TempDir()));

    // The writer's folder went meanwhile: its commit makes it again.
    ASSERT_THAT((*writer)->Commit(), IsOk());
    EXPECT_THAT(store_->Get("staging/b1/2-late.jpg", 10), IsOkAndHolds(std::string("late")));
    EXPECT_THAT(store_->List("staging/", 10), IsOkAndHolds(ElementsAre("staging/b1/2-late.jpg")));
}

TEST_F(DiskObjectStoreTest, SweepRemovesAbandonedTempFilesOnly) {
    // What a crash mid-write leaves: a temporary file nobody will commit, last touched long ago.
    fs::path abandoned = store_->TempDir() / "crashed.part";
    std::ofstream(abandoned) << "half an upload";
    struct timespec old_times[2] = {{1'700'000'000, 0}, {1'700'000'000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, abandoned.c_str(), old_times, 0), 0);
    // A writer still at work.
    auto live = store_->Create("live.jpg", {});
    ASSERT_THAT(live, IsOk());
    ASSERT_THAT((*live)->Write("fresh"), IsOk());

    auto cutoff = std::chrono::system_clock::time_point(1'700'000'000s) + 1h;
    EXPECT_THAT(store_->SweepTemp(cutoff), IsOkAndHolds(1u));
    EXPECT_FALSE(fs::exists(abandoned));
    ASSERT_THAT((*live)->Commit(), IsOk());
    EXPECT_THAT(store_->Get("live.jpg", 100), IsOkAndHolds(std::string("fresh")));
    EXPECT_THAT(store_->SweepTemp(cutoff), IsOkAndHolds(0u));
}

TEST_F(DiskObjectStoreTest, TheTempFolderComesBackWhenRemovedByHand) {
    fs::remove_all(store_->TempDir());
    ASSERT_THAT(store_->Put("after-cleanup.jpg", "x", {}), IsOk());
    EXPECT_THAT(store_->Get("after-cleanup.jpg", 10), IsOkAndHolds(std::string("x")));
}

TEST_F(DiskObjectStoreTest, ACommitIsDurableAcrossReopening) {
    ASSERT_THAT(store_->Put("kept.bin", "bytes", {}), IsOk());
    auto reopened = DiskObjectStore::Open({.root = store_->Root()});
    ASSERT_THAT(reopened, IsOk());
    EXPECT_THAT((*reopened)->Get("kept.bin", 100), IsOkAndHolds(std::string("bytes")));
}

}  // namespace
}  // namespace hatongsu::storage
