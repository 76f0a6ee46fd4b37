// The contract suite against the in-memory fake that use-case tests rely on.
#include "hatongsu/storage/in_memory_object_store.h"

#include "libs/storage/tests/object_store_contract.h"

namespace hatongsu::storage {
namespace {

class InMemoryBackend {
public:
    static std::string SkipReason() { return ""; }
    absl::Status Ready() { return absl::OkStatus(); }
    ObjectStore& Store() { return store_; }
    std::size_t LeftoverFiles() { return 0; }

private:
    InMemoryObjectStore store_;
};

}  // namespace

namespace contract {
INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, ObjectStoreContract, InMemoryBackend);
}  // namespace contract

namespace {}  // namespace
}  // namespace hatongsu::storage
