#include "hatongsu/pg/pool.h"

#include <chrono>
#include <stdexcept>

#include "hatongsu/log/log.h"
#include "hatongsu/metrics/metrics.h"

namespace hatongsu::pg {

absl::Status TranslateException(const std::exception& e, std::string_view what) {
    if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
        return absl::AlreadyExistsError("already exists");
    }
    if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr ||
        dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) {
        return absl::AbortedError("concurrent update, try again");
    }
    if (dynamic_cast<const pqxx::data_exception*>(&e) != nullptr) {
        // SQLSTATE class 22: a value PostgreSQL cannot take (22P02: not a UUID, ...). The caller
        // sent it, so it is the caller's error, not ours.
        log::Debug("database refused a value", {{"op", what}, {"error", e.what()}});
        return absl::InvalidArgumentError("invalid value");
    }
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
        log::Warn("database connection lost", {{"op", what}, {"error", e.what()}});
        return absl::UnavailableError("database unavailable");
    }
    log::Error("database error", {{"op", what}, {"error", e.what()}});
    return absl::InternalError("database error");
}

Pool::Pool(
    std::string url,
    int size,
    std::chrono::milliseconds acquire_timeout,
    metrics::Registry* metrics)
    : url_(std::move(url)), acquire_timeout_(acquire_timeout) {
    if (metrics != nullptr) {
        wait_ = &metrics
                     ->Histogram(
                         "hatongsu_db_pool_wait_seconds",
                         "Time a database call waited for a pooled connection.")
                     .Add({}, metrics::LatencyBuckets());
        exhausted_ = &metrics
                          ->Counter(
                              "hatongsu_db_pool_exhausted_total",
                              "Database calls refused after waiting the whole acquire timeout.")
                          .Add({});
        in_use_ =
            &metrics->Gauge("hatongsu_db_pool_in_use", "Pooled connections lent out.").Add({});
    }
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < size; ++i) {
        idle_.push_back(std::make_unique<pqxx::connection>(url_));
    }
}

Pool::~Pool() = default;

absl::Status Pool::Acquire(std::unique_ptr<pqxx::connection>& out) {
    bool reopen = false;
    {
        const auto start = std::chrono::steady_clock::now();
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
            return !idle_.empty() || missing_ > 0;
        };
        bool got =
            mu_.AwaitWithTimeout(absl::Condition(&ready), absl::FromChrono(acquire_timeout_));
        if (wait_ != nullptr) {
            wait_->Observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            if (!got) {
                exhausted_->Increment();
            }
        }
        if (!got) {
            return absl::UnavailableError("database pool exhausted");
        }
        if (!idle_.empty()) {
            out = std::move(idle_.back());
            idle_.pop_back();
        } else {
            --missing_;
            reopen = true;
        }
    }
    if (reopen) {
        try {
            out = std::make_unique<pqxx::connection>(url_);
        } catch (const std::exception& e) {
            absl::MutexLock lock(&mu_);
            ++missing_;
            log::Warn("database reconnect failed", {{"error", e.what()}});
            return absl::UnavailableError("database unavailable");
        }
    }
    if (in_use_ != nullptr) {
        in_use_->Increment();
    }
    return absl::OkStatus();
}

void Pool::Release(std::unique_ptr<pqxx::connection> conn) {
    if (in_use_ != nullptr) {
        in_use_->Decrement();
    }
    absl::MutexLock lock(&mu_);
    if (conn && conn->is_open()) {
        idle_.push_back(std::move(conn));
    } else {
        ++missing_;
    }
}

absl::Status Pool::Ping() {
    return Run("ping", [](pqxx::connection& c) {
        pqxx::nontransaction tx(c);
        tx.exec("SELECT 1");
        return absl::OkStatus();
    });
}

}  // namespace hatongsu::pg
