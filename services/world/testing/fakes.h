// In-memory fakes of the world server's small ports, for use-case tests.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "services/world/port/access_verifier.h"
#include "services/world/port/entropy.h"

namespace hatongsu::world::testing_fakes {

// Ids "P00000000000000000000001", "P00000000000000000000002", … (24 × [A-Za-z0-9]); Uniform()
// returns the scripted numbers in order, then 0.5.
class SequentialEntropy final : public Entropy {
public:
    std::string NewId() override {
        std::lock_guard lock(mu_);
        std::string n = std::to_string(++next_);
        return "P" + std::string(23 - n.size(), '0') + n;
    }
    double Uniform() override {
        std::lock_guard lock(mu_);
        if (script_.empty()) {
            return 0.5;
        }
        double v = script_.front();
        script_.pop_front();
        return v;
    }
    void Script(std::deque<double> values) {
        std::lock_guard lock(mu_);
        script_ = std::move(values);
    }

private:
    std::mutex mu_;
    int next_ = 0;
    std::deque<double> script_;
};

// Tokens known in advance (token -> user id); anything else is Unauthenticated.
class FakeAccessVerifier final : public AccessVerifier {
public:
    void Allow(std::string token, std::string user_id) {
        tokens_[std::move(token)] = std::move(user_id);
    }
    absl::StatusOr<std::string> Verify(std::string_view token) override {
        auto it = tokens_.find(std::string(token));
        if (it == tokens_.end()) {
            return absl::UnauthenticatedError("INVALID_TOKEN");
        }
        return it->second;
    }

private:
    std::map<std::string, std::string> tokens_;
};

}  // namespace hatongsu::world::testing_fakes
