#include "hatongsu/storage/sigv4.h"

#include <ctime>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hatongsu/core/sha256.h"

namespace hatongsu::storage {

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

std::string ToHex(const unsigned char* bytes, std::size_t size) {
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kHex[bytes[i] >> 4]);
        out.push_back(kHex[bytes[i] & 0x0f]);
    }
    return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(
        EVP_sha256(), key.data(), static_cast<int>(key.size()),
        reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
    return std::string(reinterpret_cast<const char*>(out), size);
}

// "%Y%m%dT%H%M%SZ" in UTC.
std::string AmzDate(std::chrono::system_clock::time_point t) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[32];
    std::size_t n = std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
    return std::string(buf, n);
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved || (keep_slash && c == '/')) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHexUpper[u >> 4]);
            out.push_back(kHexUpper[u & 0x0f]);
        }
    }
    return out;
}

std::string PresignUrl(const PresignRequest& request) {
    const std::string amz_date = AmzDate(request.signing_time);
    const std::string day = amz_date.substr(0, 8);
    const std::string scope = day + "/" + request.region + "/" + request.service + "/aws4_request";

    // Parameter names are already in byte order, which the canonical query string requires.
    std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256";
    query += "&X-Amz-Credential=" + UriEncode(request.access_key + "/" + scope, false);
    query += "&X-Amz-Date=" + amz_date;
    query += "&X-Amz-Expires=" + std::to_string(request.expires.count());
    query += "&X-Amz-SignedHeaders=host";

    const std::string canonical_request = request.method + "\n" + request.path + "\n" + query +
                                          "\nhost:" + request.host + "\n\nhost\nUNSIGNED-PAYLOAD";
    const std::string string_to_sign =
        "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + core::Sha256Hex(canonical_request);

    std::string key = HmacSha256("AWS4" + request.secret_key, day);
    key = HmacSha256(key, request.region);
    key = HmacSha256(key, request.service);
    key = HmacSha256(key, "aws4_request");
    const std::string signature = HmacSha256(key, string_to_sign);

    return request.scheme + "://" + request.host + request.path + "?" + query +
           "&X-Amz-Signature=" +
           ToHex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

}  // namespace hatongsu::storage
