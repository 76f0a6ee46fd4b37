// Typed reading of environment variables with every problem collected, so a service reports all of
// its configuration mistakes at once and exits (config::Env::Finish). Not thread-safe: used in
// main.
//
//   config::Env env = config::Env::FromProcess();
//   int port = env.Int({"GATEWAY_HTTP_PORT", "HTTP_PORT"}, 4000, 1, 65535);
//   std::string secret = env.Secret({"ACCESS_TOKEN_SECRET"});  // also reads
//   ACCESS_TOKEN_SECRET_FILE if (absl::Status s = env.Finish("GATEWAY_", {}); !s.ok()) { ...
//   exit(2); }
#pragma once

#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

namespace hatongsu::config {

// "15m", "3600h", "7d", "2 days", "1y", "500ms", "30s": a number and a unit (ms, s, m, h, d, w, y
// and their long forms). A bare number is refused, since the original read it as milliseconds.
absl::StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);

class Env final {
public:
    explicit Env(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
    static Env FromProcess();

    // Each getter takes the new name first, then accepted older names (the original's).
    std::optional<std::string> Optional(std::initializer_list<std::string_view> names);
    std::string String(std::initializer_list<std::string_view> names, std::string default_value);
    std::string Required(std::initializer_list<std::string_view> names);
    // Like Required/String but also reads <NAME>_FILE, and is shown redacted by Effective().
    std::string Secret(
        std::initializer_list<std::string_view> names,
        std::string default_value = "",
        bool required = true);
    int Int(std::initializer_list<std::string_view> names, int default_value, int min, int max);
    bool Bool(std::initializer_list<std::string_view> names, bool default_value);
    std::chrono::milliseconds Duration(
        std::initializer_list<std::string_view> names, std::chrono::milliseconds default_value);
    std::vector<std::string> List(
        std::initializer_list<std::string_view> names,
        std::vector<std::string> default_value);  // comma-separated

    void AddError(std::string message) { errors_.push_back(std::move(message)); }

    // Every variable that starts with `prefix` must have been read (typos fail at start-up),
    // except those in `foreign` (another service's variables sharing the prefix).
    // Returns InvalidArgument listing every problem, one per line.
    [[nodiscard]] absl::Status Finish(
        std::string_view prefix, const std::set<std::string>& foreign);

    // name=value of every variable read, secrets as "***": for the start-up log line.
    const std::map<std::string, std::string>& Effective() const { return effective_; }

private:
    std::optional<std::pair<std::string, std::string>> Find(
        std::initializer_list<std::string_view> names);

    std::map<std::string, std::string> vars_;
    std::set<std::string> read_;
    std::map<std::string, std::string> effective_;
    std::vector<std::string> errors_;
};

}  // namespace hatongsu::config
