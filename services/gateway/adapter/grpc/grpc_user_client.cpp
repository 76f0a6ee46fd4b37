#include "services/gateway/adapter/grpc/grpc_user_client.h"

#include "hatongsu/jwt/jwt.h"
#include "hatongsu/log/log.h"
#include "services/gateway/adapter/grpc/call.h"

namespace hatongsu::gateway::grpc_adapter {
namespace {

absl::Status Edge(const absl::Status& s) {
    return grpc_adapter::Edge(s, "USER");
}

Account FromProto(const ::user::UserProto& p) {
    Account a{p.id(), p.email(), p.nickname(), std::nullopt, p.role()};
    if (p.has_profile()) {
        a.profile = p.profile();
    }
    return a;
}

template <typename Reply>
absl::StatusOr<Tokens> ToTokens(const absl::StatusOr<Reply>& reply) {
    if (!reply.ok()) {
        return Edge(reply.status());
    }
    return Tokens{reply->accesstoken(), reply->refreshtoken()};
}

// The exp of the bearer token the user service has just accepted (it verified the signature), or
// the epoch when there is none.
std::chrono::system_clock::time_point TokenExpiry(std::string_view authorization) {
    auto space = authorization.rfind(' ');
    auto claims = jwt::UnverifiedClaims(
        space == std::string_view::npos ? authorization : authorization.substr(space + 1));
    const auto* exp = claims.ok() ? claims->if_contains("exp") : nullptr;
    if (exp == nullptr || !exp->is_number()) {
        return {};
    }
    return std::chrono::system_clock::time_point(
        std::chrono::seconds(static_cast<int64_t>(exp->to_number<double>())));
}

}  // namespace

GrpcUserClient::GrpcUserClient(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    std::chrono::milliseconds timeout,
    std::string service_secret,
    metrics::Registry* metrics)
    : channel_(grpc::CreateChannel(address, std::move(credentials))),
      auth_(::user::AuthService::NewStub(channel_)),
      users_(::user::UserService::NewStub(channel_)),
      health_(::grpc::health::v1::Health::NewStub(channel_)),
      timeout_(timeout),
      service_secret_(std::move(service_secret)),
      metrics_(
          metrics != nullptr
              ? std::make_unique<rpc::GrpcMetrics>(*metrics, rpc::GrpcMetrics::Side::kClient)
              : nullptr) {}

#define HATONGSU_CALL HATONGSU_GATEWAY_CALL
#define HATONGSU_GRPC_SERVICE_auth_ "/user.AuthService/"
#define HATONGSU_GRPC_SERVICE_users_ "/user.UserService/"
#define HATONGSU_GRPC_SERVICE_health_ "/grpc.health.v1.Health/"

boost::asio::awaitable<absl::Status> GrpcUserClient::Register(
    CallMeta meta, std::string authorization, std::string nickname) {
    ::user::RegisterUserRequest req;
    req.set_credentials(std::move(authorization));
    req.set_nickname(std::move(nickname));
    auto reply =
        co_await HATONGSU_CALL(auth_, RegisterUser, ::user::RegisterUserResponse, meta, req);
    co_return reply.ok() ? absl::OkStatus() : Edge(reply.status());
}

boost::asio::awaitable<absl::StatusOr<Tokens>> GrpcUserClient::Login(
    CallMeta meta, std::string authorization) {
    ::user::LoginUserRequest req;
    req.set_credentials(std::move(authorization));
    co_return ToTokens(
        co_await HATONGSU_CALL(auth_, LoginUser, ::user::LoginUserResponse, meta, req));
}

boost::asio::awaitable<absl::StatusOr<Tokens>> GrpcUserClient::LoginGoogle(
    CallMeta meta,
    std::string id_token,
    std::string email,
    std::string nickname,
    std::string profile) {
    ::user::LoginGoogleRequest req;
    req.set_idtoken(std::move(id_token));
    req.set_email(std::move(email));
    req.set_nickname(std::move(nickname));
    req.set_profile(std::move(profile));
    co_return ToTokens(
        co_await HATONGSU_CALL(auth_, LoginGoogle, ::user::LoginGoogleResponse, meta, req));
}

boost::asio::awaitable<absl::StatusOr<Tokens>> GrpcUserClient::Refresh(
    CallMeta meta, std::string refresh_token) {
    ::user::RefreshTokenRequest req;
    req.set_refreshtoken(std::move(refresh_token));
    co_return ToTokens(
        co_await HATONGSU_CALL(auth_, RefreshToken, ::user::LoginUserResponse, meta, req));
}

boost::asio::awaitable<absl::StatusOr<Principal>> GrpcUserClient::ParseBearer(
    CallMeta meta, std::string authorization) {
    ::user::ParseBearerTokenRequest req;
    req.set_token(authorization);
    auto reply = co_await HATONGSU_CALL(
        auth_, ParseBearerToken, ::user::ParseBearerTokenResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    co_return Principal{reply->sub(), reply->role(), TokenExpiry(authorization)};
}

boost::asio::awaitable<absl::StatusOr<Account>> GrpcUserClient::GetAccount(
    CallMeta meta, std::string user_id) {
    ::user::GetUserInfoRequest req;
    req.set_userid(std::move(user_id));
    auto reply =
        co_await HATONGSU_CALL(users_, GetUserInfo, ::user::GetUserInfoResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    co_return FromProto(reply->user());
}

boost::asio::awaitable<absl::StatusOr<AccountPage>> GrpcUserClient::ListAccounts(
    CallMeta meta, AccountQuery query) {
    ::user::GetUsersRequest req;
    req.mutable_filter()->set_field(query.filter_field);
    req.mutable_filter()->set_value(query.filter_value);
    for (const auto& [order_by, order] : query.sort) {
        auto* s = req.add_sort();
        s->set_orderby(order_by);
        s->set_order(order);
    }
    req.set_page(query.page);
    req.set_limit(query.limit);
    auto reply = co_await HATONGSU_CALL(users_, GetUsers, ::user::GetUsersResponse, meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    AccountPage page;
    page.total_count = reply->totalcount();
    for (const auto& u : reply->users()) {
        page.users.push_back(FromProto(u));
    }
    co_return page;
}

boost::asio::awaitable<absl::Status> GrpcUserClient::CheckHealth() {
    ::grpc::health::v1::HealthCheckRequest req;
    CallMeta no_meta;
    auto reply = co_await HATONGSU_CALL(
        health_, Check, ::grpc::health::v1::HealthCheckResponse, no_meta, req);
    if (!reply.ok()) {
        co_return Edge(reply.status());
    }
    co_return reply->status() == ::grpc::health::v1::HealthCheckResponse::SERVING
        ? absl::OkStatus()
        : absl::UnavailableError("USER_SERVICE_NOT_SERVING");
}

#undef HATONGSU_CALL
#undef HATONGSU_GRPC_SERVICE_auth_
#undef HATONGSU_GRPC_SERVICE_users_
#undef HATONGSU_GRPC_SERVICE_health_

}  // namespace hatongsu::gateway::grpc_adapter
