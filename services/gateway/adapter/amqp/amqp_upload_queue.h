// UploadQueue on RabbitMQ (libs/amqp): one persistent message per staged file in the upload job
// format of libs/jobs, with x-request-id, published with confirms. Thread-safe (the publisher
// serialises batches); blocking.
#pragma once

#include <chrono>

#include "hatongsu/amqp/publisher.h"
#include "services/gateway/port/upload_queue.h"

namespace hatongsu::gateway::amqp_adapter {

class AmqpUploadQueue final : public UploadQueue {
public:
    // `publisher` is owned by main and outlives this object.
    AmqpUploadQueue(amqp::Publisher& publisher, std::chrono::milliseconds timeout)
        : publisher_(publisher), timeout_(timeout) {}

    absl::Status Publish(
        const CallMeta& meta,
        const std::string& batch_id,
        const std::vector<StagedFile>& files) override;
    bool Ready() override { return publisher_.Connected(); }

private:
    amqp::Publisher& publisher_;
    const std::chrono::milliseconds timeout_;
};

}  // namespace hatongsu::gateway::amqp_adapter
