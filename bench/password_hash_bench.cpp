// Cost of one Argon2id hash (what a login or registration pays) at the service's default
// parameters and at the parameters from USER_ARGON2_OPSLIMIT / USER_ARGON2_MEMLIMIT_KIB if set.
#include <cstdlib>

#include <benchmark/benchmark.h>

#include "services/user/adapter/crypto/argon2_password_hasher.h"

namespace {

using hatongsu::user::crypto::Argon2idPasswordHasher;
using hatongsu::user::crypto::Argon2Params;

Argon2Params FromEnv() {
    Argon2Params p;
    if (const char* ops =
            std::getenv("USER_ARGON2_OPSLIMIT")) {  // NOLINT(concurrency-mt-unsafe): bench setup
        p.opslimit = std::strtoull(ops, nullptr, 10);
    }
    if (const char* mem =
            std::getenv("USER_ARGON2_MEMLIMIT_KIB")) {  // NOLINT(concurrency-mt-unsafe)
        p.memlimit = std::strtoull(mem, nullptr, 10) << 10;
    }
    return p;
}

void BM_Argon2idHash(benchmark::State& state) {
    Argon2Params params = FromEnv();
    Argon2idPasswordHasher hasher(params);
    for (auto _ : state) {
        benchmark::DoNotOptimize(hasher.Hash("correct horse battery staple"));
    }
    state.SetLabel(
        "opslimit=" + std::to_string(params.opslimit) +
        " memlimit=" + std::to_string(params.memlimit >> 10) + "KiB");
}
BENCHMARK(BM_Argon2idHash)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_Argon2idVerify(benchmark::State& state) {
    Argon2idPasswordHasher hasher(FromEnv());
    std::string hash = *hasher.Hash("correct horse battery staple");
    for (auto _ : state) {
        benchmark::DoNotOptimize(hasher.Verify("correct horse battery staple", hash));
    }
    state.SetItemsProcessed(state.iterations());
}
// One thread, then one per core: the second shows the real ceiling, since parallel hashes compete
// for memory bandwidth (items_per_second is summed over the threads).
BENCHMARK(BM_Argon2idVerify)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(2);

}  // namespace

BENCHMARK_MAIN();
