#include "services/gateway/adapter/amqp/amqp_upload_queue.h"

#include "hatongsu/jobs/upload_job.h"
#include "hatongsu/log/log.h"

namespace hatongsu::gateway::amqp_adapter {

absl::Status AmqpUploadQueue::Publish(
    const CallMeta& meta, const std::string& batch_id, const std::vector<StagedFile>& files) {
    std::vector<amqp::Message> messages;
    messages.reserve(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        const StagedFile& f = files[i];
        jobs::UploadJob job{batch_id,   static_cast<int>(i), f.staging_key,
                            f.filename, f.mime_type,         f.size,
                            f.sha256,   f.last_modified_ms};
        amqp::Message m;
        m.body = jobs::EncodeUploadJob(job);
        m.message_id = batch_id + "/" + std::to_string(i);
        if (!meta.request_id.empty()) {
            m.headers["x-request-id"] = meta.request_id;
        }
        messages.push_back(std::move(m));
    }
    absl::Status s = publisher_.PublishBatch(messages, timeout_);
    if (!s.ok()) {
        log::Error(
            "upload batch not queued",
            {{"batch", batch_id}, {"files", files.size()}, {"error", std::string(s.message())}});
        return absl::UnavailableError("QUEUE_UNAVAILABLE");
    }
    return absl::OkStatus();
}

}  // namespace hatongsu::gateway::amqp_adapter
