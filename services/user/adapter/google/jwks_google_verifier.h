// GoogleIdVerifier against a JWKS document read from a file or fetched over HTTP(S). The keys are
// loaded by a background thread (a file once at construction too): refreshed every hour, retried
// with exponential back-off (1 s doubling to 5 min) while they cannot be had, and refetched early
// (at most once a minute) when a token names an unknown key. Verify never waits on the network
// nor on a lock held across I/O: without keys it answers Unavailable at once. Checks (spec/api.md
// 4.5): RS256 signature, iss accounts.google.com, aud = the client id, exp/iat with 300 s of skew,
// exp at most a day ahead. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

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
    // Starts the key fetcher (not when Google sign-in is off).
    JwksGoogleIdVerifier(GoogleSettings settings, core::Clock& clock);
    // Stops the fetcher, aborting a fetch in flight.
    ~JwksGoogleIdVerifier() override;
    JwksGoogleIdVerifier(const JwksGoogleIdVerifier&) = delete;
    JwksGoogleIdVerifier& operator=(const JwksGoogleIdVerifier&) = delete;

    absl::StatusOr<GoogleIdentity> Verify(std::string_view id_token) override;

    // Waits until a key set is loaded; false when `timeout` passed first.
    bool WaitForKeysForTest(std::chrono::milliseconds timeout);

private:
    void FetchLoop();
    absl::StatusOr<hatongsu::jwt::KeySet> Load();

    const GoogleSettings settings_;
    core::Clock& clock_;  // owned by main, outlives this object
    std::atomic<bool> stopping_{false};
    absl::Mutex mu_;
    absl::CondVar wake_;  // stopping_ set, or refresh_wanted_
    std::shared_ptr<const hatongsu::jwt::KeySet> keys_ ABSL_GUARDED_BY(mu_);
    bool refresh_wanted_ ABSL_GUARDED_BY(mu_) = false;
    std::thread fetcher_;  // last: started once everything above exists
};

}  // namespace hatongsu::user::google
