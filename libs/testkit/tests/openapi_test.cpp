// The OpenAPI response checker on small documents of its own: path matching as the router does
// it, each schema keyword of the subset, the response checks, and refusal of unknown keywords.
#include "hatongsu/testkit/openapi.h"

#include <stdexcept>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

namespace hatongsu::testkit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr std::string_view kDoc = R"json({
  "openapi": "3.1.0",
  "paths": {
    "/health": {"get": {"responses": {"200": {"description": "", "content": {
        "text/html": {"schema": {"type": "string", "const": "OK"}}}}}}},
    "/album": {"get": {"responses": {
        "200": {"description": "", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Page"}}}},
        "4XX": {"$ref": "#/components/responses/Failure"}}}},
    "/album/cursor": {"get": {"responses": {"200": {"description": ""}}}},
    "/album/{id}": {"get": {"responses": {"200": {"description": ""}}}},
    "/files/{key}": {"x-hatongsu-prefix-route": true,
        "get": {"responses": {"200": {"description": "", "content": {
            "image/*": {"schema": {"type": "string"}}}}, "304": {"description": ""}}}},
    "/{path}": {"x-hatongsu-prefix-route": true, "get": {"responses": {
        "404": {"$ref": "#/components/responses/Failure"}}}}
  },
  "components": {
    "responses": {"Failure": {"description": "", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}},
    "schemas": {
      "Error": {"type": "object", "required": ["statusCode", "message"],
                "additionalProperties": false,
                "properties": {"statusCode": {"type": "integer", "minimum": 400, "maximum": 599},
                               "message": {"type": "string", "minLength": 1},
                               "errors": {"$ref": "#/components/schemas/Messages"}}},
      "Messages": {"type": "object",
                   "additionalProperties": {"$ref": "#/components/schemas/Message"}},
      "Message": {"type": ["string", "object"],
                  "additionalProperties": {"$ref": "#/components/schemas/Message"}},
      "Page": {"type": "object", "required": ["items"], "additionalProperties": false,
               "properties": {"items": {"type": "array", "maxItems": 2,
                                        "items": {"$ref": "#/components/schemas/Item"}},
                              "next": {"type": ["string", "null"]}}},
      "Item": {"type": "object", "required": ["id", "spot"],
               "properties": {"id": {"type": "string", "pattern": "^[0-9a-f]{4}$"},
                              "spot": {"enum": ["none", "spot1"]},
                              "size": {"type": "integer", "exclusiveMinimum": 0},
                              "tags": {"type": "array", "uniqueItems": true, "minItems": 1}}},
      "Either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
      "Any": {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "boolean"}]},
      "Both": {"allOf": [{"type": "number"}, {"maximum": 10}]}
    }
  }
})json";

const OpenApiDocument& Doc() {
    static const OpenApiDocument doc(kDoc);
    return doc;
}

boost::json::value J(std::string_view text) {
    return boost::json::parse(text);
}

TEST(OpenApiPaths, MatchesAsTheRouterDoes) {
    EXPECT_EQ(Doc().FindPath("/health"), "/health");
    EXPECT_EQ(Doc().FindPath("/HEALTH/"), "/health");
    EXPECT_EQ(Doc().FindPath("/album/cursor"), "/album/cursor");  // literal before template
    EXPECT_EQ(Doc().FindPath("/album/x1"), "/album/{id}");
    EXPECT_EQ(Doc().FindPath("/files/a.jpg"), "/files/{key}");
    EXPECT_EQ(Doc().FindPath("/files/a/b.jpg"), "/files/{key}");  // a prefix route takes the rest
    EXPECT_EQ(Doc().FindPath("/files/"), "/{path}");  // nothing after the prefix: the catch-all
    EXPECT_EQ(Doc().FindPath("/dashboard/album"), "/{path}");
    EXPECT_EQ(Doc().FindPath("/album/x1/y"), "/{path}");  // a template takes one segment only
    EXPECT_EQ(Doc().FindPath("/"), std::nullopt);
    EXPECT_EQ(Doc().FindPath("album"), std::nullopt);
}

TEST(OpenApiSchema, AcceptsWhatTheSchemaAllows) {
    EXPECT_THAT(
        Doc().ValidateAgainst(
            "Page", J(R"({"items":[{"id":"00af","spot":"none","size":3,"x":1}],"next":null})")),
        IsEmpty());
    EXPECT_THAT(Doc().ValidateAgainst("Page", J(R"({"items":[],"next":"abc"})")), IsEmpty());
    EXPECT_THAT(
        Doc().ValidateAgainst(
            "Error",
            J(R"({"statusCode":422,"message":"m","errors":{"a":"x","sort":{"0":{"o":"y"}}}})")),
        IsEmpty());
    EXPECT_THAT(
        Doc().ValidateAgainst("Item", J(R"({"id":"abcd","spot":"spot1","size":2.0})")),
        IsEmpty());  // an integral double is an integer
}

TEST(OpenApiSchema, NamesEachViolation) {
    auto problems = [](std::string_view schema, std::string_view json) {
        return Doc().ValidateAgainst(schema, J(json));
    };
    EXPECT_THAT(problems("Page", "[]"), ElementsAre(HasSubstr("is not of type \"object\"")));
    EXPECT_THAT(problems("Page", "{}"), ElementsAre(HasSubstr("\"items\" is missing")));
    EXPECT_THAT(
        problems("Page", R"({"items":[],"extra":1})"),
        ElementsAre(HasSubstr("$.extra: property not in the document")));
    EXPECT_THAT(
        problems("Page", R"({"items":[],"next":3})"), ElementsAre(HasSubstr("$.next: 3 is not")));
    EXPECT_THAT(
        problems("Page", R"({"items":[{"id":"abcd","spot":"x"}]})"),
        ElementsAre(HasSubstr("$.items[0].spot: \"x\" is not one of")));
    EXPECT_THAT(
        problems("Page", R"({"items":[{"id":"ABCD","spot":"none"}]})"),
        ElementsAre(HasSubstr("does not match")));
    EXPECT_THAT(
        problems("Page", R"({"items":[{"id":"abcd","spot":"none"},{"id":"abcd","spot":"none"},
                 {"id":"abcd","spot":"none"}]})"),
        ElementsAre(HasSubstr("more than 2 items")));
    EXPECT_THAT(
        problems("Item", R"({"id":"abcd","spot":"none","size":1.5})"),
        ElementsAre(HasSubstr("is not of type \"integer\"")));
    EXPECT_THAT(
        problems("Item", R"({"id":"abcd","spot":"none","size":0})"),
        ElementsAre(HasSubstr("is not above 0")));
    EXPECT_THAT(
        problems("Item", R"({"id":"abcd","spot":"none","tags":[1,1.0]})"),
        ElementsAre(HasSubstr("are equal")));
    EXPECT_THAT(
        problems("Item", R"({"id":"abcd","spot":"none","tags":[]})"),
        ElementsAre(HasSubstr("fewer than 1 items")));
    EXPECT_THAT(
        problems("Error", R"({"statusCode":200,"message":""})"),
        ElementsAre(HasSubstr("is below 400"), HasSubstr("is shorter than 1")));
    EXPECT_THAT(
        problems("Error", R"({"statusCode":422,"message":"m","errors":{"a":{"b":7}}})"),
        ElementsAre(HasSubstr("$.errors.a.b: 7 is not of type")));
    EXPECT_THAT(problems("Either", "\"a\""), IsEmpty());
    EXPECT_THAT(problems("Either", "1.5"), ElementsAre(HasSubstr("matches 0 of oneOf")));
    EXPECT_THAT(problems("Any", "true"), IsEmpty());
    EXPECT_THAT(problems("Any", "\"abc\""), ElementsAre(HasSubstr("matches none of anyOf")));
    EXPECT_THAT(problems("Both", "11"), ElementsAre(HasSubstr("is above 10")));
    EXPECT_THAT(problems("Both", "\"1\""), ElementsAre(HasSubstr("is not of type")));
}

TEST(OpenApiResponse, ChecksStatusContentTypeAndBody) {
    const auto& d = Doc();
    EXPECT_THAT(
        d.CheckResponse("get", "/album", 200, "application/json; charset=utf-8", R"({"items":[]})"),
        IsEmpty());
    EXPECT_THAT(
        d.CheckResponse(
            "get", "/album", 404, "application/json", R"({"statusCode":404,"message":"x"})"),
        IsEmpty());  // 4XX
    EXPECT_THAT(
        d.CheckResponse("get", "/album", 500, "application/json", "{}"),
        ElementsAre("status 500 is not listed"));
    EXPECT_THAT(
        d.CheckResponse("post", "/album", 200, "application/json", "{}"),
        ElementsAre("the document has no operation post /album"));
    EXPECT_THAT(
        d.CheckResponse("get", "/album", 200, "text/html", "{}"),
        ElementsAre(HasSubstr("is not one of application/json")));
    EXPECT_THAT(
        d.CheckResponse("get", "/album", 200, "application/json", "{"),
        ElementsAre(HasSubstr("the body is not JSON")));
    EXPECT_THAT(
        d.CheckResponse("get", "/album", 200, "application/json", R"({"items":1})"), SizeIs(1));
    EXPECT_THAT(
        d.CheckResponse("get", "/health", 200, "text/html; charset=utf-8", "OK"), IsEmpty());
    EXPECT_THAT(
        d.CheckResponse("get", "/health", 200, "text/html", "KO"),
        ElementsAre("the body is not \"OK\""));
    EXPECT_THAT(d.CheckResponse("get", "/files/{key}", 200, "image/webp", "RIFF"), IsEmpty());
    EXPECT_THAT(d.CheckResponse("get", "/files/{key}", 304, "", ""), IsEmpty());
    EXPECT_THAT(
        d.CheckResponse("get", "/files/{key}", 304, "", "body"),
        ElementsAre(HasSubstr("lists no content, but a body came")));
    // HEAD: no body to check.
    EXPECT_THAT(d.CheckResponse("get", "/album", 200, "application/json", "", false), IsEmpty());
}

TEST(OpenApiResponse, ExpectHelpersFailTheTest) {
    HttpResult bad{200, {{"content-type", "application/json"}}, R"({"items":"no"})"};
    EXPECT_NONFATAL_FAILURE(
        ExpectResponseMatchesOpenApi(Doc(), boost::beast::http::verb::get, "/album?page=1", bad),
        "$.items: \"no\" is not of type");
    HttpResult good{200, {{"content-type", "application/json"}}, R"({"items":[]})"};
    ExpectResponseMatchesOpenApi(Doc(), boost::beast::http::verb::get, "/album?page=1", good);
    // No operation: only the router's 404 with an Error body passes.
    HttpResult no_route{
        404,
        {{"content-type", "application/json"}},
        R"({"statusCode":404,"message":"Cannot POST /x"})"};
    ExpectResponseMatchesOpenApi(Doc(), boost::beast::http::verb::post, "/x", no_route);
    HttpResult wrong{200, {{"content-type", "application/json"}}, no_route.body};
    EXPECT_NONFATAL_FAILURE(
        ExpectResponseMatchesOpenApi(Doc(), boost::beast::http::verb::post, "/x", wrong),
        "is in no operation of the document");
    EXPECT_NONFATAL_FAILURE(
        ExpectMatchesOpenApi(Doc(), "get", "/album", 201, "{}"), "status 201 is not listed");
}

TEST(OpenApiDocument, RefusesWhatItCannotCheck) {
    EXPECT_THROW(OpenApiDocument("[]"), std::invalid_argument);
    EXPECT_THROW(OpenApiDocument("{\"openapi\":\"3.1.0\"}"), std::invalid_argument);
    EXPECT_THROW(OpenApiDocument("not json"), std::invalid_argument);
    // An unknown keyword (here a typo) would otherwise be skipped without a word.
    EXPECT_THROW(
        OpenApiDocument(R"({"paths":{},"components":{"schemas":{"A":{"type":"object",
            "propertise":{}}}}})"),
        std::invalid_argument);
    EXPECT_THROW(
        OpenApiDocument(R"({"paths":{"/a":{"get":{"responses":{"200":{"description":"",
            "content":{"application/json":{"schema":{"items":{"minimun":1}}}}}}}}}})"),
        std::invalid_argument);
    EXPECT_THROW(
        OpenApiDocument(R"({"paths":{},"components":{"schemas":{"A":{"$ref":"http://x"}}}})"),
        std::invalid_argument);
    // A $ref that names nothing is found when it is followed.
    OpenApiDocument dangling(R"({"paths":{},"components":{"schemas":{"A":{"$ref":"#/nope"}}}})");
    EXPECT_THROW(dangling.ValidateAgainst("A", J("1")), std::invalid_argument);
}

}  // namespace
}  // namespace hatongsu::testkit
