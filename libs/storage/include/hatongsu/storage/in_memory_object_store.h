// In-memory ObjectStore for unit tests of use cases (never used by a running service). Same
// contract as the real adapters, including key validation and all-or-nothing commits, so the
// contract suite runs against it too. Fault injection: FailNextWith(status) makes the next
// mutating or reading call return that status. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "hatongsu/storage/object_store.h"

namespace hatongsu::storage {

class InMemoryObjectStore final : public ObjectStore {
public:
    explicit InMemoryObjectStore(std::string public_base = "http://files.test")
        : public_base_(std::move(public_base)) {}

    absl::StatusOr<std::unique_ptr<ObjectWriter>> Create(std::string key, ObjectInfo info) override;
    absl::Status Put(std::string key, std::string_view bytes, ObjectInfo info) override;
    absl::StatusOr<std::string> Get(std::string_view key, uint64_t max_bytes) override;
    [[nodiscard]] absl::Status Copy(
        std::string_view from, std::string key, ObjectInfo info) override;
    absl::StatusOr<ObjectStat> Stat(std::string_view key) override;
    absl::Status Delete(std::string_view key) override;
    absl::StatusOr<std::vector<std::string>> List(
        std::string_view prefix, std::size_t limit) override;
    std::string PublicUrl(std::string_view key) const override;

    void FailNextWith(absl::Status status);
    std::size_t ObjectCount() const;

private:
    friend class InMemoryWriter;
    absl::Status TakeFault();
    void Commit(const std::string& key, std::string bytes, const ObjectInfo& info);

    struct Object {
        std::string bytes;
        std::string content_type;
    };
    const std::string public_base_;
    // A std::mutex rather than absl::Mutex: Debian's Abseil is uninstrumented, and ThreadSanitizer
    // must see this lock to check the tests that share a fake between threads.
    mutable std::mutex mu_;
    std::map<std::string, Object, std::less<>> objects_;  // guarded by mu_
    absl::Status fault_;                                  // guarded by mu_
};

}  // namespace hatongsu::storage
