#include "services/user/domain/user.h"

#include <cctype>

#include "hatongsu/core/text.h"

namespace hatongsu::user {
namespace {

bool IsDomainLabel(std::string_view label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return false;
    }
    for (char c : label) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
            return false;
        }
    }
    return true;
}

std::size_t Utf8Length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
}

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F). Expects valid UTF-8.
bool HasControlCharacter(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto u = static_cast<unsigned char>(s[i]);
        if (u < 0x20 || u == 0x7F) {
            return true;
        }
        if (u == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
            return true;
        }
    }
    return false;
}

// Invisible and direction-changing characters (a right-to-left override makes "nimda" read as
// "admin"), line and paragraph separators, the byte-order mark. The text is valid UTF-8.
bool HasInvisibleOrBidiCharacter(std::string_view s) {
    for (std::size_t i = 0; i + 2 < s.size(); ++i) {
        auto b0 = static_cast<unsigned char>(s[i]);
        if ((b0 & 0xF0) != 0xE0) {
            continue;
        }
        unsigned cp = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                      (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
        bool bad = (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
                   (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
        if (bad) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::string_view RoleName(Role role) {
    return role == Role::kAdmin ? "admin" : "user";
}

std::optional<Role> ParseRole(std::string_view name) {
    if (name == "admin") {
        return Role::kAdmin;
    }
    if (name == "user") {
        return Role::kUser;
    }
    return std::nullopt;
}

std::string_view ProviderName(Provider provider) {
    return provider == Provider::kGoogle ? "google" : "credentials";
}

std::optional<Provider> ParseProvider(std::string_view name) {
    if (name == "google") {
        return Provider::kGoogle;
    }
    if (name == "credentials") {
        return Provider::kCredentials;
    }
    return std::nullopt;
}

absl::StatusOr<std::string> NormalizeEmail(std::string_view email) {
    auto invalid = absl::InvalidArgumentError("INVALID_EMAIL");
    if (email.empty() || email.size() > 254) {
        return invalid;
    }
    auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 || at > 64 ||
        email.find('@', at + 1) != std::string_view::npos) {
        return invalid;
    }
    std::string_view local = email.substr(0, at);
    for (char c : local) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 32 || u >= 127 || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' ||
            c == ';' || c == '<' || c == '>' || c == '[' || c == '\\' || c == ']') {
            return invalid;
        }
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
        return invalid;
    }
    std::string_view domain = email.substr(at + 1);
    std::size_t labels = 0;
    std::string_view tld;
    while (true) {
        auto dot = domain.find('.');
        std::string_view label = domain.substr(0, dot);
        if (!IsDomainLabel(label)) {
            return invalid;
        }
        ++labels;
        tld = label;
        if (dot == std::string_view::npos) {
            break;
        }
        domain = domain.substr(dot + 1);
    }
    if (labels < 2 || tld.size() < 2) {
        return invalid;
    }
    for (char c : tld) {
        if (!std::isalpha(static_cast<unsigned char>(c))) {
            return invalid;
        }
    }
    return core::AsciiLower(email);
}

absl::StatusOr<std::string> NormalizeLoginEmail(std::string_view email) {
    if (email.size() < 3 || email.size() > 254 || email.find('@') == std::string_view::npos) {
        return absl::InvalidArgumentError("INVALID_EMAIL");
    }
    for (char c : email) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 32 || u >= 127) {
            return absl::InvalidArgumentError("INVALID_EMAIL");
        }
    }
    return core::AsciiLower(email);
}

absl::Status CheckNewPassword(std::string_view password) {
    if (password.size() < 4 || password.size() > 1024) {
        return absl::InvalidArgumentError("INVALID_PASSWORD");
    }
    return absl::OkStatus();
}

absl::Status CheckNickname(std::string_view nickname) {
    bool blank = nickname.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (blank || !core::IsValidUtf8(nickname) || Utf8Length(nickname) > 100 ||
        HasControlCharacter(nickname) || HasInvisibleOrBidiCharacter(nickname)) {
        return absl::InvalidArgumentError("INVALID_NICKNAME");
    }
    return absl::OkStatus();
}

}  // namespace hatongsu::user
