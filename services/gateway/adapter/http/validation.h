// Request validation for the REST routes: JavaScript-style numeric query parameters
// (spec/api.md 1.9), the JSON-text `sort`/`filter` parameters, required JSON string fields, and the
// 422 body listing every failed field (the original's messages, in the one error shape).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/statusor.h>
#include <boost/json/object.hpp>

#include "hatongsu/net/http.h"

namespace hatongsu::gateway::http {

class Validation final {
public:
    void Add(const std::string& field, const std::string& message);
    // errors[path[0]][path[1]]... = message, for nested objects (sort items, filter fields).
    void AddNested(const std::vector<std::string>& path, const std::string& message);
    bool Ok() const { return errors_.empty(); }
    net::Response Fail(const net::Context& ctx) const;  // 422 with "errors"

private:
    boost::json::object errors_;
};

// JavaScript Number() of a query value: decimal with exponent, 0x/0o/0b integers, surrounding
// whitespace. nullopt for NaN and infinities.
std::optional<double> ParseJsNumber(std::string_view text);
// ECMAScript ToInt32: truncate toward zero, wrap modulo 2^32.
int32_t ToInt32(double value);

// A numeric query parameter: absent or empty -> `fallback`; repeated or not a finite number ->
// a validation error ("<name> must be a number conforming to the specified constraints").
int32_t NumericParam(
    const net::Context& ctx, const std::string& name, int32_t fallback, Validation& v);

// The sortable fields of /user/all and of the album listings.
inline constexpr std::array<std::string_view, 7> kUserSortFields = {
    "id", "email", "nickname", "role", "provider", "createdAt", "updatedAt"};
inline constexpr std::array<std::string_view, 8> kAlbumSortFields = {
    "id",        "filename", "dateTime", "dateTimeOriginal", "dateTimeDigitized", "gallerySpotType",
    "createdAt", "updatedAt"};

// `sort=[{"orderBy":..,"order":..}, ...]` as JSON text. Absent or empty -> {}. Not JSON, not an
// array, an `orderBy` outside `allowed` or an `order` other than asc/desc (any case) ->
// InvalidArgument; an `order` that is not a string -> validation error.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> SortParam(
    const net::Context& ctx, Validation& v, std::span<const std::string_view> allowed);
// `filter={"field":..,"value":..}` as JSON text. Absent or empty -> {"",""}. A non-empty value
// on a field outside email, nickname, role, provider -> InvalidArgument.
absl::StatusOr<std::pair<std::string, std::string>> FilterParam(
    const net::Context& ctx, Validation& v);

// A required non-empty string field of a JSON body, with the original's messages.
std::string RequiredString(const boost::json::object& body, const std::string& name, Validation& v);

}  // namespace hatongsu::gateway::http
