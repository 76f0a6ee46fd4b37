#include "hatongsu/storage/disk_object_store.h"

#include <algorithm>
#include <cerrno>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/storage/sigv4.h"
#include "libs/storage/src/prefix.h"

namespace hatongsu::storage {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempDirName = ".tmp";
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

// Closes a descriptor on every path out of a function.
class Fd final {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int Get() const { return fd_; }

private:
    int fd_;
};

std::string ErrnoText(int err) {
    return std::error_code(err, std::generic_category()).message();
}

// Messages name the operation, never the absolute path (a Status message may reach a client).
absl::Status ErrnoStatus(int err, std::string_view what) {
    std::string message = std::string(what) + ": " + ErrnoText(err);
    switch (err) {
        case ENOENT:
        case ENOTDIR:
            return absl::NotFoundError(std::string(what) + ": no such object");
        case EACCES:
        case EPERM:
        case EROFS:
            return absl::PermissionDeniedError(message);
        case ENOSPC:
        case EDQUOT:
            return absl::ResourceExhaustedError(message);
        default:
            return absl::InternalError(message);
    }
}

absl::Status ValidateDiskKey(std::string_view key) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    if (key == kTempDirName || key.starts_with(std::string(kTempDirName) + "/")) {
        return absl::InvalidArgumentError("object key may not start with the reserved .tmp folder");
    }
    return absl::OkStatus();
}

std::chrono::system_clock::time_point ModifiedTime(const struct stat& st) {
    auto since_epoch =
        std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch));
}

absl::Status WriteAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return ErrnoStatus(errno, "writing an object");
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return absl::OkStatus();
}

// Makes a rename durable; best effort (some file systems refuse fsync on folders).
void SyncFolder(const fs::path& folder) {
    Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.Get() >= 0) {
        ::fsync(fd.Get());
    }
}

// Renames a finished temporary file to its object's path, creating the folders on the way, and
// makes the rename durable.
absl::Status MoveIntoPlace(const fs::path& temp_path, const fs::path& final_path) {
    fs::path folder = final_path.parent_path();
    // A Delete of the folder's last other object may remove the folder between its creation
    // and the rename (ENOENT): create it again, a few times.
    int renamed = -1;
    for (int attempt = 0; attempt < 5 && renamed != 0; ++attempt) {
        std::error_code ec;
        fs::create_directories(folder, ec);
        if (ec == std::errc::file_exists || ec == std::errc::not_a_directory) {
            return absl::FailedPreconditionError(
                "object key runs through an existing object (e.g. \"a/b\" when \"a\" exists)");
        }
        if (ec) {
            return ErrnoStatus(ec.value(), "creating an object's folder");
        }
        renamed = ::rename(temp_path.c_str(), final_path.c_str());
        if (renamed != 0 && errno != ENOENT) {
            break;
        }
    }
    if (renamed != 0) {
        int err = errno;
        if (err == EISDIR || err == ENOTEMPTY || err == EEXIST || err == ENOTDIR) {
            return absl::FailedPreconditionError(
                "object key names a folder of other objects (e.g. \"a\" when \"a/b\" exists)");
        }
        return ErrnoStatus(err, "moving an object into place");
    }
    SyncFolder(folder);
    return absl::OkStatus();
}

class DiskObjectWriter final : public ObjectWriter {
public:
    DiskObjectWriter(int fd, fs::path temp_path, fs::path final_path)
        : fd_(fd), temp_path_(std::move(temp_path)), final_path_(std::move(final_path)) {}
    DiskObjectWriter(const DiskObjectWriter&) = delete;
    DiskObjectWriter& operator=(const DiskObjectWriter&) = delete;
    ~DiskObjectWriter() override { Abort(); }

    absl::Status Write(std::string_view bytes) override {
        if (fd_ < 0) {
            return absl::FailedPreconditionError("writer already committed or aborted");
        }
        if (absl::Status s = WriteAll(fd_, bytes); !s.ok()) {
            Abort();
            return s;
        }
        bytes_written_ += bytes.size();
        return absl::OkStatus();
    }

    absl::Status Commit() override {
        if (fd_ < 0) {
            return absl::FailedPreconditionError("writer already committed or aborted");
        }
        absl::Status s = Publish();
        if (!s.ok()) {
            Abort();
        }
        return s;
    }

    void Abort() override {
        if (fd_ < 0) {
            return;
        }
        ::close(std::exchange(fd_, -1));
        ::unlink(temp_path_.c_str());
    }

    uint64_t BytesWritten() const override { return bytes_written_; }

private:
    absl::Status Publish() {
        if (::fsync(fd_) != 0) {
            return ErrnoStatus(errno, "flushing an object");
        }
        if (absl::Status s = MoveIntoPlace(temp_path_, final_path_); !s.ok()) {
            return s;
        }
        // The temporary file is gone now: the descriptor is closed without unlinking anything.
        ::close(std::exchange(fd_, -1));
        return absl::OkStatus();
    }

    int fd_;  // -1 once committed or aborted
    const fs::path temp_path_;
    const fs::path final_path_;
    uint64_t bytes_written_ = 0;
};

}  // namespace

std::string ContentTypeForKey(std::string_view key) {
    std::size_t slash = key.rfind('/');
    std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
    std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) {
        return "application/octet-stream";
    }
    std::string ext = core::AsciiLower(name.substr(dot + 1));
    if (ext == "jpg" || ext == "jpeg") {
        return "image/jpeg";
    }
    if (ext == "png" || ext == "webp" || ext == "heic" || ext == "gif") {
        return "image/" + ext;
    }
    return "application/octet-stream";
}

DiskObjectStore::DiskObjectStore(fs::path root, std::string public_base_url)
    : root_(std::move(root)),
      temp_dir_(root_ / kTempDirName),
      public_base_url_(std::move(public_base_url)) {}

absl::StatusOr<std::unique_ptr<DiskObjectStore>> DiskObjectStore::Open(DiskOptions options) {
    std::error_code ec;
    fs::path root = fs::absolute(options.root, ec).lexically_normal();
    if (ec) {
        return absl::InvalidArgumentError("bad storage folder: " + ec.message());
    }
    if (!root.has_filename() && root != root.root_path()) {
        root = root.parent_path();  // "/x/y/" -> "/x/y"
    }
    fs::create_directories(root / kTempDirName, ec);
    if (ec) {
        return absl::FailedPreconditionError(
            "cannot create the storage folder " + root.string() + ": " + ec.message());
    }
    std::string base = std::move(options.public_base_url);
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    return std::unique_ptr<DiskObjectStore>(new DiskObjectStore(std::move(root), std::move(base)));
}

absl::StatusOr<std::unique_ptr<ObjectWriter>> DiskObjectStore::Create(
    std::string key, ObjectInfo /*info: the type follows from the key's extension*/) {
    if (absl::Status s = ValidateDiskKey(key); !s.ok()) {
        return s;
    }
    fs::path temp_path = temp_dir_ / (core::RandomToken(16) + ".part");
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == ENOENT) {
        // Someone removed the temporary folder (a clean-up by hand): make it again, once.
        std::error_code ec;
        fs::create_directories(temp_dir_, ec);
        fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    }
    if (fd < 0) {
        int err = errno;
        return err == ENOENT ? absl::InternalError("the storage folder is gone")
                             : ErrnoStatus(err, "creating a temporary file");
    }
    return std::make_unique<DiskObjectWriter>(fd, std::move(temp_path), root_ / key);
}

absl::Status DiskObjectStore::Put(std::string key, std::string_view bytes, ObjectInfo info) {
    auto writer = Create(std::move(key), std::move(info));
    if (!writer.ok()) {
        return writer.status();
    }
    if (absl::Status s = (*writer)->Write(bytes); !s.ok()) {
        return s;
    }
    return (*writer)->Commit();
}

absl::Status DiskObjectStore::Copy(std::string_view from, std::string key, ObjectInfo info) {
    if (absl::Status s = ValidateDiskKey(from); !s.ok()) {
        return s;
    }
    if (absl::Status s = ValidateDiskKey(key); !s.ok()) {
        return s;
    }
    // Objects are never changed in place (every write is a new file renamed over the old), so
    // two names for one file stay two independent objects.
    const fs::path temp_path = temp_dir_ / (core::RandomToken(16) + ".part");
    if (::link((root_ / from).c_str(), temp_path.c_str()) != 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
            struct stat st {};
            if (::stat((root_ / from).c_str(), &st) != 0) {
                return absl::NotFoundError("no such object");
            }
        }
        // No hard links here (another file system under .tmp, a FAT or network mount): the bytes.
        auto bytes = Get(from, std::numeric_limits<uint64_t>::max());
        if (!bytes.ok()) {
            return bytes.status();
        }
        return Put(std::move(key), *bytes, std::move(info));
    }
    // The link has the source's times; from now on it counts as a new file (SweepTemp removes
    // .tmp files by their modification time, and backups may pick files by it).
    ::utimensat(AT_FDCWD, temp_path.c_str(), nullptr, 0);
    absl::Status s = MoveIntoPlace(temp_path, root_ / key);
    if (!s.ok()) {
        ::unlink(temp_path.c_str());
        if (absl::IsNotFound(s)) {  // the link itself vanished (a sweep by hand): try again
            return absl::UnavailableError("the linked copy vanished before it was in place");
        }
    }
    return s;
}

absl::StatusOr<std::string> DiskObjectStore::Get(std::string_view key, uint64_t max_bytes) {
    if (absl::Status s = ValidateDiskKey(key); !s.ok()) {
        return s;
    }
    fs::path path = root_ / key;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.Get() < 0) {
        return ErrnoStatus(errno, "reading an object");
    }
    struct stat st {};
    if (::fstat(fd.Get(), &st) != 0) {
        return ErrnoStatus(errno, "reading an object");
    }
    if (!S_ISREG(st.st_mode)) {
        return absl::NotFoundError("reading an object: no such object");
    }
    if (static_cast<uint64_t>(st.st_size) > max_bytes) {
        return absl::ResourceExhaustedError("object is larger than allowed");
    }
    std::string bytes;
    bytes.reserve(static_cast<std::size_t>(st.st_size));
    char buf[kReadChunk];
    while (true) {
        ssize_t n = ::read(fd.Get(), buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return ErrnoStatus(errno, "reading an object");
        }
        if (n == 0) {
            break;
        }
        if (bytes.size() + static_cast<std::size_t>(n) > max_bytes) {
            return absl::ResourceExhaustedError("object is larger than allowed");  // it grew
        }
        bytes.append(buf, static_cast<std::size_t>(n));
    }
    return bytes;
}

absl::StatusOr<ObjectStat> DiskObjectStore::Stat(std::string_view key) {
    if (absl::Status s = ValidateDiskKey(key); !s.ok()) {
        return s;
    }
    fs::path path = root_ / key;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return ErrnoStatus(errno, "reading an object's size");
    }
    if (!S_ISREG(st.st_mode)) {
        return absl::NotFoundError("reading an object's size: no such object");
    }
    ObjectStat stat;
    stat.size = static_cast<uint64_t>(st.st_size);
    stat.content_type = ContentTypeForKey(key);
    stat.modified = ModifiedTime(st);
    return stat;
}

absl::Status DiskObjectStore::Delete(std::string_view key) {
    if (absl::Status s = ValidateDiskKey(key); !s.ok()) {
        return s;
    }
    fs::path path = root_ / key;
    if (::unlink(path.c_str()) != 0) {
        int err = errno;
        // Absent, or a folder of other objects: either way there is no object by this key.
        if (err == ENOENT || err == ENOTDIR || err == EISDIR) {
            return absl::OkStatus();
        }
        return ErrnoStatus(err, "deleting an object");
    }
    // The folders the key ran through go once empty (staging/<batch>/ after its last file), so
    // deleted objects leave nothing behind. A folder still in use is not empty and stays; a writer
    // that created one just before it went creates it again (Publish).
    // One folder per '/' of the key, deepest first: never the root itself.
    fs::path folder = path.parent_path();
    for (auto n = std::count(key.begin(), key.end(), '/'); n > 0; --n) {
        if (::rmdir(folder.c_str()) != 0) {
            break;
        }
        folder = folder.parent_path();
    }
    return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> DiskObjectStore::List(
    std::string_view prefix, std::size_t limit) {
    if (absl::Status s = internal::ValidatePrefix(prefix); !s.ok()) {
        return s;
    }
    if (prefix.starts_with(std::string(kTempDirName) + "/")) {
        return absl::InvalidArgumentError("the .tmp folder holds no objects");
    }
    std::vector<std::string> keys;
    if (limit == 0) {
        return keys;
    }
    // Walk only the deepest folder the prefix names in full ("staging/ab" -> staging/).
    std::size_t slash = prefix.rfind('/');
    fs::path start = slash == std::string_view::npos ? root_ : root_ / prefix.substr(0, slash);
    std::error_code ec;
    fs::recursive_directory_iterator it(start, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
            return keys;
        }
        return ErrnoStatus(ec.value(), "listing objects");
    }
    // The `limit` smallest keys, so memory stays bounded by the limit, not by the folder.
    std::set<std::string> smallest;
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            return ErrnoStatus(ec.value(), "listing objects");
        }
        const fs::directory_entry& entry = *it;
        if (entry.is_directory(ec)) {
            if (entry.path() == temp_dir_) {
                it.disable_recursion_pending();
            }
            continue;
        }
        if (!entry.is_regular_file(ec)) {
            continue;
        }
        std::string key = entry.path().lexically_relative(root_).generic_string();
        if (!key.starts_with(prefix)) {
            continue;
        }
        if (smallest.size() == limit) {
            if (key >= *smallest.rbegin()) {
                continue;
            }
            smallest.erase(std::prev(smallest.end()));
        }
        smallest.insert(std::move(key));
    }
    if (ec) {
        return ErrnoStatus(ec.value(), "listing objects");
    }
    keys.assign(smallest.begin(), smallest.end());
    return keys;
}

std::string DiskObjectStore::PublicUrl(std::string_view key) const {
    return public_base_url_ + "/files/" + UriEncode(key, true);
}

absl::StatusOr<fs::path> DiskObjectStore::LocalPath(std::string_view key) const {
    if (absl::Status s = ValidateDiskKey(key); !s.ok()) {
        return s;
    }
    fs::path path = root_ / key;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return ErrnoStatus(errno, "finding an object");
    }
    if (!S_ISREG(st.st_mode)) {
        return absl::NotFoundError("finding an object: no such object");
    }
    return path;
}

absl::StatusOr<std::size_t> DiskObjectStore::SweepTemp(
    std::chrono::system_clock::time_point older_than) {
    std::error_code ec;
    fs::directory_iterator it(temp_dir_, ec);
    if (ec) {
        return ErrnoStatus(ec.value(), "sweeping temporary files");
    }
    std::size_t removed = 0;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) {
            return ErrnoStatus(ec.value(), "sweeping temporary files");
        }
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        if (ModifiedTime(st) < older_than && ::unlink(it->path().c_str()) == 0) {
            ++removed;
        }
    }
    if (ec) {
        return ErrnoStatus(ec.value(), "sweeping temporary files");
    }
    return removed;
}

}  // namespace hatongsu::storage
