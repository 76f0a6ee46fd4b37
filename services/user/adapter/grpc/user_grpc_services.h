// The gRPC edge of the user service (proto/user.proto): translates messages to use-case calls and
// absl::Status to gRPC status. Reactions never block: password work goes through a fair queue
// (one lane per client address, served round-robin, bounded; see domain/fair_queue.h) onto the
// hashing pool, everything else runs on the bounded I/O pool. A login the throttle slows waits on
// a timer, not on a pool thread. Every method first checks the caller (rpc::ServiceAuth: the
// service secret or mutual TLS).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "hatongsu/rpc/server.h"
#include "hatongsu/rpc/service_auth.h"
#include "proto/user.grpc.pb.h"
#include "services/user/domain/fair_queue.h"
#include "services/user/port/google_id_verifier.h"
#include "services/user/port/token_codec.h"
#include "services/user/port/user_repository.h"
#include "services/user/usecase/get_users.h"
#include "services/user/usecase/google_login.h"
#include "services/user/usecase/login_user.h"
#include "services/user/usecase/refresh_tokens.h"
#include "services/user/usecase/register_user.h"

namespace hatongsu::user::grpc_adapter {

// Everything the gRPC services call; owned by main.
struct UseCases {
    RegisterUser& register_user;
    LoginUser& login_user;
    LoginGoogle& login_google;
    RefreshTokens& refresh_tokens;
    GetUsers& get_users;
    TokenCodec& tokens;
    GoogleIdVerifier& google;
    UserRepository& users;
};

// Both bounded: a call that finds its pool's queue full is refused with RESOURCE_EXHAUSTED.
struct Pools {
    rpc::WorkPool& io;               // database-bound calls (bounded: RESOURCE_EXHAUSTED past it)
    boost::asio::thread_pool& hash;  // password hashing (CPU-bound), fed by the fair queue
    int hash_threads;                // the hash pool's size
    int max_queued_hashes;           // all addresses together; one address gets a quarter
};

class AuthService final : public ::user::AuthService::CallbackService {
public:
    AuthService(UseCases use_cases, Pools pools, const rpc::ServiceAuth& auth);

    grpc::ServerUnaryReactor* RegisterUser(
        grpc::CallbackServerContext* ctx,
        const ::user::RegisterUserRequest* req,
        ::user::RegisterUserResponse* resp) override;
    grpc::ServerUnaryReactor* LoginUser(
        grpc::CallbackServerContext* ctx,
        const ::user::LoginUserRequest* req,
        ::user::LoginUserResponse* resp) override;
    grpc::ServerUnaryReactor* ParseBearerToken(
        grpc::CallbackServerContext* ctx,
        const ::user::ParseBearerTokenRequest* req,
        ::user::ParseBearerTokenResponse* resp) override;
    grpc::ServerUnaryReactor* ValidateGoogleToken(
        grpc::CallbackServerContext* ctx,
        const ::user::ValidateGoogleTokenRequest* req,
        ::user::ValidateGoogleTokenResponse* resp) override;
    grpc::ServerUnaryReactor* LoginGoogle(
        grpc::CallbackServerContext* ctx,
        const ::user::LoginGoogleRequest* req,
        ::user::LoginGoogleResponse* resp) override;
    grpc::ServerUnaryReactor* RefreshToken(
        grpc::CallbackServerContext* ctx,
        const ::user::RefreshTokenRequest* req,
        ::user::LoginUserResponse* resp) override;

private:
    // Queues `work` (returning absl::Status) in the caller's lane of the fair queue and finishes
    // `reactor` with its result, or at once with RESOURCE_EXHAUSTED when it cannot be served in
    // time.
    void OnHashPool(
        grpc::CallbackServerContext* ctx,
        grpc::ServerUnaryReactor* reactor,
        absl::AnyInvocable<absl::Status()> work);
    void RunNextHash();

    UseCases uc_;
    Pools pools_;
    const rpc::ServiceAuth& auth_;  // owned by main, outlives this object
    FairQueue hash_queue_;
};

class UserService final : public ::user::UserService::CallbackService {
public:
    UserService(UseCases use_cases, Pools pools, const rpc::ServiceAuth& auth)
        : uc_(use_cases), pools_(pools), auth_(auth) {}

    grpc::ServerUnaryReactor* GetUserInfo(
        grpc::CallbackServerContext* ctx,
        const ::user::GetUserInfoRequest* req,
        ::user::GetUserInfoResponse* resp) override;
    grpc::ServerUnaryReactor* GetUsers(
        grpc::CallbackServerContext* ctx,
        const ::user::GetUsersRequest* req,
        ::user::GetUsersResponse* resp) override;

private:
    UseCases uc_;
    Pools pools_;
    const rpc::ServiceAuth& auth_;  // owned by main, outlives this object
};

// Mapping, exposed for its unit test.
void ToProto(const User& user, ::user::UserProto* out);
GetUsersCommand FromProto(const ::user::GetUsersRequest& req);

}  // namespace hatongsu::user::grpc_adapter
