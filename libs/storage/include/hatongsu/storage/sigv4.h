// AWS Signature Version 4 query signing (presigned URLs) and the URI encoding S3 expects. Written
// here rather than taken from libcurl, which only signs requests it sends itself. Pure functions,
// safe from any thread.
//
//   std::string url = PresignUrl({.scheme = "https", .host = "s3.example.com", .path = "/b/k.jpg",
//                                 .region = "us-east-1", .access_key = ak, .secret_key = sk,
//                                 .signing_time = day_start, .expires = std::chrono::days(7)});
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace hatongsu::storage {

// RFC 3986 percent-encoding as SigV4 defines it: A-Z a-z 0-9 - . _ ~ stay as they are, every other
// byte becomes %XX with upper-case hex; '/' is kept when keep_slash (paths), encoded otherwise
// (query values).
std::string UriEncode(std::string_view text, bool keep_slash);

struct PresignRequest {
    std::string method = "GET";
    std::string scheme = "https";
    std::string host{};  // as the client sends it in Host: "name" or "name:port" (non-default port)
    std::string path{};  // already URI-encoded, starting with '/': "/bucket/key"
    std::string region = "us-east-1";
    std::string service = "s3";
    std::string access_key{};
    std::string secret_key{};
    std::chrono::system_clock::time_point signing_time{};  // whole seconds are used
    std::chrono::seconds expires{3600};                    // S3 accepts 1..604800
};

// scheme://host/path?X-Amz-Algorithm=...&X-Amz-Signature=<64 hex>, signing only the host header
// and leaving the payload unsigned, as S3 does for presigned GETs.
std::string PresignUrl(const PresignRequest& request);

}  // namespace hatongsu::storage
