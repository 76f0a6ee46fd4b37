// In-memory fakes of the event server's ports, for use-case tests.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "services/event/port/access_verifier.h"
#include "services/event/port/connections.h"
#include "services/event/port/id_generator.h"

namespace hatongsu::event::testing_fakes {

// "id1", "id2", ...
class SequentialIds final : public IdGenerator {
public:
    std::string NewId() override {
        std::lock_guard lock(mu_);
        return "id" + std::to_string(++next_);
    }

private:
    std::mutex mu_;
    int next_ = 0;
};

// Tokens known in advance: token -> principal; anything else is Unauthenticated.
class FakeAccessVerifier final : public AccessVerifier {
public:
    void Allow(std::string token, Principal principal) {
        tokens_[std::move(token)] = std::move(principal);
    }
    absl::StatusOr<Principal> Verify(std::string_view token) override {
        auto it = tokens_.find(std::string(token));
        if (it == tokens_.end()) {
            return absl::UnauthenticatedError("INVALID_TOKEN");
        }
        return it->second;
    }

private:
    std::map<std::string, Principal> tokens_;
};

class RecordingConnections final : public Connections {
public:
    void Apply(const Effects& effects) override {
        std::lock_guard lock(mu_);
        applied_.insert(applied_.end(), effects.begin(), effects.end());
    }
    Effects Applied() {
        std::lock_guard lock(mu_);
        return applied_;
    }

private:
    std::mutex mu_;
    Effects applied_;
};

}  // namespace hatongsu::event::testing_fakes
