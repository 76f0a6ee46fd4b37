// File: a push-style, incremental multipart/form-data parser (RFC 7578, RFC 2046 section 5.1).
// Feed it the body in pieces of any size (one byte at a time works); it reports parts as events
// and never holds a part's data: at most the delimiter's length of data is held back (as a
// partial match, kept implicitly), plus one part's header block (bounded). Needs only the
// standard library and absl::Status, so it also builds alone for fuzzing.
//
//   auto boundary = net::MultipartBoundary(ctx.request[http::field::content_type]);
//   if (!boundary.ok()) ...;                                // 400
//   net::MultipartParser parser(*boundary);
//   for (bool done = false; !done;) {
//       auto event = parser.Next();
//       if (!event.ok()) ...;                               // 400 with event.status().message()
//       switch (*event) {
//           case Event::kNeedMore: {                        // feed the next piece of the body
//               auto piece = co_await ctx.body->ReadSome(64 * 1024);
//               if (!piece.ok()) ...;
//               if (piece->empty()) parser.FinishInput(); else parser.Feed(*piece);
//               break;
//           }
//           case Event::kPartBegin: parser.Part().name, .filename, .content_type ...; break;
//           case Event::kPartData:  write parser.Data() ...; break;
//           case Event::kPartEnd:   commit the part ...; break;
//           case Event::kEnd:       done = true; break;  // the epilogue is ignored
//       }
//   }
//
// Not thread-safe; one parser per body.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

namespace hatongsu::net {

// The boundary of a `multipart/form-data` Content-Type value (quoted or not; 1-70 characters of
// RFC 2046's bchars, not ending in a space). Errors: InvalidArgument (another media type, no
// boundary, an invalid one).
absl::StatusOr<std::string> MultipartBoundary(std::string_view content_type);

struct MultipartLimits {
    std::size_t max_header_bytes = 8 * 1024;  // one part's header block, without its blank line
    std::size_t max_parts = 1000;
};

struct MultipartPart {
    std::string name;  // Content-Disposition `name` (required), valid UTF-8, no control characters
    // Content-Disposition `filename*` (RFC 5987: UTF-8 or ISO-8859-1, percent-encoded) when
    // present and decodable, else `filename`, its bytes read as UTF-8 (invalid sequences become
    // U+FFFD). Only the last path segment is kept (after the last '/' or '\'); "." and ".." become
    // "". Control characters (C0, DEL, C1) are refused. nullopt: a plain field (no filename).
    std::optional<std::string> filename;
    std::string content_type;  // as sent, trimmed; empty when absent (text/plain, RFC 7578)
};

class MultipartParser final {
public:
    enum class Event {
        kNeedMore,   // Feed() the next bytes, or FinishInput() at the end of the body
        kPartBegin,  // Part() holds the new part's headers
        kPartData,   // Data() holds the next bytes of the current part
        kPartEnd,    // the current part is complete
        kEnd,        // the closing delimiter was read; every later call returns kEnd again
    };

    // An invalid boundary is reported by the first Next().
    explicit MultipartParser(std::string_view boundary, MultipartLimits limits = {});

    // The next bytes of the body. Call only after Next() returned kNeedMore; `bytes` must stay
    // valid until Next() returns kNeedMore again (Data() may point into them).
    void Feed(std::string_view bytes);
    // The body has ended: no more Feed().
    void FinishInput();

    // Errors (all InvalidArgument, and every later call returns the same one): invalid boundary,
    // the body ends before the closing delimiter, a malformed delimiter line, a malformed header
    // line, a part without `Content-Disposition: form-data` or without a name, a control
    // character in a filename, a header block over max_header_bytes, more than max_parts parts,
    // Feed() before the previous bytes were used up.
    absl::StatusOr<Event> Next();

    const MultipartPart& Part() const { return part_; }
    // Valid until the next call to Next() or Feed().
    std::string_view Data() const { return data_; }
    std::size_t PartCount() const { return parts_; }

private:
    enum class State { kPreamble, kDelimiterLine, kHeaders, kBody, kEnd };

    absl::StatusOr<Event> Step();
    absl::Status Fail(std::string message);
    // Matches "\r\n--boundary" across Feed() calls; sets data_ to bytes known not to be part of a
    // delimiter. True when a whole delimiter was consumed.
    bool ScanForDelimiter();
    absl::Status ParseHeaders(std::string_view block);

    std::string delimiter_;  // "\r\n--" + boundary
    MultipartLimits limits_;
    State state_ = State::kPreamble;
    std::string_view in_;      // unconsumed input
    bool finished_ = false;    // FinishInput() was called
    std::size_t matched_ = 2;  // bytes of delimiter_ matched so far (the body starts as after CRLF)
    std::string line_;         // the rest of a delimiter line (padding, "--")
    std::string header_;       // the header block being collected, after a leading CRLF
    bool in_part_ = false;
    std::size_t parts_ = 0;
    MultipartPart part_;
    std::string_view data_;
    absl::Status error_;
};

}  // namespace hatongsu::net
