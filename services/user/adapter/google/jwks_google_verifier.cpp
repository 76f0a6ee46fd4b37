#include "services/user/adapter/google/jwks_google_verifier.h"

#include <fstream>
#include <memory>
#include <sstream>

#include <curl/curl.h>

namespace hatongsu::user::google {
namespace {

using namespace std::chrono_literals;
constexpr auto kSkew = 300s;
constexpr auto kRefetchAfter = 1h;
constexpr auto kMinRefetchInterval = 1min;

std::size_t Append(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

absl::StatusOr<std::string> Fetch(const std::string& url) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
        return absl::UnavailableError("cannot fetch Google keys");
    }
    std::string body;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
    if (curl_easy_perform(curl.get()) != CURLE_OK) {
        return absl::UnavailableError("cannot fetch Google keys");
    }
    return body;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return absl::UnavailableError("cannot read Google keys file");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
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

}  // namespace

absl::StatusOr<hatongsu::jwt::KeySet> JwksGoogleIdVerifier::Keys(bool refresh) {
    absl::MutexLock lock(&mu_);
    auto now = clock_.Now();
    bool stale = !keys_ || (now - loaded_at_ > kRefetchAfter) ||
                 (refresh && now - loaded_at_ > kMinRefetchInterval);
    if (!stale) {
        return *keys_;
    }
    bool remote = settings_.jwks.starts_with("http://") || settings_.jwks.starts_with("https://");
    auto text = remote ? Fetch(settings_.jwks) : ReadFile(settings_.jwks);
    auto parsed = text.ok() ? hatongsu::jwt::KeySet::FromJwks(*text) : text.status();
    if (!parsed.ok()) {
        if (keys_) {
            return *keys_;  // keep serving with the keys we had
        }
        return absl::UnavailableError("Google signing keys unavailable");
    }
    keys_ = *parsed;
    loaded_at_ = now;
    return *keys_;
}

absl::StatusOr<GoogleIdentity> JwksGoogleIdVerifier::Verify(std::string_view id_token) {
    if (settings_.client_id.empty()) {
        return absl::FailedPreconditionError("GOOGLE_LOGIN_DISABLED");
    }
    auto keys = Keys(false);
    if (!keys.ok()) {
        return keys.status();
    }
    auto claims = keys->VerifyRs256(id_token);
    if (!claims.ok() && claims.status().message() == "unknown signing key") {
        keys = Keys(true);  // Google rotated its keys
        if (!keys.ok()) {
            return keys.status();
        }
        claims = keys->VerifyRs256(id_token);
    }
    auto invalid = absl::UnauthenticatedError("INVALID_GOOGLE_TOKEN");
    if (!claims.ok()) {
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
        return static_cast<double>(
            std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
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
