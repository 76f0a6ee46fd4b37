// The account entity and the rules on its fields (e-mail, nickname, password). Pure, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace hatongsu::user {

enum class Role { kAdmin, kUser };
enum class Provider { kCredentials, kGoogle };

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
std::string_view ProviderName(Provider provider);
std::optional<Provider> ParseProvider(std::string_view name);

struct User {
    std::string id;  // UUID, assigned by the repository on insert
    std::string email;
    std::string nickname;
    std::optional<std::string> profile;  // avatar URL (Google accounts)
    Role role = Role::kUser;
    Provider provider = Provider::kCredentials;
    std::optional<std::string> password_hash;  // none for OAuth accounts
};

// What a caller proved with a valid access token.
struct Principal {
    std::string sub;
    Role role = Role::kUser;
};

struct TokenPair {
    std::string access_token;
    std::string refresh_token;
};

// Lower-cased, syntactically valid address (one '@', a dotted domain, a TLD of 2+ letters,
// at most 254 bytes). InvalidArgument "INVALID_EMAIL" otherwise.
absl::StatusOr<std::string> NormalizeEmail(std::string_view email);
// The lookup key of an e-mail given at login: printable ASCII only, 3 to 254 bytes with an '@',
// lower-cased. Laxer than NormalizeEmail (accounts created by the original may hold addresses it
// refuses) but never lets through NUL, control characters, spaces, invalid UTF-8 or non-ASCII
// characters, which PostgreSQL's lower() may fold onto another account's address (the Kelvin
// sign U+212A onto "k"): the throttle must count the account the lookup finds.
// InvalidArgument "INVALID_EMAIL" otherwise.
absl::StatusOr<std::string> NormalizeLoginEmail(std::string_view email);
// 4 to 1024 bytes (the upper bound keeps hashing cheap to refuse). InvalidArgument
// "INVALID_PASSWORD".
absl::Status CheckNewPassword(std::string_view password);
// Non-blank valid UTF-8, at most 100 characters, no control characters (C0, DEL, C1: a NUL
// would be cut by PostgreSQL's C strings). InvalidArgument "INVALID_NICKNAME".
absl::Status CheckNickname(std::string_view nickname);

}  // namespace hatongsu::user
