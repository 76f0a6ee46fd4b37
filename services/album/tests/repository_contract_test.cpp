// The repository contract against the in-memory fakes; tests/integration runs it on PostgreSQL.
#include "services/album/testing/repository_contract.h"

#include "services/album/testing/in_memory_repositories.h"

namespace hatongsu::album::testing {
namespace {

struct InMemoryRepositories {
    AlbumImageRepository& Images() { return images; }
    UploadBatchRepository& Batches() { return batches; }
    InMemoryUploadBatchRepository batches;
    InMemoryAlbumImageRepository images{&batches};
};

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, AlbumRepositoryContract, InMemoryRepositories);

}  // namespace
}  // namespace hatongsu::album::testing
