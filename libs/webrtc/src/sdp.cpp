#include "hatongsu/webrtc/sdp.h"

#include <charconv>
#include <vector>

#include <absl/status/status.h>

namespace hatongsu::webrtc {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// Debian's Abseil has its own string_view type, so the few string helpers are local.
bool IsAlnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char ToLower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        if (ToLower(a[i]) != ToLower(b[i])) {
            return false;
        }
    }
    return true;
}

template <typename T>
bool ParseUnsigned(std::string_view s, T& out) {
    if (s.empty()) {
        return false;
    }
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string_view> SplitFields(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const size_t at = s.find(sep);
        std::string_view field = s.substr(0, at);
        if (!field.empty()) {
            out.push_back(field);
        }
        if (at == std::string_view::npos) {
            break;
        }
        s.remove_prefix(at + 1);
    }
    return out;
}

void Append(std::string& out, std::initializer_list<std::string_view> parts) {
    for (std::string_view p : parts) {
        out.append(p);
    }
}

std::string_view SetupName(DtlsSetup setup) {
    switch (setup) {
        case DtlsSetup::kActpass:
            return "actpass";
        case DtlsSetup::kActive:
            return "active";
        case DtlsSetup::kPassive:
            return "passive";
    }
    return "actpass";
}

// RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/".
bool IsIceChars(std::string_view s) {
    for (char c : s) {
        if (!IsAlnum(c) && c != '+' && c != '/') {
            return false;
        }
    }
    return true;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = ToLower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

absl::StatusOr<Sha256Fingerprint> ParseFingerprintHex(std::string_view hex) {
    Sha256Fingerprint out{};
    if (hex.size() != out.size() * 3 - 1) {
        return absl::InvalidArgumentError("sdp: sha-256 fingerprint has the wrong length");
    }
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = HexDigit(hex[i * 3]);
        const int lo = HexDigit(hex[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i + 1 < out.size() && hex[i * 3 + 2] != ':')) {
            return absl::InvalidArgumentError("sdp: fingerprint is not colon-separated hex");
        }
        out[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return out;
}

// "a=candidate:<foundation> <component> <transport> <priority> <ip> <port> typ <type> ..."
std::optional<RemoteCandidate> ParseCandidate(std::string_view value) {
    std::vector<std::string_view> f = SplitFields(value, ' ');
    if (f.size() < 8 || f[1] != "1" || !EqualsIgnoreCase(f[2], "udp") || f[6] != "typ") {
        return std::nullopt;
    }
    uint32_t port = 0;
    if (!ParseUnsigned(f[5], port) || port == 0 || port > 65535) {
        return std::nullopt;
    }
    const std::string_view ip = f[4];
    if (ip.empty() || ip.size() > 45 || ip.ends_with(".local")) {
        return std::nullopt;
    }
    for (char c : ip) {
        if (HexDigit(c) < 0 && c != '.' && c != ':') {
            return std::nullopt;
        }
    }
    return RemoteCandidate{std::string(ip), static_cast<uint16_t>(port)};
}

}  // namespace

std::string FormatFingerprint(const Sha256Fingerprint& fingerprint) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (size_t i = 0; i < fingerprint.size(); ++i) {
        if (i > 0) {
            out.push_back(':');
        }
        out.push_back(kHex[fingerprint[i] >> 4]);
        out.push_back(kHex[fingerprint[i] & 0xf]);
    }
    return out;
}

std::string CandidateAttribute(std::string_view ip, uint16_t port) {
    std::string out = "candidate:1 1 udp 2130706431 ";
    Append(out, {ip, " ", std::to_string(port), " typ host"});
    return out;
}

std::string BuildDescription(const LocalDescription& d) {
    const bool v6 = d.candidate_ip.find(':') != std::string::npos;
    const std::string ip_family = v6 ? "IP6" : "IP4";
    std::string out;
    Append(out, {"v=0", kCrlf});
    Append(out, {"o=- ", std::to_string(d.session_id), " 2 IN IP4 127.0.0.1", kCrlf});
    Append(out, {"s=-", kCrlf, "t=0 0", kCrlf});
    Append(out, {"a=group:BUNDLE ", d.mid, kCrlf});
    if (d.ice_lite) {
        Append(out, {"a=ice-lite", kCrlf});
    }
    Append(out, {"a=msid-semantic:WMS *", kCrlf});
    if (d.candidate_ip.empty()) {
        Append(out, {"m=application 9 UDP/DTLS/SCTP webrtc-datachannel", kCrlf});
        Append(out, {"c=IN IP4 0.0.0.0", kCrlf});
    } else {
        Append(
            out, {"m=application ", std::to_string(d.candidate_port),
                  " UDP/DTLS/SCTP webrtc-datachannel", kCrlf});
        Append(out, {"c=IN ", ip_family, " ", d.candidate_ip, kCrlf});
    }
    Append(out, {"a=mid:", d.mid, kCrlf});
    Append(out, {"a=ice-ufrag:", d.ice_ufrag, kCrlf});
    Append(out, {"a=ice-pwd:", d.ice_pwd, kCrlf});
    Append(out, {"a=ice-options:trickle", kCrlf});
    Append(out, {"a=fingerprint:sha-256 ", FormatFingerprint(d.fingerprint), kCrlf});
    Append(out, {"a=setup:", SetupName(d.setup), kCrlf});
    Append(out, {"a=sctp-port:", std::to_string(d.sctp_port), kCrlf});
    Append(out, {"a=max-message-size:", std::to_string(d.max_message_size), kCrlf});
    if (!d.candidate_ip.empty()) {
        Append(out, {"a=", CandidateAttribute(d.candidate_ip, d.candidate_port), kCrlf});
        Append(out, {"a=end-of-candidates", kCrlf});
    }
    return out;
}

absl::StatusOr<RemoteDescription> ParseDescription(std::string_view sdp) {
    if (sdp.size() > kMaxSdpBytes) {
        return absl::InvalidArgumentError("sdp: description too large");
    }
    RemoteDescription out;
    bool has_ufrag = false;
    bool has_pwd = false;
    bool has_fingerprint = false;
    bool has_setup = false;
    int media_sections = 0;
    size_t lines = 0;
    for (std::string_view line : SplitFields(sdp, '\n')) {
        if (++lines > kMaxSdpLines) {
            return absl::InvalidArgumentError("sdp: too many lines");
        }
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.size() > kMaxSdpLineBytes) {
            return absl::InvalidArgumentError("sdp: line too long");
        }
        if (line.size() < 2 || line[1] != '=') {
            if (line.empty()) {
                continue;
            }
            return absl::InvalidArgumentError("sdp: line is not <type>=<value>");
        }
        const char kind = line[0];
        const std::string_view value = line.substr(2);
        if (kind == 'm') {
            ++media_sections;
            if (media_sections > 1) {
                return absl::InvalidArgumentError("sdp: more than one media section");
            }
            if (!value.starts_with("application ") ||
                value.find("webrtc-datachannel") == std::string_view::npos) {
                return absl::InvalidArgumentError("sdp: media section is not a data channel");
            }
            continue;
        }
        if (kind != 'a') {
            continue;
        }
        const size_t colon = value.find(':');
        const std::string_view name = value.substr(0, colon);
        const std::string_view arg =
            colon == std::string_view::npos ? std::string_view() : value.substr(colon + 1);
        if (name == "ice-ufrag") {
            if (arg.size() < 4 || arg.size() > 256 || !IsIceChars(arg)) {
                return absl::InvalidArgumentError("sdp: ice-ufrag must be 4-256 ICE characters");
            }
            out.ice_ufrag = std::string(arg);
            has_ufrag = true;
        } else if (name == "ice-pwd") {
            if (arg.size() < 22 || arg.size() > 256 || !IsIceChars(arg)) {
                return absl::InvalidArgumentError("sdp: ice-pwd must be 22-256 ICE characters");
            }
            out.ice_pwd = std::string(arg);
            has_pwd = true;
        } else if (name == "fingerprint") {
            const size_t space = arg.find(' ');
            if (space == std::string_view::npos) {
                return absl::InvalidArgumentError("sdp: fingerprint without a hash name");
            }
            if (!EqualsIgnoreCase(arg.substr(0, space), "sha-256")) {
                continue;  // another hash; a sha-256 one must also be present
            }
            auto fp = ParseFingerprintHex(arg.substr(space + 1));
            if (!fp.ok()) {
                return fp.status();
            }
            out.fingerprint = *fp;
            has_fingerprint = true;
        } else if (name == "setup") {
            if (arg == "active") {
                out.setup = DtlsSetup::kActive;
            } else if (arg == "passive") {
                out.setup = DtlsSetup::kPassive;
            } else if (arg == "actpass") {
                out.setup = DtlsSetup::kActpass;
            } else {
                return absl::InvalidArgumentError("sdp: setup must be active, passive or actpass");
            }
            has_setup = true;
        } else if (name == "mid") {
            if (arg.empty() || arg.size() > 32) {
                return absl::InvalidArgumentError("sdp: mid must be 1-32 characters");
            }
            out.mid = std::string(arg);
        } else if (name == "sctp-port") {
            uint32_t port = 0;
            if (!ParseUnsigned(arg, port) || port == 0 || port > 65535) {
                return absl::InvalidArgumentError("sdp: sctp-port must be 1-65535");
            }
            out.sctp_port = static_cast<uint16_t>(port);
        } else if (name == "max-message-size") {
            uint64_t size = 0;
            if (!ParseUnsigned(arg, size) || size > (uint64_t{1} << 40)) {
                return absl::InvalidArgumentError("sdp: max-message-size is not a number");
            }
            out.max_message_size = static_cast<size_t>(size);
        } else if (name == "ice-lite") {
            out.ice_lite = true;
        } else if (name == "candidate" && !out.candidate.has_value()) {
            out.candidate = ParseCandidate(arg);
        }
    }
    if (media_sections == 0) {
        return absl::InvalidArgumentError("sdp: no data channel media section");
    }
    if (!has_ufrag || !has_pwd) {
        return absl::InvalidArgumentError("sdp: missing a=ice-ufrag or a=ice-pwd");
    }
    if (!has_fingerprint) {
        return absl::InvalidArgumentError("sdp: missing a=fingerprint:sha-256");
    }
    if (!has_setup) {
        return absl::InvalidArgumentError("sdp: missing a=setup");
    }
    return out;
}

}  // namespace hatongsu::webrtc
