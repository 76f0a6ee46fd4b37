#include "hatongsu/net/multipart.h"

#include <cstdint>
#include <map>
#include <vector>

#include "hatongsu/core/text.h"

namespace hatongsu::net {
namespace {

constexpr std::size_t kMaxBoundary = 70;        // RFC 2046 5.1.1
constexpr std::size_t kMaxDelimiterLine = 256;  // transport padding after a delimiter

std::string_view TrimLws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool IsBoundaryChar(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

bool IsValidBoundary(std::string_view b) {
    if (b.empty() || b.size() > kMaxBoundary || b.back() == ' ') {
        return false;
    }
    for (char c : b) {
        if (!IsBoundaryChar(c)) {
            return false;
        }
    }
    return true;
}

bool IsTokenChar(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) {
        return false;
    }
    return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

// `type; a=b; c="d"`: the type (trimmed) and the parameters (names lower-cased, the first of a
// repeated name wins). nullopt when malformed. Inside quotes, only \" and \\ are escapes: other
// backslashes stay (browsers send Windows paths unescaped).
struct HeaderValue {
    std::string_view type;
    std::map<std::string, std::string> params;
};
std::optional<HeaderValue> ParseHeaderValue(std::string_view value) {
    HeaderValue out;
    std::size_t semi = value.find(';');
    out.type = TrimLws(value.substr(0, semi));
    std::string_view rest =
        semi == std::string_view::npos ? std::string_view{} : value.substr(semi);
    for (;;) {
        rest = TrimLws(rest);
        if (rest.empty()) {
            return out;
        }
        if (rest.front() != ';') {
            return std::nullopt;
        }
        rest = TrimLws(rest.substr(1));
        if (rest.empty()) {
            return out;  // a trailing ';'
        }
        std::size_t name_end = 0;
        while (name_end < rest.size() && IsTokenChar(rest[name_end])) {
            ++name_end;
        }
        if (name_end == 0) {
            return std::nullopt;
        }
        std::string name = core::AsciiLower(rest.substr(0, name_end));
        rest = TrimLws(rest.substr(name_end));
        if (rest.empty() || rest.front() != '=') {
            return std::nullopt;
        }
        rest = TrimLws(rest.substr(1));
        std::string v;
        if (!rest.empty() && rest.front() == '"') {
            std::size_t i = 1;
            bool closed = false;
            while (i < rest.size()) {
                char c = rest[i];
                if (c == '\\' && i + 1 < rest.size() &&
                    (rest[i + 1] == '"' || rest[i + 1] == '\\')) {
                    v += rest[i + 1];
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                v += c;
                ++i;
            }
            if (!closed) {
                return std::nullopt;
            }
            rest = rest.substr(i);
        } else {
            std::size_t end = rest.find(';');
            v = std::string(TrimLws(rest.substr(0, end)));
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
        }
        out.params.emplace(std::move(name), std::move(v));
    }
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Strict UTF-8 with every invalid byte replaced by U+FFFD.
std::string RepairUtf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        auto b = static_cast<unsigned char>(in[i]);
        std::size_t len = b < 0x80             ? 1
                          : (b & 0xE0) == 0xC0 ? 2
                          : (b & 0xF0) == 0xE0 ? 3
                          : (b & 0xF8) == 0xF0 ? 4
                                               : 0;
        if (len > 0 && i + len <= in.size() && core::IsValidUtf8(in.substr(i, len))) {
            out.append(in.substr(i, len));
            i += len;
        } else {
            AppendUtf8(out, 0xFFFD);
            ++i;
        }
    }
    return out;
}

// C0 controls, DEL, and C1 controls (U+0080-U+009F) in valid UTF-8.
bool HasAnyControl(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x20 || b == 0x7F) {
            return true;
        }
        if (b == 0xC2 && i + 1 < s.size()) {
            auto n = static_cast<unsigned char>(s[i + 1]);
            if (n >= 0x80 && n <= 0x9F) {
                return true;
            }
        }
    }
    return false;
}

// RFC 5987 ext-value `charset'language'pct-encoded` as UTF-8, or nullopt (unknown charset, bad
// escape): then the plain filename is used.
std::optional<std::string> DecodeExtValue(std::string_view v) {
    std::size_t q1 = v.find('\'');
    if (q1 == std::string_view::npos) {
        return std::nullopt;
    }
    std::size_t q2 = v.find('\'', q1 + 1);
    if (q2 == std::string_view::npos) {
        return std::nullopt;
    }
    std::string charset = core::AsciiLower(v.substr(0, q1));
    std::string_view encoded = v.substr(q2 + 1);
    std::string bytes;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '%') {
            if (i + 2 >= encoded.size()) {
                return std::nullopt;
            }
            int hi = core::HexDigitValue(encoded[i + 1]);
            int lo = core::HexDigitValue(encoded[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            bytes += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            bytes += encoded[i];
        }
    }
    if (charset == "utf-8") {
        return RepairUtf8(bytes);
    }
    if (charset == "iso-8859-1") {
        std::string out;
        for (char c : bytes) {
            AppendUtf8(out, static_cast<unsigned char>(c));
        }
        return out;
    }
    return std::nullopt;
}

// The last path segment of a client filename ("C:\x\a.jpg" and "../a.jpg" give "a.jpg").
std::string BaseName(std::string_view name) {
    std::size_t cut = name.find_last_of("/\\");
    std::string_view base = cut == std::string_view::npos ? name : name.substr(cut + 1);
    if (base == "." || base == "..") {
        return "";
    }
    return std::string(base);
}

}  // namespace

absl::StatusOr<std::string> MultipartBoundary(std::string_view content_type) {
    std::optional<HeaderValue> value = ParseHeaderValue(content_type);
    if (!value || !core::EqualsIgnoreCase(value->type, "multipart/form-data")) {
        return absl::InvalidArgumentError("Content-Type is not multipart/form-data");
    }
    auto it = value->params.find("boundary");
    if (it == value->params.end()) {
        return absl::InvalidArgumentError("multipart boundary missing");
    }
    if (!IsValidBoundary(it->second)) {
        return absl::InvalidArgumentError("invalid multipart boundary");
    }
    return it->second;
}

MultipartParser::MultipartParser(std::string_view boundary, MultipartLimits limits)
    : delimiter_("\r\n--" + std::string(boundary)), limits_(limits) {
    if (!IsValidBoundary(boundary)) {
        error_ = absl::InvalidArgumentError("invalid multipart boundary");
    }
}

void MultipartParser::Feed(std::string_view bytes) {
    if (error_.ok() && finished_) {
        error_ = absl::InvalidArgumentError("multipart input fed after its end");
    }
    if (error_.ok() && !in_.empty()) {
        error_ = absl::InvalidArgumentError("multipart input fed before the previous was used");
    }
    in_ = bytes;
}

void MultipartParser::FinishInput() {
    finished_ = true;
}

absl::Status MultipartParser::Fail(std::string message) {
    error_ = absl::InvalidArgumentError(std::move(message));
    return error_;
}

absl::StatusOr<MultipartParser::Event> MultipartParser::Next() {
    if (!error_.ok()) {
        return error_;
    }
    data_ = {};
    return Step();
}

bool MultipartParser::ScanForDelimiter() {
    const std::string_view delimiter = delimiter_;
    if (matched_ > 0) {  // a delimiter may have begun in earlier input
        while (matched_ < delimiter.size() && !in_.empty() && in_.front() == delimiter[matched_]) {
            ++matched_;
            in_.remove_prefix(1);
        }
        if (matched_ == delimiter.size()) {
            matched_ = 0;
            return true;
        }
        if (!in_.empty()) {  // it did not: the bytes held back were data
            data_ = delimiter.substr(0, matched_);
            matched_ = 0;
        }
        return false;
    }
    std::size_t at = in_.find(delimiter);
    if (at == 0) {
        in_.remove_prefix(delimiter.size());
        return true;
    }
    if (at != std::string_view::npos) {
        data_ = in_.substr(0, at);
        in_.remove_prefix(at);
        return false;
    }
    // No whole delimiter: hold back a tail that may be the start of one. '\r' occurs in the
    // delimiter only at its start, so the first candidate is the only one.
    std::size_t from = in_.size() >= delimiter.size() ? in_.size() - delimiter.size() + 1 : 0;
    std::size_t tail = in_.find('\r', from);
    while (tail != std::string_view::npos && !delimiter.starts_with(in_.substr(tail))) {
        tail = in_.find('\r', tail + 1);
    }
    if (tail == std::string_view::npos) {
        data_ = in_;
        in_ = {};
        return false;
    }
    data_ = in_.substr(0, tail);
    matched_ = in_.size() - tail;
    in_ = {};
    return false;
}

absl::Status MultipartParser::ParseHeaders(std::string_view block) {
    part_ = MultipartPart{};
    bool have_disposition = false;
    while (!block.empty()) {
        std::size_t eol = block.find("\r\n");
        std::string_view line = block.substr(0, eol);
        block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
        for (char c : line) {
            auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7F) {
                return Fail("malformed part header line");
            }
        }
        std::size_t colon = line.find(':');
        if (line.empty() || line.front() == ' ' || line.front() == '\t' ||
            colon == std::string_view::npos || colon == 0) {
            return Fail("malformed part header line");  // obsolete line folding included
        }
        std::string_view name = line.substr(0, colon);
        for (char c : name) {
            if (!IsTokenChar(c)) {
                return Fail("malformed part header line");
            }
        }
        std::string_view value = TrimLws(line.substr(colon + 1));
        if (core::EqualsIgnoreCase(name, "content-type")) {
            part_.content_type = std::string(value);
            continue;
        }
        if (!core::EqualsIgnoreCase(name, "content-disposition")) {
            continue;
        }
        if (have_disposition) {
            return Fail("malformed part header line: Content-Disposition repeated");
        }
        have_disposition = true;
        std::optional<HeaderValue> disposition = ParseHeaderValue(value);
        if (!disposition) {
            return Fail("malformed part header line: Content-Disposition");
        }
        if (!core::EqualsIgnoreCase(disposition->type, "form-data")) {
            return Fail("part without Content-Disposition: form-data");
        }
        auto field = disposition->params.find("name");
        if (field == disposition->params.end()) {
            return Fail("part without a name");
        }
        part_.name = RepairUtf8(field->second);
        if (HasAnyControl(part_.name)) {
            return Fail("control characters in a part name");
        }
        std::optional<std::string> filename;
        if (auto ext = disposition->params.find("filename*"); ext != disposition->params.end()) {
            filename = DecodeExtValue(ext->second);
        }
        if (auto plain = disposition->params.find("filename");
            !filename && plain != disposition->params.end()) {
            filename = RepairUtf8(plain->second);
        }
        if (filename) {
            if (HasAnyControl(*filename)) {
                return Fail("control characters in a filename");
            }
            part_.filename = BaseName(*filename);
        }
    }
    if (!have_disposition) {
        return Fail("part without Content-Disposition: form-data");
    }
    return absl::OkStatus();
}

absl::StatusOr<MultipartParser::Event> MultipartParser::Step() {
    for (;;) {
        if (state_ == State::kEnd) {
            in_ = {};  // the epilogue
            return Event::kEnd;
        }
        if (in_.empty()) {
            if (finished_) {
                return Fail("multipart body ended before the closing delimiter");
            }
            return Event::kNeedMore;
        }
        switch (state_) {
            case State::kPreamble:
            case State::kBody: {
                bool found = ScanForDelimiter();
                if (found) {
                    state_ = State::kDelimiterLine;
                    line_.clear();
                    if (in_part_) {
                        in_part_ = false;
                        return Event::kPartEnd;
                    }
                    continue;
                }
                if (state_ == State::kBody && !data_.empty()) {
                    return Event::kPartData;
                }
                data_ = {};  // the preamble
                continue;
            }
            case State::kDelimiterLine: {
                char c = in_.front();
                in_.remove_prefix(1);
                line_ += c;
                if (line_ == "-") {
                    continue;
                }
                if (line_ == "--") {
                    state_ = State::kEnd;
                    return Event::kEnd;
                }
                if (line_.front() == '-') {
                    return Fail("malformed multipart delimiter line");
                }
                bool after_cr = line_.size() >= 2 && line_[line_.size() - 2] == '\r';
                if (c == '\n' && after_cr) {
                    if (++parts_ > limits_.max_parts) {
                        return Fail("too many multipart parts");
                    }
                    state_ = State::kHeaders;
                    header_ = "\r\n";
                    continue;
                }
                if (after_cr || line_.size() > kMaxDelimiterLine ||
                    (c != ' ' && c != '\t' && c != '\r')) {
                    return Fail("malformed multipart delimiter line");
                }
                continue;
            }
            case State::kHeaders: {
                // header_ is "\r\n" + the block so far; it ends at the first "\r\n\r\n".
                const std::size_t cap = limits_.max_header_bytes + 6;
                const std::size_t old = header_.size();
                const std::size_t take = std::min(in_.size(), cap - old);
                header_.append(in_.data(), take);
                std::size_t end = header_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
                if (end == std::string::npos) {
                    in_.remove_prefix(take);
                    if (header_.size() >= cap) {
                        return Fail("multipart part headers too large");
                    }
                    continue;
                }
                // Found within the cap, so the block is at most max_header_bytes long.
                in_.remove_prefix(end + 4 - old);
                std::string_view block =
                    end >= 2 ? std::string_view(header_).substr(2, end - 2) : std::string_view{};
                absl::Status parsed = ParseHeaders(block);
                if (!parsed.ok()) {
                    return parsed;
                }
                state_ = State::kBody;
                in_part_ = true;
                return Event::kPartBegin;
            }
            case State::kEnd:
                break;
        }
    }
}

}  // namespace hatongsu::net
