// Composition root of the user service: config -> adapters -> use cases -> gRPC server, run by the
// service runtime (libs/runtime), which owns signals and the drain.
#include <iostream>

#include <curl/curl.h>

#include "hatongsu/core/clock.h"
#include "hatongsu/core/random.h"
#include "hatongsu/log/log.h"
#include "hatongsu/pg/migrate.h"
#include "hatongsu/pg/pool.h"
#include "hatongsu/rpc/server.h"
#include "hatongsu/rpc/service_auth.h"
#include "hatongsu/rpc/tls.h"
#include "hatongsu/runtime/admin.h"
#include "hatongsu/runtime/runtime.h"
#include "services/user/adapter/grpc/user_grpc_services.h"
#include "services/user/adapter/pg/pg_user_repository.h"
#include "services/user/config.h"
#include "services/user/usecase/bootstrap_admin.h"

namespace {

using namespace hatongsu;
namespace hu = hatongsu::user;  // "user" alone is also the proto package

int Run() {
    config::Env env = config::Env::FromProcess();
    auto cfg = hu::LoadConfig(env);
    if (!cfg.ok()) {
        std::cerr << "user: configuration errors:\n" << cfg.status().message() << "\n";
        return 2;
    }
    // First, before any thread: see runtime.h for the order of start-up and destruction.
    // One I/O thread serves the admin port (metrics); without metrics there is no Asio I/O.
    runtime::Runtime rt(
        "user", {.io_threads = cfg->admin.metrics ? 1 : 0, .drain_timeout = cfg->drain_timeout});
    log::Init("user", cfg->log_level, cfg->log_format);
    log::Info("starting", {{"config", env.Effective()}});  // secrets are shown as ***
    curl_global_init(CURL_GLOBAL_DEFAULT);

    core::SystemClock clock;
    runtime::ServiceMetrics service_metrics(cfg->admin);
    metrics::Registry* counted = service_metrics.Registry();
    pg::Pool pool(cfg->pg_url, cfg->pg_pool_size, std::chrono::seconds(5), counted);
    if (absl::Status s = pg::Migrate(pool, "user", hu::pg::Migrations()); !s.ok()) {
        log::Error("migrations failed", {{"error", std::string(s.message())}});
        return 1;
    }
    hu::pg::PgUserRepository users(pool);
    hu::pg::PgRefreshTokenRepository refresh(pool);
    hu::crypto::Argon2idPasswordHasher hasher(cfg->argon2);
    hu::jwt::JwtTokenCodec tokens(cfg->tokens, clock);
    hu::google::JwksGoogleIdVerifier google(cfg->google, clock);
    hu::LoginThrottle throttle(cfg->throttle);
    hu::AddressRateLimit registrations(cfg->registrations);

    std::string admin_password =
        cfg->admin_password.empty() ? core::RandomToken(12) : cfg->admin_password;
    auto boot = hu::BootstrapAdmin(users, hasher).Execute(cfg->admin_email, admin_password);
    if (!boot.ok()) {
        log::Error("admin bootstrap failed", {{"error", std::string(boot.status().message())}});
        return 1;
    }
    if (*boot == hu::BootstrapOutcome::kCreated) {
        log::Info("admin account created", {{"email", cfg->admin_email}});
        if (cfg->admin_password.empty()) {
            // Shown once, on the terminal only (never in the structured log).
            std::cerr << "\n  Hatongsu admin account created\n    email:    " << cfg->admin_email
                      << "\n    password: " << admin_password
                      << "\n  (shown only now; change it or set "
                      << "HATONGSU_ADMIN_PASSWORD)\n\n";
        }
    }

    hu::RegisterUser register_user(users, hasher, registrations, clock);
    hu::LoginUser login_user(users, hasher, tokens, refresh, throttle, clock);
    hu::LoginGoogle login_google(users, google, tokens, refresh);
    hu::RefreshTokens refresh_tokens(users, tokens, refresh);
    hu::GetUsers get_users(users);
    rpc::WorkPool io_pool(
        static_cast<std::size_t>(cfg->io_threads), static_cast<std::size_t>(cfg->max_queued_calls));
    // Bounded by the fair queue in front of it (USER_MAX_QUEUED_HASHES), not by the pool.
    boost::asio::thread_pool hash_pool(static_cast<std::size_t>(cfg->hash_threads));
    hu::grpc_adapter::UseCases use_cases{register_user, login_user, login_google, refresh_tokens,
                                         get_users,     tokens,     google,       users};
    hu::grpc_adapter::Pools pools{io_pool, hash_pool, cfg->hash_threads, cfg->max_queued_hashes};
    rpc::ServiceAuth service_auth(cfg->service_secret, !cfg->grpc_tls.client_ca_file.empty());
    hu::grpc_adapter::AuthService auth_service(use_cases, pools, service_auth);
    hu::grpc_adapter::UserService user_service(use_cases, pools, service_auth);

    int port = 0;
    rpc::ServerCalls server_calls;  // outlives the server, whose interceptors count there
    std::unique_ptr<grpc::Server> server;
    try {
        server = rpc::StartServer(
            cfg->grpc_address, {&auth_service, &user_service},
            rpc::MakeServerCredentials(cfg->grpc_tls), &port, &server_calls, counted);
    } catch (const std::exception& e) {
        log::Error("cannot start", {{"error", e.what()}});
        return 1;
    }
    log::Info(
        "listening", {{"grpc", cfg->grpc_address},
                      {"port", port},
                      {"tls", !cfg->grpc_tls.cert_file.empty()},
                      {"mtls", !cfg->grpc_tls.client_ca_file.empty()},
                      {"service_secret", !cfg->service_secret.empty()}});

    rt.DrainGrpcServer(
        *server, server_calls);  // returns once every call has finished (or was cancelled)
    rt.DrainPool(io_pool);       // then no task can touch the use cases destroyed after Run()
    rt.OnDrain("hash pool", [&hash_pool](auto) { hash_pool.join(); });
    if (!service_metrics.ServeAdmin(rt)) {
        return 1;
    }
    int code = rt.Run();
    log::Shutdown();
    return code;
}

}  // namespace

int main() {
    try {
        return Run();
    } catch (const std::exception& e) {
        std::cerr << "user: fatal: " << e.what() << "\n";
        return 1;
    }
}
