// The gateway's OpenAPI document (docs/openapi.yaml) as JSON text, embedded at build time by
// scripts/openapi_json.py (services/gateway/CMakeLists.txt): served at GET /openapi.json and read
// by the tests that hold the router and the e2e responses to it.
#pragma once

#include <string_view>

namespace hatongsu::gateway::http {

// Static storage; valid JSON (the build fails otherwise).
std::string_view OpenApiJson();

}  // namespace hatongsu::gateway::http
