// GoogleIdVerifier against a JWKS document read from a file or fetched over HTTP(S) (cached, and
// refetched at most once a minute when a token names an unknown key). Checks (spec/api.md 4.5):
// RS256 signature, iss accounts.google.com, aud = the client id, exp/iat with 300 s of skew, exp at
// most a day ahead. Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include "hatongsu/core/clock.h"
#include "hatongsu/jwt/jwt.h"
#include "services/user/port/google_id_verifier.h"

namespace hatongsu::user::google {

struct GoogleSettings {
    std::string client_id;  // empty: Google sign-in is off
    std::string jwks;       // a file path, or an http(s):// URL
};

class JwksGoogleIdVerifier final : public GoogleIdVerifier {
public:
    JwksGoogleIdVerifier(GoogleSettings settings, core::Clock& clock)
        : settings_(std::move(settings)), clock_(clock) {}
    absl::StatusOr<GoogleIdentity> Verify(std::string_view id_token) override;

private:
    // The cached key set, loading it when absent or when `refresh` asks and a minute has passed.
    absl::StatusOr<hatongsu::jwt::KeySet> Keys(bool refresh);

    const GoogleSettings settings_;
    core::Clock& clock_;  // owned by main, outlives this object
    absl::Mutex mu_;
    std::optional<hatongsu::jwt::KeySet> keys_ ABSL_GUARDED_BY(mu_);
    std::chrono::system_clock::time_point loaded_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hatongsu::user::google
