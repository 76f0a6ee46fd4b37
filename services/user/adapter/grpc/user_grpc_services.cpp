#include "services/user/adapter/grpc/user_grpc_services.h"

#include <memory>

#include "hatongsu/log/log.h"
#include "hatongsu/rpc/server.h"
#include "services/user/usecase/get_user_info.h"
#include "services/user/usecase/parse_bearer_token.h"

namespace hatongsu::user::grpc_adapter {
namespace {

// Failures a client can cause are answered as they are; the rest is logged here, once.
absl::Status Logged(absl::Status status, grpc::CallbackServerContext* ctx, std::string_view rpc) {
    auto code = status.code();
    if (code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
        code == absl::StatusCode::kUnavailable) {
        log::Error(
            "rpc failed", {{"rpc", rpc},
                           {"code", absl::StatusCodeToString(code)},
                           {"error", std::string(status.message())},
                           {"request_id", rpc::RequestIdOf(ctx)}});
    }
    return status;
}

void SetTokens(const TokenPair& pair, std::string* access, std::string* refresh) {
    *access = pair.access_token;
    *refresh = pair.refresh_token;
}

}  // namespace

void ToProto(const User& user, ::user::UserProto* out) {
    out->set_id(user.id);
    out->set_email(user.email);
    out->set_nickname(user.nickname);
    if (user.profile) {
        out->set_profile(*user.profile);
    }
    out->set_role(std::string(RoleName(user.role)));
}

GetUsersCommand FromProto(const ::user::GetUsersRequest& req) {
    GetUsersCommand command;
    command.filter_field = req.filter().field();
    command.filter_value = req.filter().value();
    for (const auto& s : req.sort()) {
        command.sort.emplace_back(s.orderby(), s.order());
    }
    command.page = req.page();
    command.limit = req.limit();
    return command;
}

template <typename Work>
grpc::ServerUnaryReactor* AuthService::OnHashPool(grpc::CallbackServerContext* ctx, Work work) {
    return rpc::RunOnPool(pools_.hash, ctx, std::move(work));
}

grpc::ServerUnaryReactor* AuthService::RegisterUser(
    grpc::CallbackServerContext* ctx,
    const ::user::RegisterUserRequest* req,
    ::user::RegisterUserResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return OnHashPool(ctx, [this, ctx, req, resp] {
        absl::Status s = uc_.register_user.Execute(req->credentials(), req->nickname());
        if (s.ok()) {
            resp->set_success(true);
            resp->set_message("USER_REGISTRATION_SUCCESS");
        }
        return Logged(s, ctx, "RegisterUser");
    });
}

grpc::ServerUnaryReactor* AuthService::LoginUser(
    grpc::CallbackServerContext* ctx,
    const ::user::LoginUserRequest* req,
    ::user::LoginUserResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return OnHashPool(ctx, [this, ctx, req, resp] {
        auto pair = uc_.login_user.Execute(req->credentials(), rpc::ClientIpOf(ctx, auth_));
        if (pair.ok()) {
            SetTokens(*pair, resp->mutable_accesstoken(), resp->mutable_refreshtoken());
        }
        return Logged(pair.status(), ctx, "LoginUser");
    });
}

grpc::ServerUnaryReactor* AuthService::ParseBearerToken(
    grpc::CallbackServerContext* ctx,
    const ::user::ParseBearerTokenRequest* req,
    ::user::ParseBearerTokenResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    // Pure CPU work of a few microseconds: done right here, no pool hop.
    auto principal = user::ParseBearerToken(uc_.tokens, req->token());
    if (principal.ok()) {
        resp->set_sub(principal->sub);
        resp->set_role(std::string(RoleName(principal->role)));
    }
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(rpc::ToGrpcStatus(principal.status()));
    return reactor;
}

grpc::ServerUnaryReactor* AuthService::ValidateGoogleToken(
    grpc::CallbackServerContext* ctx,
    const ::user::ValidateGoogleTokenRequest* req,
    ::user::ValidateGoogleTokenResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pools_.io, ctx, [this, ctx, req, resp] {
        auto identity = VerifiedGoogleIdentity(uc_.google, req->idtoken());
        if (identity.ok()) {
            resp->set_success(true);
            resp->set_message("VALIDATE_GOOGLE_TOKEN_SUCCESS");
        }
        return Logged(identity.status(), ctx, "ValidateGoogleToken");
    });
}

grpc::ServerUnaryReactor* AuthService::LoginGoogle(
    grpc::CallbackServerContext* ctx,
    const ::user::LoginGoogleRequest* req,
    ::user::LoginGoogleResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pools_.io, ctx, [this, ctx, req, resp] {
        auto pair = uc_.login_google.Execute(req->idtoken(), req->nickname());
        if (pair.ok()) {
            SetTokens(*pair, resp->mutable_accesstoken(), resp->mutable_refreshtoken());
        }
        return Logged(pair.status(), ctx, "LoginGoogle");
    });
}

grpc::ServerUnaryReactor* AuthService::RefreshToken(
    grpc::CallbackServerContext* ctx,
    const ::user::RefreshTokenRequest* req,
    ::user::LoginUserResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pools_.io, ctx, [this, ctx, req, resp] {
        auto pair = uc_.refresh_tokens.Execute(req->refreshtoken());
        if (pair.ok()) {
            SetTokens(*pair, resp->mutable_accesstoken(), resp->mutable_refreshtoken());
        }
        return Logged(pair.status(), ctx, "RefreshToken");
    });
}

grpc::ServerUnaryReactor* UserService::GetUserInfo(
    grpc::CallbackServerContext* ctx,
    const ::user::GetUserInfoRequest* req,
    ::user::GetUserInfoResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pools_.io, ctx, [this, ctx, req, resp] {
        auto found = user::GetUserInfo(uc_.users, req->userid());
        if (found.ok()) {
            ToProto(*found, resp->mutable_user());
        }
        return Logged(found.status(), ctx, "GetUserInfo");
    });
}

grpc::ServerUnaryReactor* UserService::GetUsers(
    grpc::CallbackServerContext* ctx,
    const ::user::GetUsersRequest* req,
    ::user::GetUsersResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    return rpc::RunOnPool(pools_.io, ctx, [this, ctx, req, resp] {
        auto page = uc_.get_users.Execute(FromProto(*req));
        if (page.ok()) {
            for (const User& u : page->users) {
                ToProto(u, resp->add_users());
            }
            resp->set_totalcount(page->total_count);
        }
        return Logged(page.status(), ctx, "GetUsers");
    });
}

}  // namespace hatongsu::user::grpc_adapter
