#include "services/user/adapter/google/jwks_google_verifier.h"

#include <memory>

#include <curl/curl.h>

#include "hatongsu/core/clock.h"
#include "hatongsu/core/file.h"
#include "hatongsu/log/log.h"

namespace hatongsu::user::google {
namespace {

using namespace std::chrono_literals;
constexpr auto kSkew = 300s;
constexpr auto kRefetchAfter = 1h;
constexpr auto kMinRefetchInterval = 1min;
constexpr auto kFirstRetry = 1s;
constexpr auto kMaxRetry = 5min;
constexpr long kFetchTimeoutMs = 10000;

std::size_t Append(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

// Non-zero aborts the transfer: the verifier is being destroyed.
int AbortWhenStopping(void* stopping, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<const std::atomic<bool>*>(stopping)->load() ? 1 : 0;
}

absl::StatusOr<std::string> Fetch(const std::string& url, const std::atomic<bool>& stopping) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
        return absl::UnavailableError("cannot fetch Google keys");
    }
    std::string body;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, kFetchTimeoutMs);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, &AbortWhenStopping);
    curl_easy_setopt(
        curl.get(), CURLOPT_XFERINFODATA, const_cast<void*>(static_cast<const void*>(&stopping)));
    if (CURLcode code = curl_easy_perform(curl.get()); code != CURLE_OK) {
        return absl::UnavailableError(
            std::string("cannot fetch Google keys: ") + curl_easy_strerror(code));
    }
    return body;
}

absl::StatusOr<std::string> ReadKeysFile(const std::string& path) {
    auto text = core::ReadFile(path);
    if (!text.ok()) {
        return absl::UnavailableError("cannot read Google keys file");
    }
    return text;
}

std::string Str(const boost::json::object& o, const char* name) {
    const auto* v = o.if_contains(name);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

bool AudienceMatches(const boost::json::object& claims, const std::string& client_id) {
    const auto* aud = claims.if_contains("aud");
    if (aud == nullptr) {
        return false;
    }
    if (aud->is_string()) {
        return aud->get_string() == client_id;
    }
    if (aud->is_array()) {
        for (const auto& a : aud->get_array()) {
            if (a.is_string() && a.get_string() == client_id) {
                return true;
            }
        }
    }
    return false;
}

bool IsRemote(const std::string& jwks) {
    return jwks.starts_with("http://") || jwks.starts_with("https://");
}

}  // namespace

JwksGoogleIdVerifier::JwksGoogleIdVerifier(GoogleSettings settings, core::Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {
    if (settings_.client_id.empty()) {
        return;  // Google sign-in is off: nothing to fetch
    }
    if (!IsRemote(settings_.jwks)) {
        // A local file is no network wait: the first requests find the keys loaded.
        if (auto first = Load(); first.ok()) {
            absl::MutexLock lock(&mu_);
            keys_ = std::make_shared<const hatongsu::jwt::KeySet>(*std::move(first));
        }
    }
    fetcher_ = std::thread([this] { FetchLoop(); });
}

JwksGoogleIdVerifier::~JwksGoogleIdVerifier() {
    {
        absl::MutexLock lock(&mu_);
        stopping_ = true;
        wake_.SignalAll();
    }
    if (fetcher_.joinable()) {
        fetcher_.join();
    }
}

absl::StatusOr<hatongsu::jwt::KeySet> JwksGoogleIdVerifier::Load() {
    auto text =
        IsRemote(settings_.jwks) ? Fetch(settings_.jwks, stopping_) : ReadKeysFile(settings_.jwks);
    if (!text.ok()) {
        return text.status();
    }
    return hatongsu::jwt::KeySet::FromJwks(*text);
}

void JwksGoogleIdVerifier::FetchLoop() {
    using Steady = std::chrono::steady_clock;
    Steady::time_point last_attempt;
    Steady::time_point next;  // due now, unless a file was loaded in the constructor
    {
        absl::MutexLock lock(&mu_);
        if (keys_) {
            last_attempt = Steady::now();
            next = last_attempt + kRefetchAfter;
        }
    }
    std::chrono::steady_clock::duration retry = kFirstRetry;
    while (true) {
        {
            absl::MutexLock lock(&mu_);
            while (!stopping_) {
                auto now = Steady::now();
                auto due = next;
                if (refresh_wanted_) {
                    due = std::min(due, last_attempt + kMinRefetchInterval);
                }
                if (now >= due) {
                    break;
                }
                wake_.WaitWithTimeout(&mu_, absl::FromChrono(due - now));
            }
            if (stopping_) {
                return;
            }
            refresh_wanted_ = false;
        }
        last_attempt = Steady::now();
        auto loaded = Load();  // no lock held: Verify goes on with the keys it has
        if (stopping_) {
            return;
        }
        absl::MutexLock lock(&mu_);
        if (loaded.ok()) {
            keys_ = std::make_shared<const hatongsu::jwt::KeySet>(*std::move(loaded));
            retry = kFirstRetry;
            next = Steady::now() + kRefetchAfter;
        } else {
            log::Warn(
                "Google signing keys not loaded",
                {{"error", std::string(loaded.status().message())},
                 {"retry_in_s", std::chrono::duration_cast<std::chrono::seconds>(retry).count()}});
            next = Steady::now() + retry;
            retry = std::min<std::chrono::steady_clock::duration>(retry * 2, kMaxRetry);
        }
    }
}

bool JwksGoogleIdVerifier::WaitForKeysForTest(std::chrono::milliseconds timeout) {
    absl::MutexLock lock(&mu_);
    auto loaded = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return keys_ != nullptr;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&loaded), absl::FromChrono(timeout));
}

absl::StatusOr<GoogleIdentity> JwksGoogleIdVerifier::Verify(std::string_view id_token) {
    if (settings_.client_id.empty()) {
        return absl::FailedPreconditionError("GOOGLE_LOGIN_DISABLED");
    }
    std::shared_ptr<const hatongsu::jwt::KeySet> keys;
    {
        absl::MutexLock lock(&mu_);
        keys = keys_;
    }
    if (!keys) {
        return absl::UnavailableError("Google signing keys unavailable");
    }
    auto claims = keys->VerifyRs256(id_token);
    auto invalid = absl::UnauthenticatedError("INVALID_GOOGLE_TOKEN");
    if (!claims.ok()) {
        if (claims.status().message() == "unknown signing key") {
            // Google may have rotated its keys: fetch them soon; this token is refused now.
            absl::MutexLock lock(&mu_);
            refresh_wanted_ = true;
            wake_.Signal();
        }
        return invalid;
    }
    auto now = clock_.Now();
    std::string iss = Str(*claims, "iss");
    if (iss != "accounts.google.com" && iss != "https://accounts.google.com") {
        return invalid;
    }
    if (!AudienceMatches(*claims, settings_.client_id) ||
        !hatongsu::jwt::CheckTimes(*claims, now, kSkew).ok()) {
        return invalid;
    }
    auto seconds = [](std::chrono::system_clock::time_point t) {
        return static_cast<double>(core::EpochSeconds(t));
    };
    const auto* iat = claims->if_contains("iat");
    if (iat == nullptr || !iat->is_number() || iat->to_number<double>() > seconds(now + kSkew) ||
        claims->at("exp").to_number<double>() > seconds(now + 24h + kSkew)) {
        return invalid;
    }
    GoogleIdentity identity;
    identity.email = Str(*claims, "email");
    const auto* verified = claims->if_contains("email_verified");
    identity.email_verified =
        verified != nullptr && ((verified->is_bool() && verified->get_bool()) ||
                                (verified->is_string() && verified->get_string() == "true"));
    identity.name = Str(*claims, "name");
    if (std::string picture = Str(*claims, "picture"); !picture.empty()) {
        identity.picture = picture;
    }
    if (identity.email.empty()) {
        return invalid;
    }
    return identity;
}

}  // namespace hatongsu::user::google
