#include "services/gateway/adapter/http/validation.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace hatongsu::gateway::http {
namespace {

std::string_view TrimJs(std::string_view s) {
    auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!s.empty() && space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool IsDecimalLiteral(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
    }
    std::size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        ++i;
        ++digits;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
            ++i;
            ++digits;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            ++i;
        }
        std::size_t exp_digits = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
            ++i;
            ++exp_digits;
        }
        if (exp_digits == 0) {
            return false;
        }
    }
    return i == s.size();
}

std::string ToJsString(const boost::json::value& v) {
    if (v.is_string()) {
        return std::string(v.get_string());
    }
    if (v.is_null()) {
        return "null";
    }
    if (v.is_bool()) {
        return v.get_bool() ? "true" : "false";
    }
    if (v.is_int64() || v.is_uint64()) {
        return boost::json::serialize(v);
    }
    if (v.is_double()) {
        double d = v.get_double();
        if (d == std::trunc(d) && std::fabs(d) < 1e15) {
            return std::to_string(static_cast<int64_t>(d));
        }
        return boost::json::serialize(v);
    }
    return v.is_array() ? "" : "[object Object]";
}

absl::StatusOr<boost::json::value> JsonParam(const net::Context& ctx, const std::string& name) {
    if (ctx.query.Count(name) > 1) {
        return absl::InvalidArgumentError(name + " must be given once");
    }
    auto text = ctx.query.Get(name);
    if (!text || text->empty()) {
        return boost::json::value(nullptr);
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(*text, ec);
    if (ec) {
        return absl::InvalidArgumentError(name + " must be JSON text");
    }
    return v;
}

}  // namespace

void Validation::Add(const std::string& field, const std::string& message) {
    auto* existing = errors_.if_contains(field);
    if (existing != nullptr && existing->is_string()) {
        *existing = std::string(existing->get_string()) + ", " + message;
    } else {
        errors_[field] = message;
    }
}

void Validation::AddNested(const std::vector<std::string>& path, const std::string& message) {
    boost::json::object* node = &errors_;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        auto& child = (*node)[path[i]];
        if (!child.is_object()) {
            child = boost::json::object{};
        }
        node = &child.as_object();
    }
    (*node)[path.back()] = message;
}

net::Response Validation::Fail(const net::Context& ctx) const {
    return net::JsonError(
        ctx, net::http::status::unprocessable_entity, "Validation failed", &errors_);
}

std::optional<double> ParseJsNumber(std::string_view text) {
    std::string_view s = TrimJs(text);
    if (s.empty()) {
        return 0.0;
    }
    if (s.size() > 2 && s[0] == '0') {
        int base = (s[1] == 'x' || s[1] == 'X')   ? 16
                   : (s[1] == 'o' || s[1] == 'O') ? 8
                   : (s[1] == 'b' || s[1] == 'B') ? 2
                                                  : 0;
        if (base != 0) {
            double value = 0;
            for (char c : s.substr(2)) {
                int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                        : std::isxdigit(static_cast<unsigned char>(c))
                            ? (std::tolower(c) - 'a' + 10)
                            : 99;
                if (d >= base) {
                    return std::nullopt;
                }
                value = value * base + d;
            }
            return value;
        }
    }
    if (!IsDecimalLiteral(s)) {
        return std::nullopt;
    }
    double value = std::strtod(std::string(s).c_str(), nullptr);
    if (!std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

int32_t ToInt32(double value) {
    if (!std::isfinite(value)) {
        return 0;
    }
    double t = std::trunc(value);
    double m = std::fmod(t, 4294967296.0);
    if (m < 0) {
        m += 4294967296.0;
    }
    auto u = static_cast<uint32_t>(m);
    return static_cast<int32_t>(u);
}

int32_t NumericParam(
    const net::Context& ctx, const std::string& name, int32_t fallback, Validation& v) {
    std::size_t count = ctx.query.Count(name);
    if (count == 0) {
        return fallback;
    }
    auto text = ctx.query.Get(name);
    if (count == 1 && text->empty()) {
        return fallback;
    }
    auto number = count == 1 ? ParseJsNumber(*text) : std::nullopt;
    if (!number) {
        v.Add(name, name + " must be a number conforming to the specified constraints");
        return fallback;
    }
    return ToInt32(*number);
}

namespace {

// The fields of /user/all (spec/api.md 1.9.7), checked here so that nothing else reaches the user
// service, which checks them again (its own contract).
constexpr std::array<std::string_view, 4> kFilterable = {"email", "nickname", "role", "provider"};

bool OneOf(std::span<const std::string_view> allowed, std::string_view value) {
    return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::string JoinFields(std::span<const std::string_view> fields) {
    std::string out;
    for (std::string_view f : fields) {
        out += out.empty() ? "" : ", ";
        out += f;
    }
    return out;
}

bool IsDirection(std::string order) {
    for (char& c : order) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return order == "asc" || order == "desc";
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> SortParam(
    const net::Context& ctx, Validation& v, std::span<const std::string_view> allowed) {
    auto parsed = JsonParam(ctx, "sort");
    if (!parsed.ok()) {
        return parsed.status();
    }
    std::vector<std::pair<std::string, std::string>> out;
    if (parsed->is_null()) {
        return out;
    }
    if (!parsed->is_array()) {
        return absl::InvalidArgumentError("sort must be a JSON array of {orderBy, order}");
    }
    const auto& items = parsed->get_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_object()) {
            return absl::InvalidArgumentError("sort must be a JSON array of {orderBy, order}");
        }
        const auto& item = items[i].get_object();
        const auto* order_by = item.if_contains("orderBy");
        const auto* order = item.if_contains("order");
        if (order == nullptr || !order->is_string()) {
            v.AddNested({"sort", std::to_string(i), "order"}, "order must be a string");
            continue;
        }
        std::string field = order_by != nullptr ? ToJsString(*order_by) : "";
        if (!OneOf(allowed, field)) {
            return absl::InvalidArgumentError(
                "sort.orderBy must be one of: " + JoinFields(allowed));
        }
        if (!IsDirection(std::string(order->get_string()))) {
            return absl::InvalidArgumentError("sort.order must be asc or desc");
        }
        out.emplace_back(std::move(field), std::string(order->get_string()));
    }
    return out;
}

absl::StatusOr<std::pair<std::string, std::string>> FilterParam(
    const net::Context& ctx, Validation& v) {
    auto parsed = JsonParam(ctx, "filter");
    if (!parsed.ok()) {
        return parsed.status();
    }
    if (parsed->is_null()) {
        return std::pair<std::string, std::string>{};
    }
    if (!parsed->is_object()) {
        return absl::InvalidArgumentError("filter must be a JSON object {field, value}");
    }
    const auto& obj = parsed->get_object();
    const auto* field = obj.if_contains("field");
    const auto* value = obj.if_contains("value");
    if (value != nullptr && !value->is_string()) {
        v.AddNested({"filter", "value"}, "value must be a string");
        return std::pair<std::string, std::string>{};
    }
    std::pair<std::string, std::string> out{
        field != nullptr ? ToJsString(*field) : "",
        value != nullptr ? std::string(value->get_string()) : ""};
    // As the user service reads it: a filter with an empty field or value filters nothing.
    if (!out.first.empty() && !out.second.empty() && !OneOf(kFilterable, out.first)) {
        return absl::InvalidArgumentError(
            "filter.field must be one of: email, nickname, role, provider");
    }
    return out;
}

std::string RequiredString(
    const boost::json::object& body, const std::string& name, Validation& v) {
    const auto* field = body.if_contains(name);
    if (field == nullptr || field->is_null()) {
        v.Add(name, name + " should not be empty");
        v.Add(name, name + " must be a string");
        return "";
    }
    if (!field->is_string()) {
        v.Add(name, name + " must be a string");
        return "";
    }
    if (field->get_string().empty()) {
        v.Add(name, name + " should not be empty");
    }
    return std::string(field->get_string());
}

}  // namespace hatongsu::gateway::http
