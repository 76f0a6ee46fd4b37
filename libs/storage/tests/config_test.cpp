#include "hatongsu/storage/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::storage {
namespace {

using ::hatongsu::testkit::IsOk;
using ::hatongsu::testkit::StatusIs;
using ::testing::HasSubstr;
using Vars = std::map<std::string, std::string>;

// LoadConfig adds its problems to the Env; Finish reports them (as a service's main does).
absl::Status Problems(config::Env& env) {
    return env.Finish("STORAGE_", {});
}

TEST(StorageConfig, DefaultsToTheDiskBackend) {
    config::Env env(Vars{});
    Config c = LoadConfig(env);
    ASSERT_THAT(Problems(env), IsOk());
    EXPECT_EQ(c.backend, Backend::kDisk);
    EXPECT_EQ(c.disk.root, "./var/objects");
    EXPECT_EQ(c.disk.public_base_url, "http://localhost:4000");
}

TEST(StorageConfig, ReadsTheDiskSettings) {
    config::Env env(
        {{"STORAGE_DIR", "/srv/objects"}, {"STORAGE_PUBLIC_URL", "https://photos.example.com/"}});
    Config c = LoadConfig(env);
    ASSERT_THAT(Problems(env), IsOk());
    EXPECT_EQ(c.disk.root, "/srv/objects");
    EXPECT_EQ(c.disk.public_base_url, "https://photos.example.com");
}

TEST(StorageConfig, ReadsTheS3Settings) {
    config::Env env(Vars{
        {"STORAGE_BACKEND", "S3"},
        {"S3_ENDPOINT", "http://127.0.0.1:9000"},
        {"S3_PUBLIC_URL", "https://cdn.example.com"},
        {"S3_BUCKET", "album"},
        {"S3_REGION", "eu-west-1"},
        {"S3_ACCESS_KEY", "ak"},
        {"S3_SECRET_KEY", "sk"},
        {"S3_CA_FILE", "/etc/ca.pem"},
    });
    Config c = LoadConfig(env);
    ASSERT_THAT(Problems(env), IsOk());
    EXPECT_EQ(c.backend, Backend::kS3);
    EXPECT_EQ(c.s3.endpoint, "http://127.0.0.1:9000");
    EXPECT_EQ(c.s3.public_url, "https://cdn.example.com");
    EXPECT_EQ(c.s3.bucket, "album");
    EXPECT_EQ(c.s3.region, "eu-west-1");
    EXPECT_EQ(c.s3.access_key, "ak");
    EXPECT_EQ(c.s3.secret_key, "sk");
    EXPECT_EQ(c.s3.ca_file, "/etc/ca.pem");
    EXPECT_EQ(env.Effective().at("S3_SECRET_KEY"), "***");
    EXPECT_EQ(env.Effective().at("S3_ACCESS_KEY"), "***");
}

TEST(StorageConfig, AcceptsTheOriginalMinioNames) {
    config::Env env(Vars{
        {"STORAGE_BACKEND", "s3"},
        {"MINIO_ENDPOINT", "minio.example.com"},
        {"MINIO_PORT", "9000"},
        {"MINIO_ACCESS_KEY", "ak"},
        {"MINIO_SECRET_KEY", "sk"},
        {"MINIO_BUCKET_NAME", "album"},
    });
    Config c = LoadConfig(env);
    ASSERT_THAT(Problems(env), IsOk());
    EXPECT_EQ(c.s3.endpoint, "https://minio.example.com:9000");
    EXPECT_EQ(c.s3.bucket, "album");
    EXPECT_EQ(c.s3.access_key, "ak");
    EXPECT_EQ(c.s3.secret_key, "sk");
}

TEST(StorageConfig, MinioWithoutTlsAndOnTheDefaultPort) {
    config::Env env(Vars{
        {"MINIO_ENDPOINT", "minio"},
        {"MINIO_PORT", "80"},
        {"S3_USE_TLS", "false"},
    });
    Config c = LoadConfig(env);
    ASSERT_THAT(Problems(env), IsOk());
    EXPECT_EQ(c.s3.endpoint, "http://minio");
}

TEST(StorageConfig, TheNewNamesWinOverTheOriginals) {
    config::Env env(Vars{
        {"S3_ENDPOINT", "http://new:9000"},
        {"MINIO_ENDPOINT", "old"},
        {"S3_BUCKET", "new-bucket"},
        {"MINIO_BUCKET_NAME", "old-bucket"},
    });
    Config c = LoadConfig(env);
    ASSERT_THAT(Problems(env), IsOk());
    EXPECT_EQ(c.s3.endpoint, "http://new:9000");
    EXPECT_EQ(c.s3.bucket, "new-bucket");
}

TEST(StorageConfig, S3NeedsEndpointBucketAndCredentials) {
    config::Env env(Vars{{"STORAGE_BACKEND", "s3"}});
    LoadConfig(env);
    absl::Status s = Problems(env);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(s.message()), HasSubstr("S3_ENDPOINT"));
    EXPECT_THAT(std::string(s.message()), HasSubstr("S3_BUCKET"));
    EXPECT_THAT(std::string(s.message()), HasSubstr("S3_ACCESS_KEY"));
}

TEST(StorageConfig, RefusesMalformedValues) {
    struct Case {
        const char* name;
        const char* value;
    };
    for (Case bad : {
             Case{"STORAGE_BACKEND", "ftp"},
             Case{"STORAGE_PUBLIC_URL", "localhost:4000"},
             Case{"STORAGE_PUBLIC_URL", "http://x/?q=1"},
             Case{"S3_ENDPOINT", "127.0.0.1:9000"},
             Case{"S3_ENDPOINT", "http://host:9000/path"},
             Case{"S3_ENDPOINT", "ftp://host"},
             Case{"S3_PUBLIC_URL", "cdn.example.com"},
             Case{"S3_BUCKET", "Album_1"},
             Case{"S3_BUCKET", "ab"},
             Case{"S3_REGION", "us east"},
             Case{"MINIO_ENDPOINT", "http://minio"},
             Case{"MINIO_ENDPOINT", "minio:9000"},
             Case{"MINIO_PORT", "99999"},
             Case{"S3_USE_TLS", "maybe"},
         }) {
        SCOPED_TRACE(std::string(bad.name) + "=" + bad.value);
        config::Env env(Vars{{bad.name, bad.value}});
        LoadConfig(env);
        absl::Status s = Problems(env);
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
        EXPECT_THAT(std::string(s.message()), HasSubstr(bad.name));
    }
}

TEST(StorageConfig, OpenMakesTheDiskFolder) {
    std::string dir =
        ::testing::TempDir() + "/hatongsu-storage-open-test-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    Config c;
    c.disk.root = dir;
    core::SystemClock clock;
    auto store = Open(c, clock);
    ASSERT_THAT(store, IsOk());
    EXPECT_NE(dynamic_cast<DiskObjectStore*>(store->get()), nullptr);
    EXPECT_TRUE(std::filesystem::is_directory(dir));
    std::filesystem::remove_all(dir);
}

TEST(StorageConfig, OpenReportsAnUnreachableS3Server) {
    Config c;
    c.backend = Backend::kS3;
    c.s3.endpoint = "http://127.0.0.1:1";
    c.s3.bucket = "album";
    core::SystemClock clock;
    EXPECT_THAT(Open(c, clock), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace hatongsu::storage
