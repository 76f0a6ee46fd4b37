#include "hatongsu/config/env.h"

#include <cctype>
#include <charconv>

#include "hatongsu/core/file.h"

extern char** environ;  // NOLINT: POSIX

namespace hatongsu::config {
namespace {

template <typename Range>
std::string Join(const Range& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) {
            out += sep;
        }
        out += item;
    }
    return out;
}

std::string JoinNames(std::initializer_list<std::string_view> names) {
    return Join(names, " or ");
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool ParseInt(std::string_view s, int* out) {
    s = Trim(s);
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

}  // namespace

absl::StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text) {
    std::string_view t = Trim(text);
    std::size_t i = 0;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) {
        ++i;
    }
    double amount = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + i, amount);
    if (i == 0 || ec != std::errc() || ptr != t.data() + i) {
        return absl::InvalidArgumentError("expected a number with a unit, like 15m or 7d");
    }
    std::string unit = Lower(Trim(t.substr(i)));
    static const std::map<std::string, double, std::less<>> kUnits = {
        {"ms", 1},           {"msec", 1},          {"msecs", 1},         {"millisecond", 1},
        {"milliseconds", 1}, {"s", 1e3},           {"sec", 1e3},         {"secs", 1e3},
        {"second", 1e3},     {"seconds", 1e3},     {"m", 6e4},           {"min", 6e4},
        {"mins", 6e4},       {"minute", 6e4},      {"minutes", 6e4},     {"h", 3.6e6},
        {"hr", 3.6e6},       {"hrs", 3.6e6},       {"hour", 3.6e6},      {"hours", 3.6e6},
        {"d", 8.64e7},       {"day", 8.64e7},      {"days", 8.64e7},     {"w", 6.048e8},
        {"week", 6.048e8},   {"weeks", 6.048e8},   {"y", 3.15576e10},    {"yr", 3.15576e10},
        {"yrs", 3.15576e10}, {"year", 3.15576e10}, {"years", 3.15576e10}};
    if (unit.empty()) {
        return absl::InvalidArgumentError(
            "a bare number is ambiguous (the original read it as milliseconds): add a unit, "
            "like 3600s or 15m");
    }
    auto it = kUnits.find(unit);
    if (it == kUnits.end()) {
        return absl::InvalidArgumentError("unknown duration unit '" + unit + "'");
    }
    return std::chrono::milliseconds(static_cast<int64_t>(amount * it->second));
}

Env Env::FromProcess() {
    std::map<std::string, std::string> vars;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string_view::npos) {
            vars.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
        }
    }
    return Env(std::move(vars));
}

std::optional<std::pair<std::string, std::string>> Env::Find(
    std::initializer_list<std::string_view> names) {
    std::optional<std::pair<std::string, std::string>> found;
    for (std::string_view name : names) {
        read_.emplace(name);
        auto it = vars_.find(std::string(name));
        if (!found && it != vars_.end() && !it->second.empty()) {
            found.emplace(it->first, it->second);
        }
    }
    return found;
}

std::optional<std::string> Env::Optional(std::initializer_list<std::string_view> names) {
    auto found = Find(names);
    if (!found) {
        return std::nullopt;
    }
    effective_[found->first] = found->second;
    return found->second;
}

std::string Env::String(std::initializer_list<std::string_view> names, std::string default_value) {
    auto v = Optional(names);
    if (!v) {
        effective_[std::string(*names.begin())] = default_value;
    }
    return v ? *v : default_value;
}

std::string Env::Required(std::initializer_list<std::string_view> names) {
    auto v = Optional(names);
    if (!v) {
        AddError(JoinNames(names) + " is required");
        return "";
    }
    return *v;
}

std::string Env::Secret(
    std::initializer_list<std::string_view> names, std::string default_value, bool required) {
    for (std::string_view name : names) {
        std::string file_var = std::string(name) + "_FILE";
        read_.insert(file_var);
        auto it = vars_.find(file_var);
        if (it == vars_.end() || it->second.empty()) {
            continue;
        }
        auto read = core::ReadFile(it->second);
        if (!read.ok()) {
            AddError(file_var + ": cannot read " + it->second);
            return "";
        }
        effective_[file_var] = it->second;
        std::string content = *std::move(read);
        while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) {
            content.pop_back();
        }
        if (content.empty() && required && default_value.empty()) {
            // An empty secret file (an unfilled Kubernetes Secret or compose secret) is as
            // missing as an unset variable: refuse to start rather than sign with an empty key.
            AddError(file_var + ": " + it->second + " is empty");
        }
        return content;
    }
    auto found = Find(names);
    if (found) {
        effective_[found->first] = "***";
        return found->second;
    }
    if (required && default_value.empty()) {
        AddError(JoinNames(names) + " (or " + std::string(*names.begin()) + "_FILE) is required");
    }
    return default_value;
}

int Env::Int(std::initializer_list<std::string_view> names, int default_value, int min, int max) {
    auto v = Optional(names);
    if (!v) {
        effective_[std::string(*names.begin())] = std::to_string(default_value);
        return default_value;
    }
    int out = 0;
    if (!ParseInt(*v, &out) || out < min || out > max) {
        AddError(
            JoinNames(names) + "='" + *v + "': expected an integer from " + std::to_string(min) +
            " to " + std::to_string(max));
        return default_value;
    }
    return out;
}

bool Env::Bool(std::initializer_list<std::string_view> names, bool default_value) {
    auto v = Optional(names);
    if (!v) {
        effective_[std::string(*names.begin())] = default_value ? "true" : "false";
        return default_value;
    }
    std::string s = Lower(Trim(*v));
    if (s == "1" || s == "true" || s == "yes" || s == "on") {
        return true;
    }
    if (s == "0" || s == "false" || s == "no" || s == "off") {
        return false;
    }
    AddError(JoinNames(names) + "='" + *v + "': expected true or false");
    return default_value;
}

std::chrono::milliseconds Env::Duration(
    std::initializer_list<std::string_view> names, std::chrono::milliseconds default_value) {
    auto found = Find(names);
    if (!found) {
        effective_[std::string(*names.begin())] = std::to_string(default_value.count()) + "ms";
        return default_value;
    }
    effective_[found->first] = found->second;
    // Variables named *_MS carry their unit in the name: a bare integer is fine there.
    std::string value = found->second;
    if (found->first.ends_with("_MS") && !value.empty() &&
        value.find_first_not_of("0123456789") == std::string::npos) {
        value += "ms";
    } else if (
        found->first.ends_with("_S") && !value.empty() &&
        value.find_first_not_of("0123456789") == std::string::npos) {
        value += "s";
    }
    auto parsed = ParseDuration(value);
    if (!parsed.ok()) {
        AddError(
            found->first + "='" + found->second + "': " + std::string(parsed.status().message()));
        return default_value;
    }
    return *parsed;
}

std::vector<std::string> Env::List(
    std::initializer_list<std::string_view> names, std::vector<std::string> default_value) {
    auto v = Optional(names);
    if (!v) {
        effective_[std::string(*names.begin())] = Join(default_value, ",");
        return default_value;
    }
    std::vector<std::string> out;
    std::string_view rest = *v;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view item = Trim(rest.substr(0, comma));
        if (!item.empty()) {
            out.emplace_back(item);
        }
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return out;
}

absl::Status Env::Finish(std::string_view prefix, const std::set<std::string>& foreign) {
    for (const auto& [name, value] : vars_) {
        if (name.starts_with(prefix) && !read_.contains(name) && !foreign.contains(name)) {
            errors_.push_back(name + " is not a setting of this service (typo?)");
        }
    }
    if (errors_.empty()) {
        return absl::OkStatus();
    }
    return absl::InvalidArgumentError(Join(errors_, "\n"));
}

}  // namespace hatongsu::config
