// Composition root of the album service: config -> adapters -> use cases -> gRPC server (and, at
// the merge, the upload worker), run by the service runtime (libs/runtime), which owns signals and
// the drain.
#include <iostream>
#include <optional>

#include "hatongsu/amqp/consumer.h"
#include "hatongsu/core/clock.h"
#include "hatongsu/jobs/upload_job.h"
#include "hatongsu/log/log.h"
#include "hatongsu/pg/migrate.h"
#include "hatongsu/pg/pool.h"
#include "hatongsu/rpc/server.h"
#include "hatongsu/rpc/service_auth.h"
#include "hatongsu/rpc/tls.h"
#include "hatongsu/runtime/admin.h"
#include "hatongsu/runtime/runtime.h"
#include "hatongsu/storage/config.h"
#include "hatongsu/storage/disk_object_store.h"
#include "services/album/adapter/grpc/album_grpc_service.h"
#include "services/album/adapter/metrics/prometheus_processing_metrics.h"
#include "services/album/adapter/pg/pg_repositories.h"
#include "services/album/adapter/vips/vips_image_processor.h"
#include "services/album/config.h"
#include "services/album/usecase/delete_album_images.h"
#include "services/album/usecase/listings.h"
#include "services/album/usecase/process_upload.h"
#include "services/album/usecase/upload_batches.h"

namespace {

using namespace hatongsu;
namespace ha = hatongsu::album;  // "album" alone is also the proto package

int Run(const char* argv0) {
    config::Env env = config::Env::FromProcess();
    auto cfg = ha::LoadConfig(env);
    if (!cfg.ok()) {
        std::cerr << "album: configuration errors:\n" << cfg.status().message() << "\n";
        return 2;
    }
    // First, before any thread: see runtime.h for the order of start-up and destruction.
    // One I/O thread serves the admin port (metrics); without metrics there is no Asio I/O.
    runtime::Runtime rt(
        "album", {.io_threads = cfg->admin.metrics ? 1 : 0, .drain_timeout = cfg->drain_timeout});
    log::Init("album", cfg->log_level, cfg->log_format);
    log::Info("starting", {{"config", env.Effective()}});  // secrets are shown as ***
    if (!ha::InitVips(argv0)) {
        log::Error("libvips did not start");
        return 1;
    }

    runtime::ServiceMetrics service_metrics(cfg->admin);
    metrics::Registry* counted = service_metrics.Registry();
    pg::Pool pool(cfg->pg_url, cfg->pg_pool_size, std::chrono::seconds(5), counted);
    if (absl::Status s = pg::Migrate(pool, "album", ha::pg::Migrations()); !s.ok()) {
        log::Error("migrations failed", {{"error", std::string(s.message())}});
        return 1;
    }
    ha::pg::PgAlbumImageRepository images(pool);
    ha::pg::PgUploadBatchRepository batches(pool);

    core::SystemClock clock;
    auto store = storage::Open(cfg->storage, clock);
    if (!store.ok()) {
        log::Error("object store unavailable", {{"error", std::string(store.status().message())}});
        return 1;
    }
    if (auto* disk = dynamic_cast<storage::DiskObjectStore*>(store->get())) {
        // Writes a crash left half-done (no upload takes an hour between two bytes).
        (void)disk->SweepTemp(clock.Now() - std::chrono::hours(1));
    }
    storage::ObjectStore& objects = **store;

    ha::GetAlbumImages get_images(images);
    ha::GetAlbumImagesCursor get_cursor(images);
    ha::GetAlbumImagesInfinite get_infinite(images);
    ha::GetFerrisNext ferris_next(images);
    ha::CountByDate count_by_date(images);
    ha::DeleteAlbumImages delete_images(images, objects);
    ha::GetGallerySpots get_spots(images);
    ha::UpdateGallerySpot update_spot(images);
    ha::CreateUploadBatch create_batch(batches);
    ha::GetUploadBatch get_batch(batches);

    // The upload worker: deliveries from the queue (at most `prefetch` in flight) run on
    // `job_threads` consumer threads, each job one ProcessUpload, at most `decode_threads` of them
    // decoding at a time (the others read, store or record).
    ha::VipsImageProcessor processor({.max_pixels = cfg->max_pixels});
    ha::RandomIdGenerator ids;
    std::optional<ha::metrics_adapter::PrometheusProcessingMetrics> processing_metrics;
    if (counted != nullptr) {
        processing_metrics.emplace(*counted);
    }
    ha::ProcessUpload process_upload(
        batches, images, objects, processor, ids, clock,
        {.max_file_bytes = static_cast<uint64_t>(cfg->max_file_bytes),
         .max_concurrent_decodes = cfg->decode_threads},
        processing_metrics ? &*processing_metrics : nullptr);
    const int max_attempts = cfg->max_attempts;
    amqp::Consumer consumer(
        {.url = cfg->amqp_url,
         .topology = amqp::Topology::For(cfg->queue),
         .prefetch = cfg->prefetch,
         .handler_threads = cfg->job_threads,
         .max_attempts = max_attempts,
         .metrics = counted},
        [&process_upload, max_attempts](amqp::Delivery delivery, amqp::Completion done) {
            auto job = jobs::DecodeUploadJob(delivery.body);
            if (!job.ok()) {
                log::Warn(
                    "unreadable upload message", {{"error", std::string(job.status().message())}});
                done.Finish(amqp::DeadLetter{std::string(job.status().message())});
                return;
            }
            ha::JobOutcome outcome = process_upload.Execute(*job);
            switch (outcome.action) {
                case ha::JobAction::kAck:
                    done.Finish(amqp::Ack{});
                    return;
                case ha::JobAction::kRetry:
                    if (delivery.attempt >= max_attempts) {
                        process_upload.GiveUp(*job, "RETRIES_EXHAUSTED");
                    }
                    done.Finish(amqp::Retry{outcome.reason});
                    return;
                case ha::JobAction::kDeadLetter:
                    done.Finish(amqp::DeadLetter{outcome.reason});
                    return;
            }
        });

    rpc::WorkPool io_pool(
        static_cast<std::size_t>(cfg->io_threads), static_cast<std::size_t>(cfg->max_queued_calls));
    rpc::ServiceAuth service_auth(cfg->service_secret, !cfg->grpc_tls.client_ca_file.empty());
    ha::grpc_adapter::AlbumService album_service(
        {get_images, get_cursor, get_infinite, ferris_next, count_by_date, delete_images, get_spots,
         update_spot, create_batch, get_batch},
        io_pool, objects, service_auth);

    int port = 0;
    rpc::ServerCalls server_calls;  // outlives the server, whose interceptors count there
    std::unique_ptr<grpc::Server> server;
    try {
        server = rpc::StartServer(
            cfg->grpc_address, {&album_service}, rpc::MakeServerCredentials(cfg->grpc_tls), &port,
            &server_calls, counted);
    } catch (const std::exception& e) {
        log::Error("cannot start", {{"error", e.what()}});
        return 1;
    }
    log::Info(
        "listening", {{"grpc", cfg->grpc_address},
                      {"port", port},
                      {"tls", !cfg->grpc_tls.cert_file.empty()},
                      {"mtls", !cfg->grpc_tls.client_ca_file.empty()},
                      {"service_secret", !cfg->service_secret.empty()}});

    if (absl::Status s = consumer.Start(); !s.ok()) {
        log::Error("upload consumer", {{"error", std::string(s.message())}});
        return 2;
    }
    // Drain: no new deliveries and the jobs in flight settled first, then the gRPC side.
    rt.OnDrain("upload consumer", [&consumer](auto deadline) { consumer.Stop(deadline); });
    rt.DrainGrpcServer(
        *server, server_calls);  // returns once every call has finished (or was cancelled)
    rt.DrainPool(io_pool);       // then no task can touch the use cases destroyed after Run()
    if (!service_metrics.ServeAdmin(rt)) {
        return 1;
    }
    int code = rt.Run();
    log::Shutdown();
    return code;
}

}  // namespace

int main(int /*argc*/, char** argv) {
    try {
        return Run(argv[0]);
    } catch (const std::exception& e) {
        std::cerr << "album: fatal: " << e.what() << "\n";
        return 1;
    }
}
