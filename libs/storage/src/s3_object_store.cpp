#include "hatongsu/storage/s3_object_store.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include "hatongsu/core/sha256.h"
#include "hatongsu/core/text.h"
#include "hatongsu/storage/sigv4.h"
#include "libs/storage/src/prefix.h"

namespace hatongsu::storage {

namespace {

constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::size_t kMaxErrorBody = std::size_t{64} * 1024;  // S3 error documents are small
constexpr std::size_t kMaxListBody =
    std::size_t{8} * 1024 * 1024;  // one page of 1000 keys is ~300 KiB
constexpr std::size_t kMaxIdleHandles = 8;

std::string ErrnoText(int err) {
    return std::error_code(err, std::generic_category()).message();
}

// The text of the first <tag>...</tag> after `from`, with XML's predefined entities decoded;
// nullopt when absent. Enough for S3's flat answers; not a general XML parser.
std::optional<std::string> XmlElement(
    std::string_view xml, std::string_view tag, std::size_t& from) {
    const std::string open = "<" + std::string(tag) + ">";
    const std::string close = "</" + std::string(tag) + ">";
    std::size_t start = xml.find(open, from);
    if (start == std::string_view::npos) {
        return std::nullopt;
    }
    start += open.size();
    std::size_t end = xml.find(close, start);
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    from = end + close.size();
    std::string_view raw = xml.substr(start, end - start);
    std::string text;
    text.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '&') {
            text.push_back(raw[i]);
            continue;
        }
        static constexpr std::pair<std::string_view, char> kEntities[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        bool decoded = false;
        for (const auto& [entity, c] : kEntities) {
            if (raw.substr(i).starts_with(entity)) {
                text.push_back(c);
                i += entity.size() - 1;
                decoded = true;
                break;
            }
        }
        if (!decoded) {
            text.push_back('&');
        }
    }
    return text;
}

std::optional<std::string> XmlElement(std::string_view xml, std::string_view tag) {
    std::size_t from = 0;
    return XmlElement(xml, tag, from);
}

// S3's error code (NoSuchKey, AccessDenied, ...) from an error document, reduced to characters a
// log line and a Status message can hold safely (the server is not trusted to be well-behaved).
std::string ErrorCode(std::string_view body) {
    std::string code = XmlElement(body, "Code").value_or("");
    code.erase(
        std::remove_if(
            code.begin(), code.end(),
            [](char c) {
                return !(
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
            }),
        code.end());
    if (code.size() > 64) {
        code.resize(64);
    }
    return code;
}

absl::Status HttpStatusToStatus(long status, std::string_view body, std::string_view what) {
    std::string message = "S3 " + std::string(what) + ": HTTP " + std::to_string(status);
    if (std::string code = ErrorCode(body); !code.empty()) {
        message += " " + code;
    }
    if (status == 404) {
        return absl::NotFoundError(message);
    }
    if (status == 403) {
        return absl::PermissionDeniedError(message);
    }
    if (status >= 500 || status == 429) {
        return absl::UnavailableError(message);
    }
    return absl::InternalError(message);
}

bool IsSuccess(long status) {
    return status >= 200 && status < 300;
}

struct ParsedEndpoint {
    std::string scheme;
    std::string host;  // host[:port], default port left out
};

// "http(s)://host[:port][/]" -> scheme and Host header value. Anything else is kept as it is and
// fails at the first request (storage::LoadConfig refuses it before that).
ParsedEndpoint ParseEndpoint(std::string_view endpoint) {
    ParsedEndpoint parsed;
    std::size_t sep = endpoint.find("://");
    if (sep == std::string_view::npos) {
        parsed.scheme = "https";
        parsed.host = std::string(endpoint);
    } else {
        parsed.scheme = std::string(endpoint.substr(0, sep));
        parsed.host = std::string(endpoint.substr(sep + 3));
    }
    while (!parsed.host.empty() && parsed.host.back() == '/') {
        parsed.host.pop_back();
    }
    const std::string default_port = parsed.scheme == "https" ? ":443" : ":80";
    if (parsed.host.ends_with(default_port) && parsed.host.back() != ']') {
        parsed.host.resize(parsed.host.size() - default_port.size());
    }
    return parsed;
}

// The type goes out as a header: no line breaks or other control characters; empty means unknown.
absl::Status CheckContentType(ObjectInfo& info) {
    if (core::HasControlCharacters(info.content_type) || info.content_type.size() > 255) {
        return absl::InvalidArgumentError("bad content type");
    }
    if (info.content_type.empty()) {
        info.content_type = "application/octet-stream";
    }
    return absl::OkStatus();
}

std::chrono::system_clock::time_point StartOfUtcDay(std::chrono::system_clock::time_point t) {
    return std::chrono::floor<std::chrono::days>(t);
}

}  // namespace

// Where an upload's bytes come from: memory (Put) or the writer's spool file (Commit).
class internal::UploadSource {
public:
    virtual ~UploadSource() = default;
    virtual uint64_t Size() const = 0;
    virtual std::string Sha256() = 0;
    // Up to `n` bytes at the current position; -1 on a read error.
    virtual ssize_t Read(char* buf, std::size_t n) = 0;
    virtual bool Seek(uint64_t offset) = 0;
};

namespace {

class MemorySource final : public internal::UploadSource {
public:
    explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
    uint64_t Size() const override { return bytes_.size(); }
    std::string Sha256() override { return core::Sha256Hex(bytes_); }
    ssize_t Read(char* buf, std::size_t n) override {
        std::size_t count = std::min(n, bytes_.size() - offset_);
        std::copy_n(bytes_.data() + offset_, count, buf);
        offset_ += count;
        return static_cast<ssize_t>(count);
    }
    bool Seek(uint64_t offset) override {
        if (offset > bytes_.size()) {
            return false;
        }
        offset_ = static_cast<std::size_t>(offset);
        return true;
    }

private:
    std::string_view bytes_;
    std::size_t offset_ = 0;
};

class FileSource final : public internal::UploadSource {
public:
    FileSource(int fd, uint64_t size, std::string sha256)
        : fd_(fd), size_(size), sha256_(std::move(sha256)) {}
    uint64_t Size() const override { return size_; }
    std::string Sha256() override { return sha256_; }
    ssize_t Read(char* buf, std::size_t n) override {
        std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(n, size_ - offset_));
        if (want == 0) {
            return 0;
        }
        while (true) {
            ssize_t got = ::pread(fd_, buf, want, static_cast<off_t>(offset_));
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got > 0) {
                offset_ += static_cast<uint64_t>(got);
            }
            // A short spool file (0 before the end) is an error, not the end of the object.
            return got == 0 ? -1 : got;
        }
    }
    bool Seek(uint64_t offset) override {
        if (offset > size_) {
            return false;
        }
        offset_ = offset;
        return true;
    }

private:
    int fd_;  // owned by the writer
    uint64_t size_;
    std::string sha256_;
    uint64_t offset_ = 0;
};

}  // namespace

struct S3ObjectStore::Request {
    std::string what;  // for messages: "PUT object"
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers{};
    std::string payload_sha256 = std::string(kEmptySha256);
    internal::UploadSource* upload = nullptr;
    // Most bytes of a successful answer's body kept; past it the transfer is cut
    // (ResourceExhausted).
    uint64_t max_body = kMaxErrorBody;
};

struct S3ObjectStore::Response {
    long status = 0;
    std::string body;
    std::string content_type;
    int64_t content_length = -1;
    int64_t modified = -1;  // seconds since the epoch, from Last-Modified
};

namespace {

struct Transfer {
    CURL* curl = nullptr;
    uint64_t max_body = 0;
    std::string* body = nullptr;
    internal::UploadSource* upload = nullptr;
    bool too_large = false;
    bool read_failed = false;

    long Status() const {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        return status;
    }
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    std::string_view line(data, n);
    constexpr std::string_view kLength = "content-length:";
    if (line.size() > kLength.size() && IsSuccess(t->Status())) {
        std::string name(line.substr(0, kLength.size()));
        std::transform(name.begin(), name.end(), name.begin(), [](char c) {
            return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        });
        if (name == kLength) {
            // Refuse an oversized object before its first byte arrives.
            uint64_t length =
                std::strtoull(std::string(line.substr(kLength.size())).c_str(), nullptr, 10);
            if (length > t->max_body) {
                t->too_large = true;
                return 0;
            }
        }
    }
    return n;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (IsSuccess(t->Status())) {
        if (t->body->size() + n > t->max_body) {
            t->too_large = true;
            return 0;  // aborts the transfer: nothing is read past the limit
        }
        t->body->append(data, n);
    } else if (t->body->size() < kMaxErrorBody) {
        t->body->append(data, std::min(n, kMaxErrorBody - t->body->size()));
    }
    return n;
}

size_t OnRead(char* buf, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    ssize_t got = t->upload->Read(buf, size * count);
    if (got < 0) {
        t->read_failed = true;
        return CURL_READFUNC_ABORT;
    }
    return static_cast<size_t>(got);
}

int OnSeek(void* user, curl_off_t offset, int origin) {
    auto* t = static_cast<Transfer*>(user);
    if (origin != SEEK_SET || offset < 0 || !t->upload->Seek(static_cast<uint64_t>(offset))) {
        return CURL_SEEKFUNC_CANTSEEK;
    }
    return CURL_SEEKFUNC_OK;
}

}  // namespace

// Spools to an unnamed temporary file (unlinked as soon as it is made, so a crash leaves nothing)
// and hashes as it goes; Commit uploads it in one PUT.
class S3ObjectWriter final : public ObjectWriter {
public:
    S3ObjectWriter(S3ObjectStore& store, std::string key, ObjectInfo info, int fd)
        : store_(store), key_(std::move(key)), info_(std::move(info)), fd_(fd) {}
    S3ObjectWriter(const S3ObjectWriter&) = delete;
    S3ObjectWriter& operator=(const S3ObjectWriter&) = delete;
    ~S3ObjectWriter() override { Abort(); }

    absl::Status Write(std::string_view bytes) override {
        if (fd_ < 0) {
            return absl::FailedPreconditionError("writer already committed or aborted");
        }
        std::string_view rest = bytes;
        while (!rest.empty()) {
            ssize_t n = ::write(fd_, rest.data(), rest.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                int err = errno;
                Abort();
                if (err == ENOSPC || err == EDQUOT) {
                    return absl::ResourceExhaustedError("spooling an object: disk full");
                }
                return absl::InternalError("spooling an object: " + ErrnoText(err));
            }
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
        sha256_.Update(bytes);
        bytes_written_ += bytes.size();
        return absl::OkStatus();
    }

    absl::Status Commit() override {
        if (fd_ < 0) {
            return absl::FailedPreconditionError("writer already committed or aborted");
        }
        FileSource source(fd_, bytes_written_, sha256_.HexDigest());
        absl::Status s = store_.Upload(key_, info_.content_type, source);
        Abort();  // the spool file goes either way; a failed commit is retried with a new writer
        return s;
    }

    void Abort() override {
        if (fd_ >= 0) {
            ::close(std::exchange(fd_, -1));
        }
    }

    uint64_t BytesWritten() const override { return bytes_written_; }

private:
    S3ObjectStore& store_;  // outlives its writers
    const std::string key_;
    const ObjectInfo info_;
    int fd_;  // the unlinked spool file; -1 once committed or aborted
    core::Sha256 sha256_;
    uint64_t bytes_written_ = 0;
};

S3ObjectStore::S3ObjectStore(S3Options options, core::Clock& clock)
    : options_(std::move(options)), clock_(clock) {
    // Reference-counted and thread-safe in the libcurl we build with (7.84+).
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ParsedEndpoint endpoint = ParseEndpoint(options_.endpoint);
    scheme_ = std::move(endpoint.scheme);
    host_ = std::move(endpoint.host);
    sigv4_ = "aws:amz:" + options_.region + ":s3";
    base_url_ = scheme_ + "://" + host_ + "/" + UriEncode(options_.bucket, false);
}

S3ObjectStore::~S3ObjectStore() {
    std::lock_guard lock(mu_);
    for (void* handle : idle_handles_) {
        curl_easy_cleanup(static_cast<CURL*>(handle));
    }
    idle_handles_.clear();
    curl_global_cleanup();
}

void* S3ObjectStore::AcquireHandle() {
    {
        std::lock_guard lock(mu_);
        if (!idle_handles_.empty()) {
            void* handle = idle_handles_.back();
            idle_handles_.pop_back();
            return handle;
        }
    }
    return curl_easy_init();
}

void S3ObjectStore::ReleaseHandle(void* handle) {
    // Reset drops every option (credentials included) but keeps the open connections.
    curl_easy_reset(static_cast<CURL*>(handle));
    std::lock_guard lock(mu_);
    if (idle_handles_.size() < kMaxIdleHandles) {
        idle_handles_.push_back(handle);
        return;
    }
    curl_easy_cleanup(static_cast<CURL*>(handle));
}

std::string S3ObjectStore::ObjectUrl(std::string_view key) const {
    return base_url_ + "/" + UriEncode(key, true);
}

absl::StatusOr<S3ObjectStore::Response> S3ObjectStore::Perform(Request& request) {
    CURL* curl = static_cast<CURL*>(AcquireHandle());
    if (curl == nullptr) {
        return absl::InternalError("S3 " + request.what + ": cannot create a curl handle");
    }
    Response response;
    Transfer transfer;
    transfer.curl = curl;
    // A HEAD answer carries the object's Content-Length but no body: nothing to bound.
    transfer.max_body =
        request.method == "HEAD" ? std::numeric_limits<uint64_t>::max() : request.max_body;
    transfer.body = &response.body;
    transfer.upload = request.upload;

    // curl signs every header given here (SigV4): none may be added that is later dropped.
    request.headers.push_back("x-amz-content-sha256: " + request.payload_sha256);
    curl_slist* headers = nullptr;
    for (const std::string& h : request.headers) {
        headers = curl_slist_append(headers, h.c_str());
    }

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty()) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    }
    curl_easy_setopt(
        curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(
        curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4_.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.access_key.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.secret_key.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_FILETIME, 1L);
    if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT") {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(
            curl, CURLOPT_INFILESIZE_LARGE,
            static_cast<curl_off_t>(request.upload == nullptr ? 0 : request.upload->Size()));
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnRead);
        curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
        curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, OnSeek);
        curl_easy_setopt(curl, CURLOPT_SEEKDATA, &transfer);
    } else if (request.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    const char* content_type = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK &&
        content_type != nullptr) {
        response.content_type = content_type;
    }
    curl_off_t length = -1;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK) {
        response.content_length = length;
    }
    curl_off_t modified = -1;
    if (curl_easy_getinfo(curl, CURLINFO_FILETIME_T, &modified) == CURLE_OK) {
        response.modified = modified;
    }
    ReleaseHandle(curl);
    curl_slist_free_all(headers);

    if (transfer.too_large) {
        return absl::ResourceExhaustedError("object is larger than allowed");
    }
    if (transfer.read_failed) {
        return absl::InternalError("S3 " + request.what + ": reading the spooled object failed");
    }
    if (rc != CURLE_OK) {
        return absl::UnavailableError("S3 " + request.what + ": " + curl_easy_strerror(rc));
    }
    return response;
}

absl::Status S3ObjectStore::EnsureBucket() {
    Request head{.what = "HEAD bucket", .method = "HEAD", .url = base_url_};
    auto found = Perform(head);
    if (!found.ok()) {
        return found.status();
    }
    if (IsSuccess(found->status)) {
        return absl::OkStatus();
    }
    if (found->status != 404) {
        return HttpStatusToStatus(found->status, found->body, head.what);
    }
    std::string body;
    if (options_.region != "us-east-1") {
        body =
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<LocationConstraint>" +
            options_.region + "</LocationConstraint></CreateBucketConfiguration>";
    }
    MemorySource source(body);
    Request create{
        .what = "create bucket",
        .method = "PUT",
        .url = base_url_,
        .payload_sha256 = core::Sha256Hex(body),
        .upload = &source};
    auto created = Perform(create);
    if (!created.ok()) {
        return created.status();
    }
    // 409: someone (another instance starting at the same time) made it first.
    if (IsSuccess(created->status) || created->status == 409) {
        return absl::OkStatus();
    }
    return HttpStatusToStatus(created->status, created->body, create.what);
}

absl::Status S3ObjectStore::Upload(
    const std::string& key, const std::string& content_type, internal::UploadSource& source) {
    Request put{
        .what = "PUT object",
        .method = "PUT",
        .url = ObjectUrl(key),
        .headers = {"Content-Type: " + content_type},
        .payload_sha256 = source.Sha256(),
        .upload = &source};
    auto response = Perform(put);
    if (!response.ok()) {
        return response.status();
    }
    if (!IsSuccess(response->status)) {
        return HttpStatusToStatus(response->status, response->body, put.what);
    }
    return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ObjectWriter>> S3ObjectStore::Create(
    std::string key, ObjectInfo info) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    if (absl::Status s = CheckContentType(info); !s.ok()) {
        return s;
    }
    std::string path = (options_.spool_dir / "hatongsu-s3-XXXXXX").string();
    int fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) {
        return absl::InternalError("creating a spool file: " + ErrnoText(errno));
    }
    ::unlink(path.c_str());
    return std::make_unique<S3ObjectWriter>(*this, std::move(key), std::move(info), fd);
}

absl::Status S3ObjectStore::Put(std::string key, std::string_view bytes, ObjectInfo info) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    if (absl::Status s = CheckContentType(info); !s.ok()) {
        return s;
    }
    MemorySource source(bytes);
    return Upload(key, info.content_type, source);
}

absl::StatusOr<std::string> S3ObjectStore::Get(std::string_view key, uint64_t max_bytes) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    Request get{.what = "GET object", .url = ObjectUrl(key), .max_body = max_bytes};
    auto response = Perform(get);
    if (!response.ok()) {
        return response.status();
    }
    if (!IsSuccess(response->status)) {
        return HttpStatusToStatus(response->status, response->body, get.what);
    }
    return std::move(response->body);
}

absl::Status S3ObjectStore::Copy(std::string_view from, std::string key, ObjectInfo info) {
    if (absl::Status s = ValidateKey(from); !s.ok()) {
        return s;
    }
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    if (absl::Status s = CheckContentType(info); !s.ok()) {
        return s;
    }
    MemorySource empty("");
    Request copy{
        .what = "copy object",
        .method = "PUT",
        .url = ObjectUrl(key),
        .headers =
            {"x-amz-copy-source: /" + UriEncode(options_.bucket, false) + "/" +
                 UriEncode(from, true),
             "x-amz-metadata-directive: REPLACE", "Content-Type: " + info.content_type},
        .payload_sha256 = std::string(kEmptySha256),
        .upload = &empty};
    auto response = Perform(copy);
    if (!response.ok()) {
        return response.status();
    }
    if (!IsSuccess(response->status)) {
        return HttpStatusToStatus(response->status, response->body, copy.what);
    }
    // S3 may answer a copy that failed part-way with 200 and an <Error> document.
    if (!ErrorCode(response->body).empty()) {
        return HttpStatusToStatus(500, response->body, copy.what);
    }
    return absl::OkStatus();
}

absl::StatusOr<ObjectStat> S3ObjectStore::Stat(std::string_view key) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    Request head{.what = "HEAD object", .method = "HEAD", .url = ObjectUrl(key)};
    auto response = Perform(head);
    if (!response.ok()) {
        return response.status();
    }
    if (!IsSuccess(response->status)) {
        return HttpStatusToStatus(response->status, response->body, head.what);
    }
    ObjectStat stat;
    stat.size = response->content_length < 0 ? 0 : static_cast<uint64_t>(response->content_length);
    stat.content_type =
        response->content_type.empty() ? "application/octet-stream" : response->content_type;
    if (response->modified >= 0) {
        stat.modified =
            std::chrono::system_clock::time_point(std::chrono::seconds(response->modified));
    }
    return stat;
}

absl::Status S3ObjectStore::Delete(std::string_view key) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    Request del{.what = "DELETE object", .method = "DELETE", .url = ObjectUrl(key)};
    auto response = Perform(del);
    if (!response.ok()) {
        return response.status();
    }
    if (IsSuccess(response->status) || response->status == 404) {
        return absl::OkStatus();
    }
    return HttpStatusToStatus(response->status, response->body, del.what);
}

absl::StatusOr<std::vector<std::string>> S3ObjectStore::List(
    std::string_view prefix, std::size_t limit) {
    if (absl::Status s = internal::ValidatePrefix(prefix); !s.ok()) {
        return s;
    }
    std::vector<std::string> keys;
    std::string token;
    while (keys.size() < limit) {
        // curl signs the query as written: parameters sorted by name, values fully encoded.
        std::string query;
        if (!token.empty()) {
            query += "continuation-token=" + UriEncode(token, false) + "&";
        }
        query +=
            "list-type=2&max-keys=" +
            std::to_string(std::min(
                limit - keys.size(), std::clamp<std::size_t>(options_.list_page_keys, 1, 1000)));
        query += "&prefix=" + UriEncode(prefix, false);
        Request list{
            .what = "list objects", .url = base_url_ + "?" + query, .max_body = kMaxListBody};
        auto response = Perform(list);
        if (!response.ok()) {
            return response.status();
        }
        if (!IsSuccess(response->status)) {
            return HttpStatusToStatus(response->status, response->body, list.what);
        }
        std::size_t from = 0;
        while (auto key = XmlElement(response->body, "Key", from)) {
            keys.push_back(std::move(*key));
        }
        bool truncated = XmlElement(response->body, "IsTruncated").value_or("") == "true";
        token = XmlElement(response->body, "NextContinuationToken").value_or("");
        if (!truncated || token.empty()) {
            break;
        }
    }
    if (keys.size() > limit) {
        keys.resize(limit);
    }
    return keys;
}

std::string S3ObjectStore::PublicUrl(std::string_view key) const {
    const std::string path = "/" + UriEncode(options_.bucket, false) + "/" + UriEncode(key, true);
    if (!options_.public_url.empty()) {
        std::string base = options_.public_url;
        while (!base.empty() && base.back() == '/') {
            base.pop_back();
        }
        return base + path;
    }
    return PresignUrl({
        .method = "GET",
        .scheme = scheme_,
        .host = host_,
        .path = path,
        .region = options_.region,
        .access_key = options_.access_key,
        .secret_key = options_.secret_key,
        .signing_time = StartOfUtcDay(clock_.Now()),
        .expires = kPresignExpiry,
    });
}

}  // namespace hatongsu::storage
