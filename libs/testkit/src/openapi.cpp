#include "hatongsu/testkit/openapi.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <regex>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "hatongsu/net/router.h"

namespace hatongsu::testkit {
namespace {

namespace json = boost::json;

// Keywords that only annotate: they never make an instance invalid.
constexpr std::array<std::string_view, 13> kAnnotations = {
    "description", "title",     "summary",    "format",           "example",
    "examples",    "default",   "deprecated", "contentMediaType", "contentEncoding",
    "readOnly",    "writeOnly", "$comment"};
constexpr std::array<std::string_view, 21> kAssertions = {
    "$ref",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "allOf",
    "anyOf",
    "oneOf",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "uniqueItems"};
// Schema depth (nesting of $ref and subschemas) at which validation gives up: only a cyclic
// document gets there.
constexpr int kMaxDepth = 64;

template <std::size_t N>
bool OneOf(const std::array<std::string_view, N>& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

std::string Lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool IsTemplate(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Checks that every keyword of `schema` and of its subschemas is one the validator knows.
void CheckKeywords(const json::value& schema, const std::string& where) {
    if (schema.is_bool()) {
        return;
    }
    if (!schema.is_object()) {
        throw std::invalid_argument(where + ": a schema must be an object or a boolean");
    }
    for (const auto& [key, value] : schema.get_object()) {
        if (OneOf(kAnnotations, key) || key.starts_with("x-")) {
            continue;
        }
        if (!OneOf(kAssertions, key)) {
            throw std::invalid_argument(
                where + ": keyword \"" + std::string(key) + "\" is not supported");
        }
        if (key == "properties") {
            if (!value.is_object()) {
                throw std::invalid_argument(where + "/properties must be an object");
            }
            for (const auto& [name, sub] : value.get_object()) {
                CheckKeywords(sub, where + "/properties/" + std::string(name));
            }
        } else if (key == "items" || key == "additionalProperties") {
            CheckKeywords(value, where + "/" + std::string(key));
        } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
            if (!value.is_array() || value.get_array().empty()) {
                throw std::invalid_argument(where + "/" + std::string(key) + " must be a list");
            }
            for (std::size_t i = 0; i < value.get_array().size(); ++i) {
                CheckKeywords(
                    value.get_array()[i], where + "/" + std::string(key) + "/" + std::to_string(i));
            }
        } else if (key == "$ref" && (!value.is_string() || !value.get_string().starts_with("#/"))) {
            throw std::invalid_argument(where + "/$ref must be a local reference");
        }
    }
}

// Every object under a "schema" key, anywhere in the document (parameters, bodies, responses).
void CheckAllSchemas(const json::value& node, const std::string& where) {
    if (node.is_object()) {
        for (const auto& [key, value] : node.get_object()) {
            std::string here = where + "/" + std::string(key);
            if (key == "schema") {
                CheckKeywords(value, here);
            } else {
                CheckAllSchemas(value, here);
            }
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.get_array().size(); ++i) {
            CheckAllSchemas(node.get_array()[i], where + "/" + std::to_string(i));
        }
    }
}

bool IsNumber(const json::value& v) {
    return v.is_int64() || v.is_uint64() || v.is_double();
}

double NumberOf(const json::value& v) {
    return v.is_int64()    ? static_cast<double>(v.get_int64())
           : v.is_uint64() ? static_cast<double>(v.get_uint64())
                           : v.get_double();
}

bool HasType(const json::value& v, std::string_view type) {
    if (type == "object") {
        return v.is_object();
    }
    if (type == "array") {
        return v.is_array();
    }
    if (type == "string") {
        return v.is_string();
    }
    if (type == "boolean") {
        return v.is_bool();
    }
    if (type == "null") {
        return v.is_null();
    }
    if (type == "number") {
        return IsNumber(v);
    }
    if (type == "integer") {
        return v.is_int64() || v.is_uint64() ||
               (v.is_double() && std::isfinite(v.get_double()) &&
                v.get_double() == std::trunc(v.get_double()));
    }
    throw std::invalid_argument("unknown type \"" + std::string(type) + "\"");
}

// JSON equality as JSON Schema means it: numbers by value, whatever their storage.
bool JsonEqual(const json::value& a, const json::value& b) {
    if (IsNumber(a) && IsNumber(b)) {
        return NumberOf(a) == NumberOf(b);
    }
    if (a.is_array() && b.is_array()) {
        const auto& x = a.get_array();
        const auto& y = b.get_array();
        if (x.size() != y.size()) {
            return false;
        }
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (!JsonEqual(x[i], y[i])) {
                return false;
            }
        }
        return true;
    }
    if (a.is_object() && b.is_object()) {
        const auto& x = a.get_object();
        const auto& y = b.get_object();
        if (x.size() != y.size()) {
            return false;
        }
        for (const auto& [key, value] : x) {
            const json::value* other = y.if_contains(key);
            if (other == nullptr || !JsonEqual(value, *other)) {
                return false;
            }
        }
        return true;
    }
    return a == b;
}

std::size_t CodePoints(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string Short(const json::value& v) {
    std::string text = json::serialize(v);
    return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// "application/json; charset=utf-8" -> "application/json"
std::string MediaType(std::string_view header) {
    std::string_view type = header.substr(0, header.find(';'));
    while (!type.empty() && type.back() == ' ') {
        type.remove_suffix(1);
    }
    return Lower(type);
}

bool MediaMatches(std::string_view listed, std::string_view actual) {
    if (listed == "*/*" || listed == actual) {
        return true;
    }
    return listed.ends_with("/*") && actual.starts_with(listed.substr(0, listed.size() - 1));
}

bool IsJsonMedia(std::string_view type) {
    return type == "application/json" || type.ends_with("+json");
}

}  // namespace

OpenApiDocument::OpenApiDocument(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object() || !v.get_object().contains("paths") ||
        !v.get_object().at("paths").is_object()) {
        throw std::invalid_argument("not an OpenAPI document: a JSON object with \"paths\"");
    }
    root_ = std::move(v.get_object());
    if (const auto* components = root_.if_contains("components")) {
        if (const auto* schemas = components->as_object().if_contains("schemas")) {
            for (const auto& [name, schema] : schemas->as_object()) {
                CheckKeywords(schema, "#/components/schemas/" + std::string(name));
            }
        }
    }
    CheckAllSchemas(root_, "#");
}

const json::value& OpenApiDocument::Resolve(const std::string& ref) const {
    const json::value* node = nullptr;
    std::string_view rest = std::string_view(ref).substr(2);  // after "#/"
    const json::object* obj = &root_;
    while (true) {
        std::size_t slash = rest.find('/');
        std::string part(rest.substr(0, slash));
        node = obj->if_contains(part);
        if (node == nullptr) {
            throw std::invalid_argument("$ref " + ref + " names nothing");
        }
        if (slash == std::string_view::npos) {
            return *node;
        }
        if (!node->is_object()) {
            throw std::invalid_argument("$ref " + ref + " names nothing");
        }
        obj = &node->get_object();
        rest = rest.substr(slash + 1);
    }
}

std::optional<std::string> OpenApiDocument::FindPath(std::string_view path) const {
    if (path.empty() || path.front() != '/') {
        return std::nullopt;
    }
    std::vector<std::string_view> segs = net::SplitPath(path);
    std::optional<std::string> best;
    // Rank: exact (no parameter) 3, templated 2, prefix route 1; then literal segments.
    std::pair<int, std::size_t> best_rank{0, 0};
    for (const auto& [key, item] : root_.at("paths").get_object()) {
        std::vector<std::string_view> want = net::SplitPath(key);
        const json::value* flag = item.as_object().if_contains("x-hatongsu-prefix-route");
        bool prefix = flag != nullptr && flag->is_bool() && flag->get_bool();
        if (prefix ? segs.size() < want.size() : segs.size() != want.size()) {
            continue;
        }
        bool ok = true;
        std::size_t literals = 0;
        for (std::size_t i = 0; i < want.size() && ok; ++i) {
            if (IsTemplate(want[i])) {
                ok = !segs[i].empty() || (prefix && i + 1 == want.size() && segs.size() > i + 1);
            } else {
                ok = Lower(want[i]) == Lower(segs[i]);
                ++literals;
            }
        }
        if (ok && prefix && (want.empty() || !IsTemplate(want.back()))) {
            ok = false;  // a prefix route's last segment is its rest parameter
        }
        if (!ok) {
            continue;
        }
        bool templated = std::any_of(want.begin(), want.end(), IsTemplate);
        std::pair<int, std::size_t> rank{prefix ? 1 : templated ? 2 : 3, literals};
        if (!best || rank > best_rank) {
            best = std::string(key);
            best_rank = rank;
        }
    }
    return best;
}

std::vector<std::string> OpenApiDocument::Validate(
    const json::value& schema, const json::value& value) const {
    std::vector<std::string> problems;
    Check(schema, value, "$", 0, problems);
    return problems;
}

std::vector<std::string> OpenApiDocument::ValidateAgainst(
    std::string_view name, const json::value& value) const {
    return Validate(Resolve("#/components/schemas/" + std::string(name)), value);
}

void OpenApiDocument::Check(
    const json::value& schema,
    const json::value& value,
    const std::string& where,
    int depth,
    std::vector<std::string>& problems) const {
    if (depth > kMaxDepth) {
        problems.push_back(where + ": the schema nests deeper than " + std::to_string(kMaxDepth));
        return;
    }
    if (schema.is_bool()) {
        if (!schema.get_bool()) {
            problems.push_back(where + ": no value is allowed here");
        }
        return;
    }
    const json::object& s = schema.get_object();
    if (const auto* ref = s.if_contains("$ref")) {
        Check(Resolve(std::string(ref->get_string())), value, where, depth + 1, problems);
    }
    if (const auto* type = s.if_contains("type")) {
        bool ok = false;
        if (type->is_string()) {
            ok = HasType(value, type->get_string());
        } else {
            for (const auto& t : type->get_array()) {
                ok = ok || HasType(value, t.get_string());
            }
        }
        if (!ok) {
            problems.push_back(where + ": " + Short(value) + " is not of type " + Short(*type));
            return;  // the rest would only repeat it
        }
    }
    if (const auto* list = s.if_contains("enum")) {
        const auto& items = list->get_array();
        if (std::none_of(items.begin(), items.end(), [&](const json::value& item) {
                return JsonEqual(item, value);
            })) {
            problems.push_back(where + ": " + Short(value) + " is not one of " + Short(*list));
        }
    }
    if (const auto* constant = s.if_contains("const"); constant && !JsonEqual(*constant, value)) {
        problems.push_back(where + ": " + Short(value) + " is not " + Short(*constant));
    }
    if (value.is_object()) {
        const json::object& obj = value.get_object();
        if (const auto* required = s.if_contains("required")) {
            for (const auto& name : required->get_array()) {
                if (!obj.contains(name.get_string())) {
                    problems.push_back(
                        where + ": required property \"" + std::string(name.get_string()) +
                        "\" is missing");
                }
            }
        }
        const json::object* properties = nullptr;
        if (const auto* p = s.if_contains("properties")) {
            properties = &p->get_object();
        }
        const json::value* additional = s.if_contains("additionalProperties");
        for (const auto& [key, member] : obj) {
            std::string here = where + "." + std::string(key);
            if (const json::value* sub = properties ? properties->if_contains(key) : nullptr) {
                Check(*sub, member, here, depth + 1, problems);
            } else if (additional != nullptr) {
                if (additional->is_bool() && !additional->get_bool()) {
                    problems.push_back(here + ": property not in the document");
                } else {
                    Check(*additional, member, here, depth + 1, problems);
                }
            }
        }
    }
    if (value.is_array()) {
        const json::array& arr = value.get_array();
        if (const auto* items = s.if_contains("items")) {
            for (std::size_t i = 0; i < arr.size(); ++i) {
                Check(*items, arr[i], where + "[" + std::to_string(i) + "]", depth + 1, problems);
            }
        }
        if (const auto* n = s.if_contains("minItems"); n && arr.size() < NumberOf(*n)) {
            problems.push_back(where + ": fewer than " + Short(*n) + " items");
        }
        if (const auto* n = s.if_contains("maxItems"); n && arr.size() > NumberOf(*n)) {
            problems.push_back(where + ": more than " + Short(*n) + " items");
        }
        if (const auto* unique = s.if_contains("uniqueItems"); unique && unique->as_bool()) {
            for (std::size_t i = 0; i < arr.size(); ++i) {
                for (std::size_t j = i + 1; j < arr.size(); ++j) {
                    if (JsonEqual(arr[i], arr[j])) {
                        problems.push_back(
                            where + ": items " + std::to_string(i) + " and " + std::to_string(j) +
                            " are equal");
                    }
                }
            }
        }
    }
    if (value.is_string()) {
        std::string_view text = value.get_string();
        std::size_t length = CodePoints(text);
        if (const auto* n = s.if_contains("minLength"); n && length < NumberOf(*n)) {
            problems.push_back(where + ": " + Short(value) + " is shorter than " + Short(*n));
        }
        if (const auto* n = s.if_contains("maxLength"); n && length > NumberOf(*n)) {
            problems.push_back(where + ": " + Short(value) + " is longer than " + Short(*n));
        }
        if (const auto* pattern = s.if_contains("pattern")) {
            std::regex re(std::string(pattern->get_string()), std::regex::ECMAScript);
            if (!std::regex_search(text.begin(), text.end(), re)) {
                problems.push_back(
                    where + ": " + Short(value) + " does not match " + Short(*pattern));
            }
        }
    }
    if (IsNumber(value)) {
        double number = NumberOf(value);
        if (const auto* n = s.if_contains("minimum"); n && number < NumberOf(*n)) {
            problems.push_back(where + ": " + Short(value) + " is below " + Short(*n));
        }
        if (const auto* n = s.if_contains("maximum"); n && number > NumberOf(*n)) {
            problems.push_back(where + ": " + Short(value) + " is above " + Short(*n));
        }
        if (const auto* n = s.if_contains("exclusiveMinimum"); n && number <= NumberOf(*n)) {
            problems.push_back(where + ": " + Short(value) + " is not above " + Short(*n));
        }
        if (const auto* n = s.if_contains("exclusiveMaximum"); n && number >= NumberOf(*n)) {
            problems.push_back(where + ": " + Short(value) + " is not below " + Short(*n));
        }
    }
    if (const auto* all = s.if_contains("allOf")) {
        for (const auto& sub : all->get_array()) {
            Check(sub, value, where, depth + 1, problems);
        }
    }
    if (const auto* any = s.if_contains("anyOf")) {
        bool matched = false;
        for (const auto& sub : any->get_array()) {
            std::vector<std::string> mine;
            Check(sub, value, where, depth + 1, mine);
            matched = matched || mine.empty();
        }
        if (!matched) {
            problems.push_back(where + ": " + Short(value) + " matches none of anyOf");
        }
    }
    if (const auto* one = s.if_contains("oneOf")) {
        int matched = 0;
        for (const auto& sub : one->get_array()) {
            std::vector<std::string> mine;
            Check(sub, value, where, depth + 1, mine);
            matched += mine.empty() ? 1 : 0;
        }
        if (matched != 1) {
            problems.push_back(
                where + ": " + Short(value) + " matches " + std::to_string(matched) +
                " of oneOf (exactly one wanted)");
        }
    }
}

std::vector<std::string> OpenApiDocument::CheckResponse(
    std::string_view method,
    std::string_view path_template,
    int status,
    std::string_view content_type,
    std::string_view body,
    bool check_body) const {
    std::vector<std::string> problems;
    const json::value* item = root_.at("paths").get_object().if_contains(path_template);
    const json::value* operation =
        item != nullptr ? item->get_object().if_contains(Lower(method)) : nullptr;
    if (operation == nullptr) {
        problems.push_back(
            "the document has no operation " + Lower(method) + " " + std::string(path_template));
        return problems;
    }
    const json::value* response = nullptr;
    if (const auto* responses = operation->get_object().if_contains("responses")) {
        response = responses->get_object().if_contains(std::to_string(status));
        if (response == nullptr) {
            response = responses->get_object().if_contains(std::to_string(status / 100) + "XX");
        }
        if (response == nullptr) {
            response = responses->get_object().if_contains("default");
        }
    }
    if (response == nullptr) {
        problems.push_back("status " + std::to_string(status) + " is not listed");
        return problems;
    }
    if (const auto* ref = response->get_object().if_contains("$ref")) {
        response = &Resolve(std::string(ref->get_string()));
    }
    const json::value* content = response->get_object().if_contains("content");
    std::string type = MediaType(content_type);
    if (content == nullptr || content->get_object().empty()) {
        if (check_body && !body.empty()) {
            problems.push_back(
                "status " + std::to_string(status) + " lists no content, but a body came");
        }
        return problems;
    }
    const json::value* media = nullptr;
    std::string listed;
    for (const auto& [key, value] : content->get_object()) {
        listed += (listed.empty() ? "" : ", ") + std::string(key);
        if (media == nullptr && MediaMatches(Lower(key), type)) {
            media = &value;
        }
    }
    if (media == nullptr) {
        problems.push_back(
            "content type \"" + std::string(content_type) + "\" is not one of " + listed);
        return problems;
    }
    const json::value* schema = media->get_object().if_contains("schema");
    if (!check_body || schema == nullptr) {
        return problems;
    }
    if (IsJsonMedia(type)) {
        boost::system::error_code ec;
        json::value parsed = json::parse(body, ec);
        if (ec) {
            problems.push_back("the body is not JSON: " + ec.message());
            return problems;
        }
        Check(*schema, parsed, "$", 0, problems);
    } else if (const auto* constant = schema->get_object().if_contains("const")) {
        if (constant->is_string() && body != constant->get_string()) {
            problems.push_back("the body is not " + Short(*constant));
        }
    }
    return problems;
}

void ExpectMatchesOpenApi(
    const OpenApiDocument& doc,
    std::string_view method,
    std::string_view path_template,
    int status,
    std::string_view body,
    std::string_view content_type) {
    for (const std::string& problem :
         doc.CheckResponse(method, path_template, status, content_type, body)) {
        ADD_FAILURE() << "OpenAPI: " << method << " " << path_template << " -> " << status << ": "
                      << problem << "\n  body: " << body.substr(0, 400);
    }
}

void ExpectResponseMatchesOpenApi(
    const OpenApiDocument& doc,
    boost::beast::http::verb method,
    std::string_view target,
    const HttpResult& result) {
    namespace http = boost::beast::http;
    std::string_view path = target.substr(0, target.find('?'));
    bool head = method == http::verb::head;
    std::string name = Lower(http::to_string(head ? http::verb::get : method));
    std::optional<std::string> found = doc.FindPath(path);
    const json::value* item =
        found ? doc.Root().at("paths").get_object().if_contains(*found) : nullptr;
    std::string content_type = result.Header("content-type");
    if (method == http::verb::options && result.status == 204 && result.body.empty()) {
        return;  // a CORS preflight: the server answers it on any path, before routing
    }
    if (item == nullptr || !item->get_object().contains(name)) {
        // No operation: the router's answer for a path or method it does not know.
        if (result.status != 404) {
            ADD_FAILURE() << "OpenAPI: " << http::to_string(method) << " " << target
                          << " is in no operation of the document, but answered " << result.status;
        }
        if (!head) {
            boost::system::error_code ec;
            json::value body = json::parse(result.body, ec);
            std::vector<std::string> problems =
                ec ? std::vector<std::string>{"the body is not JSON"}
                   : doc.ValidateAgainst("Error", body);
            for (const std::string& problem : problems) {
                ADD_FAILURE() << "OpenAPI: " << http::to_string(method) << " " << target
                              << " (no route): " << problem;
            }
        }
        return;
    }
    for (const std::string& problem :
         doc.CheckResponse(name, *found, result.status, content_type, result.body, !head)) {
        ADD_FAILURE() << "OpenAPI: " << http::to_string(method) << " " << target << " (" << name
                      << " " << *found << ") -> " << result.status << ": " << problem
                      << "\n  body: " << result.body.substr(0, 400);
    }
}

}  // namespace hatongsu::testkit
