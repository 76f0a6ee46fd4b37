#include "services/user/domain/user.h"

#include <cctype>

#include "hatongsu/core/display_name.h"
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
    if (!core::IsDisplayName(nickname, 100)) {
        return absl::InvalidArgumentError("INVALID_NICKNAME");
    }
    return absl::OkStatus();
}

}  // namespace hatongsu::user
