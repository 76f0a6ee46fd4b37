#include "hatongsu/storage/in_memory_object_store.h"

#include <limits>
#include <utility>

namespace hatongsu::storage {

class InMemoryWriter final : public ObjectWriter {
public:
    InMemoryWriter(InMemoryObjectStore& store, std::string key, ObjectInfo info)
        : store_(store), key_(std::move(key)), info_(std::move(info)) {}

    absl::Status Write(std::string_view bytes) override {
        if (done_) {
            return absl::FailedPreconditionError("writer already committed or aborted");
        }
        bytes_.append(bytes);
        return absl::OkStatus();
    }
    absl::Status Commit() override {
        if (done_) {
            return absl::FailedPreconditionError("writer already committed or aborted");
        }
        if (absl::Status fault = store_.TakeFault(); !fault.ok()) {
            Abort();
            return fault;
        }
        done_ = true;
        store_.Commit(key_, std::move(bytes_), info_);
        return absl::OkStatus();
    }
    void Abort() override {
        done_ = true;
        bytes_.clear();
    }
    uint64_t BytesWritten() const override { return bytes_.size(); }

private:
    InMemoryObjectStore& store_;  // outlives its writers
    std::string key_;
    ObjectInfo info_;
    std::string bytes_;
    bool done_ = false;
};

absl::StatusOr<std::unique_ptr<ObjectWriter>> InMemoryObjectStore::Create(
    std::string key, ObjectInfo info) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    return std::make_unique<InMemoryWriter>(*this, std::move(key), std::move(info));
}

absl::Status InMemoryObjectStore::Put(std::string key, std::string_view bytes, ObjectInfo info) {
    auto writer = Create(std::move(key), std::move(info));
    if (!writer.ok()) {
        return writer.status();
    }
    if (absl::Status s = (*writer)->Write(bytes); !s.ok()) {
        return s;
    }
    return (*writer)->Commit();
}

absl::Status InMemoryObjectStore::Copy(std::string_view from, std::string key, ObjectInfo info) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    auto bytes = Get(from, std::numeric_limits<uint64_t>::max());
    if (!bytes.ok()) {
        return bytes.status();
    }
    Commit(key, std::move(*bytes), info);
    return absl::OkStatus();
}

absl::StatusOr<std::string> InMemoryObjectStore::Get(std::string_view key, uint64_t max_bytes) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    if (absl::Status fault = TakeFault(); !fault.ok()) {
        return fault;
    }
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) {
        return absl::NotFoundError("no such object");
    }
    if (it->second.bytes.size() > max_bytes) {
        return absl::ResourceExhaustedError("object is larger than allowed");
    }
    return it->second.bytes;
}

absl::StatusOr<ObjectStat> InMemoryObjectStore::Stat(std::string_view key) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    if (absl::Status fault = TakeFault(); !fault.ok()) {
        return fault;
    }
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) {
        return absl::NotFoundError("no such object");
    }
    ObjectStat stat;
    stat.size = it->second.bytes.size();
    stat.content_type = it->second.content_type;
    return stat;
}

absl::Status InMemoryObjectStore::Delete(std::string_view key) {
    if (absl::Status s = ValidateKey(key); !s.ok()) {
        return s;
    }
    if (absl::Status fault = TakeFault(); !fault.ok()) {
        return fault;
    }
    std::lock_guard lock(mu_);
    if (auto it = objects_.find(key); it != objects_.end()) {
        objects_.erase(it);
    }
    return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> InMemoryObjectStore::List(
    std::string_view prefix, std::size_t limit) {
    if (absl::Status fault = TakeFault(); !fault.ok()) {
        return fault;
    }
    std::lock_guard lock(mu_);
    std::vector<std::string> keys;
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.starts_with(prefix) && keys.size() < limit; ++it) {
        keys.push_back(it->first);
    }
    return keys;
}

std::string InMemoryObjectStore::PublicUrl(std::string_view key) const {
    return public_base_ + "/files/" + std::string(key);
}

void InMemoryObjectStore::FailNextWith(absl::Status status) {
    std::lock_guard lock(mu_);
    fault_ = std::move(status);
}

std::size_t InMemoryObjectStore::ObjectCount() const {
    std::lock_guard lock(mu_);
    return objects_.size();
}

absl::Status InMemoryObjectStore::TakeFault() {
    std::lock_guard lock(mu_);
    return std::exchange(fault_, absl::OkStatus());
}

void InMemoryObjectStore::Commit(
    const std::string& key, std::string bytes, const ObjectInfo& info) {
    std::lock_guard lock(mu_);
    objects_[key] = Object{std::move(bytes), info.content_type};
}

}  // namespace hatongsu::storage
