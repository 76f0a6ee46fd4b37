#include "hatongsu/net/file_reply.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>

#include <absl/status/status.h>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hatongsu/core/text.h"

namespace hatongsu::net {
namespace {

namespace http = boost::beast::http;

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// Decimal digits only (at least one); saturates at the maximum instead of overflowing.
std::optional<std::uint64_t> ParseDecimal(std::string_view s) {
    if (s.empty()) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    for (char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        auto d = static_cast<std::uint64_t>(c - '0');
        v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
    }
    return v;
}

// The opaque part of an entity tag (`W/"x"` and `"x"` both give `x`), or nullopt when malformed.
// `text` is advanced past the tag.
std::optional<std::string_view> NextETag(std::string_view& text, bool& weak) {
    text = Trim(text);
    weak = text.starts_with("W/");
    if (weak) {
        text.remove_prefix(2);
    }
    if (text.empty() || text.front() != '"') {
        return std::nullopt;
    }
    std::size_t close = text.find('"', 1);
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view tag = text.substr(1, close - 1);
    text.remove_prefix(close + 1);
    return tag;
}

}  // namespace

absl::StatusOr<FileReply> OpenFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR) {
            return absl::NotFoundError("no such file");
        }
        if (e == EACCES) {
            return absl::PermissionDeniedError("file not readable");
        }
        return absl::InternalError("cannot open file: " + std::to_string(e));
    }
    FileReply reply;
    reply.file.native_handle(fd);  // owns it from here
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return absl::InternalError("cannot stat file");
    }
    if (!S_ISREG(st.st_mode)) {
        return absl::NotFoundError("not a regular file");
    }
    reply.size = static_cast<std::uint64_t>(st.st_size);
    reply.modified = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    return reply;
}

std::string ContentTypeFor(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kTypes{{
        {"html", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"txt", "text/plain; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"webp", "image/webp"},
        {"gif", "image/gif"},
        {"heic", "image/heic"},
        {"avif", "image/avif"},
        {"ico", "image/x-icon"},
        {"woff2", "font/woff2"},
        {"woff", "font/woff"},
        {"ttf", "font/ttf"},
        {"wasm", "application/wasm"},
        {"glb", "model/gltf-binary"},
        {"gltf", "model/gltf+json"},
    }};
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos || name.find('/', dot) != std::string_view::npos) {
        return "application/octet-stream";
    }
    std::string ext = core::AsciiLower(name.substr(dot + 1));
    for (const auto& [known, type] : kTypes) {
        if (ext == known) {
            return std::string(type);
        }
    }
    return "application/octet-stream";
}

std::string DefaultETag(std::uint64_t size, std::chrono::system_clock::time_point modified) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(modified.time_since_epoch());
    std::array<char, 64> buf{};
    std::snprintf(
        buf.data(), buf.size(), "\"%llx-%llx\"", static_cast<unsigned long long>(size),
        static_cast<unsigned long long>(ns.count()));
    return buf.data();
}

std::string HttpDate(std::chrono::system_clock::time_point when) {
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                         "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t t =
        std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    std::array<char, 64> buf{};
    std::snprintf(
        buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
        kDays[static_cast<std::size_t>(tm.tm_wday % 7)], tm.tm_mday,
        kMonths[static_cast<std::size_t>(tm.tm_mon % 12)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
        tm.tm_sec);
    return buf.data();
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
    if (Trim(header) == "*") {
        return true;
    }
    bool ours_weak = false;
    std::optional<std::string_view> ours = NextETag(etag, ours_weak);
    if (!ours) {
        return false;
    }
    for (;;) {
        bool weak = false;
        std::optional<std::string_view> tag = NextETag(header, weak);
        if (!tag) {
            return false;
        }
        if (*tag == *ours) {
            return true;
        }
        header = Trim(header);
        if (header.empty() || header.front() != ',') {
            return false;
        }
        header.remove_prefix(1);
    }
}

FilePlan PlanFileResponse(
    const http::request_header<>& request,
    std::uint64_t size,
    std::string_view etag,
    std::string_view last_modified) {
    const FilePlan full{http::status::ok, 0, size};
    if (auto it = request.find(http::field::if_none_match); it != request.end()) {
        if (IfNoneMatchMatches(it->value(), etag)) {
            return FilePlan{http::status::not_modified, 0, 0};
        }
    }
    auto range_it = request.find(http::field::range);
    if (request.method() != http::verb::get || range_it == request.end()) {
        return full;
    }
    // If-Range: the range only holds for the representation the client already has.
    if (auto it = request.find(http::field::if_range); it != request.end()) {
        std::string_view condition = Trim(it->value());
        if (condition.starts_with('"') || condition.starts_with("W/")) {
            bool weak = false;
            std::string_view rest = condition;
            std::optional<std::string_view> tag = NextETag(rest, weak);
            bool ours_weak = false;
            std::string_view ours_text = etag;
            std::optional<std::string_view> ours = NextETag(ours_text, ours_weak);
            if (!tag || !ours || weak || ours_weak || *tag != *ours) {
                return full;
            }
        } else if (condition != last_modified) {
            return full;
        }
    }
    std::string_view spec = Trim(range_it->value());
    if (spec.size() < 6 || !core::EqualsIgnoreCase(spec.substr(0, 6), "bytes=")) {
        return full;  // another unit: ignored
    }
    spec = Trim(spec.substr(6));
    if (spec.find(',') != std::string_view::npos) {
        return full;  // several ranges: the whole file is a valid answer
    }
    const FilePlan unsatisfiable{http::status::range_not_satisfiable, 0, 0};
    std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) {
        return full;
    }
    std::string_view first_text = Trim(spec.substr(0, dash));
    std::string_view last_text = Trim(spec.substr(dash + 1));
    if (first_text.empty()) {  // bytes=-n: the last n bytes
        std::optional<std::uint64_t> n = ParseDecimal(last_text);
        if (!n) {
            return full;
        }
        if (*n == 0 || size == 0) {
            return unsatisfiable;
        }
        std::uint64_t length = std::min(*n, size);
        return FilePlan{http::status::partial_content, size - length, length};
    }
    std::optional<std::uint64_t> first = ParseDecimal(first_text);
    std::optional<std::uint64_t> last =
        last_text.empty() ? std::optional<std::uint64_t>(std::numeric_limits<std::uint64_t>::max())
                          : ParseDecimal(last_text);
    if (!first || !last || *last < *first) {
        return full;  // not a valid range-spec: ignored (RFC 9110 14.2)
    }
    if (*first >= size) {
        return unsatisfiable;
    }
    std::uint64_t end = std::min(*last, size - 1);
    return FilePlan{http::status::partial_content, *first, end - *first + 1};
}

}  // namespace hatongsu::net
