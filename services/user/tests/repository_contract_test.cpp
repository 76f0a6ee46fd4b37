// The repository contract against the in-memory fakes; tests/integration runs it on PostgreSQL.
#include "services/user/testing/repository_contract.h"

#include "services/user/testing/in_memory_repositories.h"

namespace hatongsu::user::testing {
namespace {

struct InMemoryRepositories {
    UserRepository& Users() { return users; }
    RefreshTokenRepository& Refresh() { return refresh; }
    InMemoryUserRepository users;
    InMemoryRefreshTokenRepository refresh;
};

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, RepositoryContract, InMemoryRepositories);

}  // namespace
}  // namespace hatongsu::user::testing
