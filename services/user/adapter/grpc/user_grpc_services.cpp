#include "services/user/adapter/grpc/user_grpc_services.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hatongsu/core/client_network.h"
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

AuthService::AuthService(UseCases use_cases, Pools pools, const rpc::ServiceAuth& auth)
    : uc_(use_cases),
      pools_(pools),
      auth_(auth),
      hash_queue_(FairQueueLimits{
          .max_queued = static_cast<std::size_t>(std::max(1, pools.max_queued_hashes)),
          .max_queued_per_key = static_cast<std::size_t>(std::max(1, pools.max_queued_hashes / 4)),
          .workers = pools.hash_threads}) {}

void AuthService::OnHashPool(
    grpc::CallbackServerContext* ctx,
    grpc::ServerUnaryReactor* reactor,
    absl::AnyInvocable<absl::Status()> work) {
    auto budget = std::chrono::duration_cast<std::chrono::nanoseconds>(
        ctx->deadline() - std::chrono::system_clock::now());
    absl::Status queued = hash_queue_.Push(
        core::ClientNetwork(rpc::ClientIpOf(ctx, auth_)), budget,
        [this, ctx, reactor, work = std::move(work)]() mutable {
            if (ctx->IsCancelled()) {
                reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
                return;
            }
            // The queue's estimate was off: refuse now (429) rather than hash for an answer
            // nobody waits for (504).
            if (ctx->deadline() - std::chrono::system_clock::now() < hash_queue_.ServiceTime()) {
                reactor->Finish(rpc::ToGrpcStatus(absl::ResourceExhaustedError("SERVER_BUSY")));
                return;
            }
            reactor->Finish(rpc::ToGrpcStatus(rpc::RunCatching(work)));
        });
    if (!queued.ok()) {
        reactor->Finish(rpc::ToGrpcStatus(queued));
        return;
    }
    // One pool task per queued job; which job it runs is the fair queue's choice.
    boost::asio::post(pools_.hash, [this] { RunNextHash(); });
}

void AuthService::RunNextHash() {
    std::optional<FairQueue::Job> job = hash_queue_.Pop();
    if (!job) {
        return;
    }
    auto start = std::chrono::steady_clock::now();
    (*job)();
    auto end = std::chrono::steady_clock::now();
    hash_queue_.Done(end - start, end);
}

grpc::ServerUnaryReactor* AuthService::RegisterUser(
    grpc::CallbackServerContext* ctx,
    const ::user::RegisterUserRequest* req,
    ::user::RegisterUserResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    OnHashPool(ctx, reactor, [this, ctx, req, resp] {
        absl::Status s = uc_.register_user.Execute(
            req->credentials(), req->nickname(), core::ClientNetwork(rpc::ClientIpOf(ctx, auth_)));
        if (s.ok()) {
            resp->set_success(true);
            resp->set_message("USER_REGISTRATION_SUCCESS");
        }
        return Logged(s, ctx, "RegisterUser");
    });
    return reactor;
}

grpc::ServerUnaryReactor* AuthService::LoginUser(
    grpc::CallbackServerContext* ctx,
    const ::user::LoginUserRequest* req,
    ::user::LoginUserResponse* resp) {
    if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
        return refused;
    }
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    // Admitting is cheap (parsing, a throttle look-up under a short lock): done right here.
    auto ticket =
        uc_.login_user.Admit(req->credentials(), core::ClientNetwork(rpc::ClientIpOf(ctx, auth_)));
    if (!ticket.ok()) {
        reactor->Finish(rpc::ToGrpcStatus(ticket.status()));
        return reactor;
    }
    std::chrono::milliseconds delay = ticket->delay;
    auto work = [this, ctx, resp, ticket = *std::move(ticket)]() mutable {
        // The ticket goes with the call: the attempt is no longer in flight once answered.
        auto pair = uc_.login_user.Complete(std::move(ticket));
        if (pair.ok()) {
            SetTokens(*pair, resp->mutable_accesstoken(), resp->mutable_refreshtoken());
        }
        return Logged(pair.status(), ctx, "LoginUser");
    };
    if (delay.count() <= 0) {
        OnHashPool(ctx, reactor, std::move(work));
        return reactor;
    }
    if (ctx->deadline() - std::chrono::system_clock::now() <= delay) {
        reactor->Finish(rpc::ToGrpcStatus(absl::ResourceExhaustedError("TOO_MANY_LOGIN_ATTEMPTS")));
        return reactor;
    }
    // The throttle's delay waits on a timer, holding no thread: sleeping on the hashing pool
    // would let slowed guesses eat the capacity the fair queue shares out.
    auto timer = std::make_shared<boost::asio::steady_timer>(pools_.io.Executor(), delay);
    timer->async_wait([this, ctx, reactor, timer,
                       work = std::move(work)](const boost::system::error_code&) mutable {
        OnHashPool(ctx, reactor, std::move(work));
    });
    return reactor;
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
