// Where accepted uploads go to be processed: one durable message per staged file (a claim check:
// the staging key, never the bytes). Publish returns once the broker has confirmed every message
// of the batch. Blocking: call it from a pool thread. Thread-safe.
// Errors: Unavailable QUEUE_UNAVAILABLE (broker down or not confirming in time).
#pragma once

#include <string>
#include <vector>

#include <absl/status/status.h>

#include "services/gateway/domain/album.h"
#include "services/gateway/port/user_client.h"

namespace hatongsu::gateway {

class UploadQueue {
public:
    virtual ~UploadQueue() = default;
    [[nodiscard]] virtual absl::Status Publish(
        const CallMeta& meta,
        const std::string& batch_id,
        const std::vector<StagedFile>& files) = 0;
    virtual bool Ready() = 0;  // connected to the broker (blocking; for /readyz)
};

}  // namespace hatongsu::gateway
