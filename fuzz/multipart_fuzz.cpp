// libFuzzer target for the multipart parser (libs/net/src/multipart.cpp). The input's first line
// is a Content-Type value (the boundary is taken from it, else "XyZ"); the rest is the body. The
// body is parsed whole, in two pieces cut at data-derived offsets, and (when small) one byte at a
// time: all three must give the same events and the same verdict, and every event must keep the
// parser's promises (order, no more data out than in, clean filenames, bounded parts).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "hatongsu/core/text.h"
#include "hatongsu/net/multipart.h"

namespace {

using hatongsu::net::MultipartLimits;
using hatongsu::net::MultipartParser;
using Event = MultipartParser::Event;

struct Outcome {
    std::string error;  // empty: parsed to the closing delimiter
    std::vector<std::string> events;
    bool operator==(const Outcome&) const = default;
};

void Check(bool condition) {
    if (!condition) {
        __builtin_trap();
    }
}

Outcome Run(
    std::string_view boundary,
    std::string_view body,
    const std::vector<std::size_t>& cuts,
    const MultipartLimits& limits) {
    std::vector<std::string_view> pieces;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        pieces.push_back(body.substr(from, cut - from));
        from = cut;
    }
    pieces.push_back(body.substr(from));
    MultipartParser parser(boundary, limits);
    Outcome out;
    std::string data;
    std::size_t data_bytes = 0;
    std::size_t next = 0;
    bool in_part = false;
    // Each call either consumes input or emits an event, so this bound is never reached.
    for (std::size_t steps = 0; steps < 4 * body.size() + 4 * pieces.size() + 16; ++steps) {
        auto event = parser.Next();
        if (!event.ok()) {
            Check(event.status().code() == absl::StatusCode::kInvalidArgument);
            out.error = std::string(event.status().message());
            return out;
        }
        switch (*event) {
            case Event::kNeedMore:
                if (next < pieces.size()) {
                    parser.Feed(pieces[next++]);
                } else {
                    parser.FinishInput();
                }
                break;
            case Event::kPartBegin: {
                Check(!in_part);
                in_part = true;
                Check(parser.PartCount() <= limits.max_parts);
                const auto& part = parser.Part();
                Check(hatongsu::core::IsValidUtf8(part.name));
                if (part.filename) {
                    const std::string& f = *part.filename;
                    Check(hatongsu::core::IsValidUtf8(f));
                    Check(!hatongsu::core::HasControlCharacters(f));
                    Check(f.find('/') == std::string::npos && f.find('\\') == std::string::npos);
                    Check(f != "." && f != "..");
                }
                out.events.push_back(
                    "begin " + part.name + "|" + part.filename.value_or("-") + "|" +
                    part.content_type);
                data.clear();
                break;
            }
            case Event::kPartData:
                Check(in_part);
                Check(!parser.Data().empty());
                data_bytes += parser.Data().size();
                Check(data_bytes <= body.size());
                data += parser.Data();
                break;
            case Event::kPartEnd:
                Check(in_part);
                in_part = false;
                out.events.push_back("data " + data);
                break;
            case Event::kEnd:
                Check(!in_part);
                out.events.push_back("end");
                // Terminal: asked again, it says the same.
                Check(parser.Next().ok() && *parser.Next() == Event::kEnd);
                return out;
        }
    }
    Check(false);  // no progress
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(bytes), size);
    std::size_t newline = input.find('\n');
    std::string_view content_type =
        newline == std::string_view::npos ? std::string_view{} : input.substr(0, newline);
    std::string_view body = newline == std::string_view::npos ? input : input.substr(newline + 1);
    auto boundary = hatongsu::net::MultipartBoundary(content_type);
    const std::string b = boundary.ok() ? *boundary : "XyZ";
    MultipartLimits limits;
    limits.max_header_bytes = 256;  // small, so that the limits are reached too
    limits.max_parts = 8;

    const Outcome whole = Run(b, body, {}, limits);

    std::uint32_t h = 2166136261u;
    for (char c : input) {
        h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    }
    std::size_t c1 = h % (body.size() + 1);
    std::size_t c2 = (h >> 13) % (body.size() + 1);
    Check(Run(b, body, {std::min(c1, c2), std::max(c1, c2)}, limits) == whole);

    if (body.size() <= 2048) {
        std::vector<std::size_t> every;
        for (std::size_t i = 1; i < body.size(); ++i) {
            every.push_back(i);
        }
        Check(Run(b, body, every, limits) == whole);
    }
    return 0;
}
