#include "hatongsu/runtime/admin.h"

#include <array>
#include <cctype>
#include <string>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "hatongsu/config/env.h"
#include "hatongsu/log/log.h"
#include "hatongsu/metrics/metrics.h"
#include "hatongsu/net/server.h"
#include "hatongsu/runtime/runtime.h"

namespace hatongsu::runtime {
namespace {

namespace http = boost::beast::http;

std::array<unsigned char, SHA256_DIGEST_LENGTH> Digest(std::string_view text) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
    return out;
}

// Digests first, so the comparison takes as long whatever the presented token's length.
bool SameToken(std::string_view presented, std::string_view token) {
    auto a = Digest(presented);
    auto b = Digest(token);
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool MayRead(const net::Context& ctx, const std::string& token) {
    if (token.empty()) {
        return true;
    }
    auto it = ctx.request.find(http::field::authorization);
    if (it == ctx.request.end()) {
        return false;
    }
    std::string_view value = it->value();
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), value.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
        })) {
        return false;
    }
    return SameToken(value.substr(kBearer.size()), token);
}

}  // namespace

AdminConfig LoadAdminConfig(config::Env& env, std::string_view prefix, uint16_t default_port) {
    const std::string p(prefix);
    AdminConfig c;
    c.metrics = env.Bool({p + "METRICS"}, true);
    c.address = env.String({p + "ADMIN_ADDR"}, "127.0.0.1");
    c.port = static_cast<uint16_t>(env.Int({p + "ADMIN_PORT"}, default_port, 0, 65535));
    return c;
}

void AddMetricsRoute(net::Router& router, const metrics::Registry& registry, std::string token) {
    router.Add(
        http::verb::get, "/metrics",
        [&registry,
         token = std::move(token)](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            if (!MayRead(ctx, token)) {
                co_return net::NoRoute(ctx);
            }
            net::Response res = net::Text(ctx, http::status::ok, registry.Render());
            res.set(http::field::content_type, metrics::kContentType);
            res.set(http::field::cache_control, "no-store");
            co_return res;
        });
}

AdminServer::AdminServer(
    Runtime& rt, const AdminConfig& config, const metrics::Registry& registry) {
    AddMetricsRoute(router_, registry, "");
    router_.Add(
        http::verb::get, "/livez", [](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            co_return net::Json(ctx, http::status::ok, boost::json::object{{"status", "ok"}});
        });
    net::ServerOptions options;
    options.address = config.address;
    options.port = config.port;
    options.max_connections = 64;  // a scraper or two, and an operator's curl
    options.quiet_paths = {"/metrics", "/livez"};
    server_ = std::make_unique<net::Server>(rt.Io(), options, router_);
    server_->Start();
    log::Info("admin port listening", {{"address", config.address}, {"port", server_->Port()}});
    rt.DrainHttp(*server_);
}

AdminServer::~AdminServer() = default;

uint16_t AdminServer::Port() const {
    return server_->Port();
}

ServiceMetrics::ServiceMetrics(AdminConfig config)
    : config_(std::move(config)),
      registry_(config_.metrics ? std::make_unique<metrics::Registry>() : nullptr) {}

ServiceMetrics::~ServiceMetrics() = default;

bool ServiceMetrics::ServeAdmin(Runtime& rt) {
    if (!registry_) {
        return true;
    }
    try {
        admin_ = std::make_unique<AdminServer>(rt, config_, *registry_);
        return true;
    } catch (const std::exception& e) {
        log::Error(
            "cannot start the admin port",
            {{"address", config_.address}, {"port", config_.port}, {"error", e.what()}});
        return false;
    }
}

}  // namespace hatongsu::runtime
