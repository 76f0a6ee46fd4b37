#include "hatongsu/storage/config.h"

#include <string>
#include <string_view>

#include "hatongsu/core/text.h"

namespace hatongsu::storage {

namespace {

bool IsHostCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
}

// "http(s)://host[:port]" followed by a path only when allow_path; no query, fragment, user info,
// whitespace or control characters.
bool IsHttpUrl(std::string_view url, bool allow_path) {
    std::string_view rest;
    if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else if (url.starts_with("https://")) {
        rest = url.substr(8);
    } else {
        return false;
    }
    while (!rest.empty() && rest.back() == '/') {
        rest.remove_suffix(1);
    }
    std::size_t slash = rest.find('/');
    std::string_view host = rest.substr(0, slash);
    if (host.empty()) {
        return false;
    }
    for (char c : host) {
        if (!IsHostCharacter(c)) {
            return false;
        }
    }
    if (slash == std::string_view::npos) {
        return true;
    }
    if (!allow_path) {
        return false;
    }
    for (char c : rest.substr(slash)) {
        if (c == '?' || c == '#' || c == ' ' || static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

std::string WithoutTrailingSlash(std::string url) {
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    return url;
}

// S3's bucket naming rules (the DNS-compatible ones): 3-63 of a-z 0-9 . -, alphanumeric at both
// ends.
bool IsBucketName(std::string_view name) {
    if (name.size() < 3 || name.size() > 63) {
        return false;
    }
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    for (char c : name) {
        if (!alnum(c) && c != '.' && c != '-') {
            return false;
        }
    }
    return alnum(name.front()) && alnum(name.back());
}

bool IsRegion(std::string_view region) {
    if (region.empty() || region.size() > 32) {
        return false;
    }
    for (char c : region) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return false;
        }
    }
    return true;
}

// The original's MINIO_ENDPOINT is a bare host name and MINIO_PORT its port; the scheme was
// https in production only. Here it is https unless S3_USE_TLS=false.
std::string EndpointFromMinio(config::Env& env, const std::string& host, int port, bool use_tls) {
    if (host.find_first_of(":/") != std::string::npos || !IsHttpUrl("http://" + host, false)) {
        env.AddError("MINIO_ENDPOINT must be a host name only (no scheme, port or path)");
    }
    std::string endpoint = (use_tls ? "https://" : "http://") + host;
    if (port != 0 && port != (use_tls ? 443 : 80)) {
        endpoint += ":" + std::to_string(port);
    }
    return endpoint;
}

}  // namespace

Config LoadConfig(config::Env& env) {
    Config c;
    std::string backend = core::AsciiLower(env.String({"STORAGE_BACKEND"}, "disk"));
    if (backend == "s3") {
        c.backend = Backend::kS3;
    } else if (backend != "disk") {
        env.AddError("STORAGE_BACKEND must be disk or s3");
    }

    c.disk.root = env.String({"STORAGE_DIR"}, "./var/objects");
    if (c.disk.root.empty()) {
        env.AddError("STORAGE_DIR must not be empty");
    }
    c.disk.public_base_url =
        WithoutTrailingSlash(env.String({"STORAGE_PUBLIC_URL"}, "http://localhost:4000"));
    if (!IsHttpUrl(c.disk.public_base_url, true)) {
        env.AddError("STORAGE_PUBLIC_URL must be an http(s) URL without query (the gateway's)");
    }

    const bool s3 = c.backend == Backend::kS3;
    const bool use_tls = env.Bool({"S3_USE_TLS"}, true);
    const int minio_port = env.Int({"MINIO_PORT"}, 0, 0, 65535);
    std::string endpoint = env.String({"S3_ENDPOINT"}, "");
    if (endpoint.empty()) {
        if (auto minio = env.Optional({"MINIO_ENDPOINT"}); minio && !minio->empty()) {
            endpoint = EndpointFromMinio(env, *minio, minio_port, use_tls);
        }
    } else if (!IsHttpUrl(endpoint, false)) {
        env.AddError("S3_ENDPOINT must be http(s)://host[:port] with no path");
    }
    c.s3.endpoint = WithoutTrailingSlash(std::move(endpoint));
    if (s3 && c.s3.endpoint.empty()) {
        env.AddError("S3_ENDPOINT (or MINIO_ENDPOINT) is required with STORAGE_BACKEND=s3");
    }
    c.s3.public_url = WithoutTrailingSlash(env.String({"S3_PUBLIC_URL"}, ""));
    if (!c.s3.public_url.empty() && !IsHttpUrl(c.s3.public_url, true)) {
        env.AddError("S3_PUBLIC_URL must be an http(s) URL without query");
    }
    c.s3.bucket = env.String({"S3_BUCKET", "MINIO_BUCKET_NAME"}, "");
    if ((s3 || !c.s3.bucket.empty()) && !IsBucketName(c.s3.bucket)) {
        env.AddError("S3_BUCKET (or MINIO_BUCKET_NAME) must be a bucket name: 3-63 of a-z 0-9 . -");
    }
    c.s3.region = env.String({"S3_REGION"}, "us-east-1");
    if (!IsRegion(c.s3.region)) {
        env.AddError("S3_REGION must be a region name such as us-east-1");
    }
    c.s3.access_key = env.Secret({"S3_ACCESS_KEY", "MINIO_ACCESS_KEY"}, "", false);
    c.s3.secret_key = env.Secret({"S3_SECRET_KEY", "MINIO_SECRET_KEY"}, "", false);
    if (s3 && (c.s3.access_key.empty() || c.s3.secret_key.empty())) {
        env.AddError(
            "S3_ACCESS_KEY and S3_SECRET_KEY (or MINIO_ACCESS_KEY, MINIO_SECRET_KEY) are required "
            "with STORAGE_BACKEND=s3");
    }
    c.s3.ca_file = env.String({"S3_CA_FILE"}, "");
    c.s3.spool_dir = env.String({"S3_SPOOL_DIR"}, "/tmp");
    if (c.s3.spool_dir.empty()) {
        env.AddError("S3_SPOOL_DIR must not be empty");
    }
    return c;
}

absl::StatusOr<std::unique_ptr<ObjectStore>> Open(const Config& config, core::Clock& clock) {
    if (config.backend == Backend::kDisk) {
        auto disk = DiskObjectStore::Open(config.disk);
        if (!disk.ok()) {
            return disk.status();
        }
        return std::unique_ptr<ObjectStore>(std::move(*disk));
    }
    auto s3 = std::make_unique<S3ObjectStore>(config.s3, clock);
    if (absl::Status s = s3->EnsureBucket(); !s.ok()) {
        return s;
    }
    return std::unique_ptr<ObjectStore>(std::move(s3));
}

}  // namespace hatongsu::storage
