// Holds HTTP responses to an OpenAPI 3.1 document (docs/openapi.yaml as JSON) in tests: finds the
// operation a request reached, checks that the status and content type are ones it lists, and
// validates a JSON body against the listed schema with a small JSON Schema subset. Read-only after
// construction, so one document may be shared by every test of a binary.
//
//   static const testkit::OpenApiDocument doc(gateway::http::OpenApiJson());
//   auto r = testkit::HttpCall(port, verb::get, "/user/me", headers);
//   testkit::ExpectResponseMatchesOpenApi(doc, verb::get, "/user/me", r);
//
// The schema subset: type (one or a list; "integer" is a number without fraction), enum, const,
// properties, required, additionalProperties (false or a schema), items, minItems, maxItems,
// minLength, maxLength (code points), pattern (ECMAScript, searched), minimum, maximum, allOf,
// anyOf, oneOf and local $ref ("#/components/schemas/X", siblings applied too). Keywords that only
// annotate (description, format, example, ...) are ignored; any other keyword makes the
// constructor throw, so nothing the document says is silently skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hatongsu/testkit/http_client.h"

namespace hatongsu::testkit {

class OpenApiDocument final {
public:
    // Throws std::invalid_argument for text that is not a JSON object with "paths", or for a
    // schema using a keyword outside the subset above.
    explicit OpenApiDocument(std::string_view json);

    // The path template (a key of "paths") that a request path reaches, matched as the gateway's
    // router does: literal segments case-insensitively, one trailing slash ignored, a "{name}"
    // segment taking one non-empty segment, except on a path item marked
    // `x-hatongsu-prefix-route: true`, whose last "{name}" takes the rest of the path. Paths
    // without parameters win over templated ones, templated over prefix routes, and among prefix
    // routes the longest. `path` is without the query. nullopt when none matches.
    std::optional<std::string> FindPath(std::string_view path) const;

    // What is wrong with `value` against `schema` (a schema object of this document); empty
    // when it matches.
    std::vector<std::string> Validate(
        const boost::json::value& schema, const boost::json::value& value) const;
    // The same against components/schemas/<name>.
    std::vector<std::string> ValidateAgainst(
        std::string_view name, const boost::json::value& value) const;

    // What is wrong with a response to `method` (lower case, e.g. "get") on `path_template`:
    // the operation must exist and list `status`; `content_type` (the header's value) must be one
    // of the status's media types (wildcards such as image/* allowed), or absent with an empty
    // body when it lists none; a JSON media type's body must parse and match its schema. With
    // `check_body` false (HEAD) only the status and content type are checked.
    std::vector<std::string> CheckResponse(
        std::string_view method,
        std::string_view path_template,
        int status,
        std::string_view content_type,
        std::string_view body,
        bool check_body = true) const;

    const boost::json::object& Root() const { return root_; }

private:
    void Check(
        const boost::json::value& schema,
        const boost::json::value& value,
        const std::string& where,
        int depth,
        std::vector<std::string>& problems) const;
    const boost::json::value& Resolve(const std::string& ref) const;

    boost::json::object root_;
};

// ADD_FAILURE()s with every problem of CheckResponse; the message names the request.
void ExpectMatchesOpenApi(
    const OpenApiDocument& doc,
    std::string_view method,
    std::string_view path_template,
    int status,
    std::string_view body,
    std::string_view content_type = "application/json; charset=utf-8");

// For a response as a test received it: finds the path template of `target` (the query is cut
// off), then checks as above (HEAD as its GET, without the body). A request no operation of the
// document answers must have got the gateway's no-route answer: 404 with an Error body. A CORS
// preflight (OPTIONS answered 204 without a body) passes on any path, as the document says.
void ExpectResponseMatchesOpenApi(
    const OpenApiDocument& doc,
    boost::beast::http::verb method,
    std::string_view target,
    const HttpResult& result);

}  // namespace hatongsu::testkit
