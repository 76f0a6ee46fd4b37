// File: answering a request with a file. A handler opens the file (OpenFile) and returns the
// FileReply; the server then adds ETag, Last-Modified, Accept-Ranges and the handler's
// Cache-Control, answers If-None-Match (304), a single Range (206, or 416 when unsatisfiable;
// several ranges get the whole file), If-Range and HEAD, and streams the bytes in 64 KiB pieces
// (blocking reads on the I/O thread: meant for local disk).
//
//   auto file = net::OpenFile(root + "/" + key);
//   if (!file.ok()) co_return net::Reply{net::ErrorFromStatus(ctx, file.status())};
//   file->content_type = "image/webp";
//   file->cache_control = "public, max-age=31536000, immutable";
//   co_return net::Reply{std::move(*file)};
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>
#include <boost/beast/core/file.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>

namespace hatongsu::net {

struct FileReply {
    boost::beast::file file;  // open for reading
    std::uint64_t size = 0;
    std::chrono::system_clock::time_point modified{};
    std::string content_type = "application/octet-stream";
    std::string cache_control;  // sent as it is; empty: no Cache-Control header
    std::string etag;           // a strong ETag with its quotes; empty: DefaultETag(size, modified)
};

// Opens a regular file for a FileReply, with its size and modification time.
// Errors: NotFound (absent, or not a regular file), PermissionDenied, Internal.
absl::StatusOr<FileReply> OpenFile(const std::string& path);

// The media type for a file name's extension (case-insensitive), with charset=utf-8 for text
// types; application/octet-stream when unknown.
std::string ContentTypeFor(std::string_view name);

// `"<size hex>-<mtime ns hex>"`: changes whenever the file is replaced or rewritten.
std::string DefaultETag(std::uint64_t size, std::chrono::system_clock::time_point modified);
// IMF-fixdate (RFC 9110 5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::chrono::system_clock::time_point when);

// What to send for a GET or HEAD of a file, from the request's conditional and Range headers.
struct FilePlan {
    boost::beast::http::status status = boost::beast::http::status::ok;  // 200, 206, 304 or 416
    std::uint64_t offset = 0;                                            // first byte to send (206)
    std::uint64_t length = 0;  // bytes to send (the whole file for 200)
};
FilePlan PlanFileResponse(
    const boost::beast::http::request_header<>& request,
    std::uint64_t size,
    std::string_view etag,
    std::string_view last_modified);

// If-None-Match semantics (weak comparison): `*`, or any entity tag of the comma-separated list
// equal to `etag` once `W/` is ignored on both sides.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

}  // namespace hatongsu::net
