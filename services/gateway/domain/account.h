// What the gateway knows of accounts: plain values copied from the user service's replies.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hatongsu::gateway {

struct Principal {
    std::string sub;   // user id
    std::string role;  // "admin" or "user", as written in the token
    // When the token stops being valid; the epoch when unknown (then it is not remembered).
    std::chrono::system_clock::time_point expires_at{};
};

struct Account {
    std::string id;
    std::string email;
    std::string nickname;
    std::optional<std::string> profile;
    std::string role;  // from the database
};

struct Tokens {
    std::string access_token;
    std::string refresh_token;
};

struct AccountQuery {
    std::string filter_field;
    std::string filter_value;
    std::vector<std::pair<std::string, std::string>> sort;  // (orderBy, order)
    int page = 0;                                           // 0: the service's default
    int limit = 0;
};

struct AccountPage {
    std::vector<Account> users;
    int total_count = 0;
};

}  // namespace hatongsu::gateway
