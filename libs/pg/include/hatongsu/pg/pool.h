// A fixed-size pool of libpqxx connections. A connection is used by one thread at a time; Run()
// lends one to a function and translates libpqxx exceptions into absl::Status at this boundary:
// unique_violation -> AlreadyExists, serialization_failure -> Aborted, data_exception (SQLSTATE
// class 22, e.g. 22P02 for a malformed UUID) -> InvalidArgument, broken_connection and pool
// exhaustion -> Unavailable, anything else -> Internal (detail logged, not returned).
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <absl/base/thread_annotations.h>
#include <absl/status/statusor.h>
#include <absl/synchronization/mutex.h>
#include <pqxx/pqxx>

namespace hatongsu::metrics {
class Registry;
}

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace hatongsu::pg {

absl::Status TranslateException(const std::exception& e, std::string_view what);

class Pool final {
public:
    // Opens `size` connections now: a wrong URL or an unreachable server fails at start-up. With
    // `metrics` (which must outlive the pool), the waits for a connection are counted there:
    // hatongsu_db_pool_wait_seconds, hatongsu_db_pool_exhausted_total, hatongsu_db_pool_in_use.
    Pool(
        std::string url,
        int size,
        std::chrono::milliseconds acquire_timeout,
        metrics::Registry* metrics = nullptr);
    ~Pool();

    // fn(pqxx::connection&) -> absl::Status or absl::StatusOr<T>.
    template <typename Fn>
    auto Run(std::string_view what, Fn&& fn) -> std::invoke_result_t<Fn, pqxx::connection&> {
        std::unique_ptr<pqxx::connection> conn;
        if (absl::Status s = Acquire(conn); !s.ok()) {
            return s;
        }
        try {
            auto result = fn(*conn);
            Release(std::move(conn));
            return result;
        } catch (const std::exception& e) {
            Release(std::move(conn));
            return TranslateException(e, what);
        }
    }

    // Round trip to the server: for readiness checks.
    [[nodiscard]] absl::Status Ping();

private:
    absl::Status Acquire(std::unique_ptr<pqxx::connection>& out);
    void Release(std::unique_ptr<pqxx::connection> conn);

    const std::string url_;
    const std::chrono::milliseconds acquire_timeout_;
    // Null without metrics.
    prometheus::Histogram* wait_ = nullptr;
    prometheus::Counter* exhausted_ = nullptr;
    prometheus::Gauge* in_use_ = nullptr;
    absl::Mutex mu_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
    int missing_ ABSL_GUARDED_BY(mu_) = 0;  // connections to reopen (were broken)
};

}  // namespace hatongsu::pg
