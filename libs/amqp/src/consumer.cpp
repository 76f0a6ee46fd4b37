#include "hatongsu/amqp/consumer.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <sys/eventfd.h>
#include <unistd.h>

#include "hatongsu/amqp/backoff.h"
#include "hatongsu/log/log.h"
#include "hatongsu/metrics/metrics.h"
#include "libs/amqp/src/connection.h"
#include "libs/amqp/src/settle.h"

namespace hatongsu::amqp {

using Clock = std::chrono::steady_clock;

namespace internal {

// The state the consumer thread shares with handlers and with Stop(): settled outcomes on their
// way to the consumer thread, the count of deliveries handed out and not yet settled, the stop
// request, and an eventfd that wakes the consumer thread out of its poll. Shared with every
// Completion, which may outlive the Consumer.
class Settler final {
public:
    struct Settled {
        std::uint64_t generation;
        std::uint64_t tag;
        Outcome outcome;
    };

    Settler() : wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
    ~Settler() {
        if (wake_fd_ >= 0) {
            ::close(wake_fd_);
        }
    }
    Settler(const Settler&) = delete;
    Settler& operator=(const Settler&) = delete;

    int WakeFd() const { return wake_fd_; }

    void Wake() {
        std::uint64_t one = 1;
        // A full counter (never, in practice) still leaves the fd readable: nothing to handle.
        [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    }
    void DrainWake() {
        std::uint64_t value = 0;
        [[maybe_unused]] ssize_t n = ::read(wake_fd_, &value, sizeof value);
    }

    // Any thread: a handler's outcome.
    void Post(std::uint64_t generation, std::uint64_t tag, Outcome outcome) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            settled_.push_back({generation, tag, std::move(outcome)});
            --outstanding_;
        }
        changed_.notify_all();
        Wake();
    }

    std::vector<Settled> Take() {
        std::lock_guard<std::mutex> lock(mu_);
        std::vector<Settled> out;
        out.swap(settled_);
        return out;
    }

    void Dispatched() {
        std::lock_guard<std::mutex> lock(mu_);
        ++outstanding_;
    }

    // Deliveries of `generation` are worth handling only while its connection is up.
    void SetLiveGeneration(std::uint64_t generation) {
        std::lock_guard<std::mutex> lock(mu_);
        live_generation_ = generation;
    }
    bool Live(std::uint64_t generation) {
        std::lock_guard<std::mutex> lock(mu_);
        return generation == live_generation_;
    }

    void RequestStop(Clock::time_point deadline) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (!stop_ || deadline < stop_deadline_) {
                stop_deadline_ = deadline;
            }
            stop_ = true;
        }
        changed_.notify_all();
        Wake();
    }
    std::optional<Clock::time_point> StopDeadline() {
        std::lock_guard<std::mutex> lock(mu_);
        if (!stop_) {
            return std::nullopt;
        }
        return stop_deadline_;
    }

    // Until no delivery is outstanding, or a stop is requested.
    void AwaitIdleOrStop() {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait(lock, [this] { return outstanding_ == 0 || stop_; });
    }
    // Until no delivery is outstanding, or `deadline`.
    void AwaitIdle(Clock::time_point deadline) {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait_until(lock, deadline, [this] { return outstanding_ == 0; });
    }
    // Sleeps `delay`, or less if a stop is requested.
    void SleepUnlessStopped(std::chrono::milliseconds delay) {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait_for(lock, delay, [this] { return stop_; });
    }

private:
    const int wake_fd_;
    // std::mutex rather than Abseil's: Debian's Abseil is not built for ThreadSanitizer, which
    // would then not see this lock.
    std::mutex mu_;
    std::condition_variable changed_;  // outstanding_ or stop_ changed
    std::vector<Settled> settled_;     // guarded by mu_, and so is everything below
    int outstanding_ = 0;
    std::uint64_t live_generation_ = 0;
    bool stop_ = false;
    Clock::time_point stop_deadline_;
};

}  // namespace internal

// ---- Completion ----

Completion::Completion(
    std::shared_ptr<internal::Settler> settler,
    std::uint64_t generation,
    std::uint64_t delivery_tag)
    : settler_(std::move(settler)), generation_(generation), delivery_tag_(delivery_tag) {}

Completion::Completion(Completion&& other) noexcept
    : settler_(std::move(other.settler_)),
      generation_(other.generation_),
      delivery_tag_(other.delivery_tag_) {}

Completion& Completion::operator=(Completion&& other) noexcept {
    if (this != &other) {
        if (settler_) {
            settler_->Post(generation_, delivery_tag_, Retry{internal::kNoOutcome});
        }
        settler_ = std::move(other.settler_);
        generation_ = other.generation_;
        delivery_tag_ = other.delivery_tag_;
    }
    return *this;
}

Completion::~Completion() {
    if (settler_) {
        settler_->Post(generation_, delivery_tag_, Retry{internal::kNoOutcome});
    }
}

void Completion::Finish(Outcome outcome) {
    if (!settler_) {
        return;  // already reported
    }
    std::shared_ptr<internal::Settler> settler = std::move(settler_);
    settler->Post(generation_, delivery_tag_, std::move(outcome));
}

// ---- Consumer ----

namespace {

// A delivery waiting for the handler pool.
struct Task {
    Delivery delivery;
    Completion completion;
    std::uint64_t generation;
};

// What the consumer thread keeps of a delivery until it is settled: enough to publish a copy.
struct InFlight {
    std::string content_type;
    std::string message_id;
    std::map<std::string, std::string> headers;
    std::string body;  // empty for a TOO_LARGE one
    int attempt = 1;
};

// The content (header + body frames) of the delivery being read.
struct Incoming {
    bool active = false;
    bool have_header = false;
    std::uint64_t tag = 0;
    bool redelivered = false;
    std::uint64_t body_size = 0;
    std::uint64_t received = 0;
    bool too_large = false;
    InFlight data;
};

std::chrono::milliseconds Until(Clock::time_point deadline) {
    return std::max(
        std::chrono::milliseconds(0),
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

constexpr std::chrono::milliseconds kPollInterval{200};

}  // namespace

struct Consumer::Impl {
    Impl(ConsumerConfig c, Handler h)
        : config(std::move(c)),
          topology(config.topology.Resolved()),
          handler(std::move(h)),
          settler(std::make_shared<internal::Settler>()) {
        if (config.metrics != nullptr) {
            auto& consumed = config.metrics->Counter(
                "hatongsu_queue_consumed_total",
                "Deliveries settled, by queue and outcome (ack, retry, dead_letter).");
            const std::string& q = topology.queue;
            acked = &consumed.Add({{"queue", q}, {"outcome", "ack"}});
            retried = &consumed.Add({{"queue", q}, {"outcome", "retry"}});
            dead = &consumed.Add({{"queue", q}, {"outcome", "dead_letter"}});
            dead_lettered = &config.metrics
                                 ->Counter(
                                     "hatongsu_queue_dead_lettered_total",
                                     "Messages moved to the dead-letter queue, by queue.")
                                 .Add({{"queue", q}});
        }
    }

    absl::Status Validate() const;
    void CountSettlement(internal::Plan::Action action) {
        if (acked == nullptr) {
            return;
        }
        switch (action) {
            case internal::Plan::Action::kAck:
                acked->Increment();
                break;
            case internal::Plan::Action::kRetry:
                retried->Increment();
                break;
            case internal::Plan::Action::kDeadLetter:
                dead->Increment();
                dead_lettered->Increment();
                break;
        }
    }
    void Run();   // the consumer thread
    void Work();  // a pool thread
    void Enqueue(Task task);

    absl::StatusOr<std::unique_ptr<internal::Connection>> ConnectAndConsume();
    // Serves one connection; true once stopped, false when the connection broke.
    bool Serve(internal::Connection& connection);

    const ConsumerConfig config;
    const Topology topology;
    const Handler handler;
    const std::shared_ptr<internal::Settler> settler;
    // Null without metrics.
    prometheus::Counter* acked = nullptr;
    prometheus::Counter* retried = nullptr;
    prometheus::Counter* dead = nullptr;
    prometheus::Counter* dead_lettered = nullptr;
    internal::Url url;
    std::string consumer_tag;      // consumer thread only
    std::uint64_t generation = 0;  // consumer thread only: counts connections

    std::atomic<bool> connected{false};
    std::thread thread;
    std::vector<std::thread> workers;
    bool started = false;  // Start/Stop/~Consumer run on the owner's thread

    std::mutex tasks_mu;
    std::condition_variable tasks_changed;
    std::deque<Task> tasks;  // guarded by tasks_mu
    bool closing = false;    // guarded by tasks_mu
};

absl::Status Consumer::Impl::Validate() const {
    absl::StatusOr<internal::Url> parsed = internal::ParseUrl(config.url);
    if (!parsed.ok()) {
        return parsed.status();
    }
    if (absl::Status s = ValidateTopology(topology); !s.ok()) {
        return s;
    }
    if (config.prefetch < 1 || config.prefetch > 65535) {
        return absl::InvalidArgumentError("prefetch must be 1 to 65535");
    }
    if (config.handler_threads < 0 || config.handler_threads > 1024) {
        return absl::InvalidArgumentError("handler_threads must be 0 to 1024");
    }
    if (config.max_attempts < 1) {
        return absl::InvalidArgumentError("max_attempts must be at least 1");
    }
    if (config.base_delay.count() < 0 || config.max_delay < config.base_delay) {
        return absl::InvalidArgumentError("retry delays: 0 <= base_delay <= max_delay");
    }
    if (config.max_body_bytes == 0) {
        return absl::InvalidArgumentError("max_body_bytes must be positive");
    }
    if (config.heartbeat.count() < 0 || config.heartbeat.count() > 65535) {
        return absl::InvalidArgumentError("heartbeat must be 0 to 65535 s");
    }
    if (!handler) {
        return absl::InvalidArgumentError("no handler");
    }
    if (settler->WakeFd() < 0) {
        return absl::InternalError("eventfd failed");
    }
    return absl::OkStatus();
}

void Consumer::Impl::Enqueue(Task task) {
    {
        std::lock_guard<std::mutex> lock(tasks_mu);
        tasks.push_back(std::move(task));
    }
    tasks_changed.notify_one();
}

void Consumer::Impl::Work() {
    for (;;) {
        std::optional<Task> task;
        {
            std::unique_lock<std::mutex> lock(tasks_mu);
            tasks_changed.wait(lock, [this] { return !tasks.empty() || closing; });
            if (tasks.empty()) {
                return;  // closing, and nothing left
            }
            task.emplace(std::move(tasks.front()));
            tasks.pop_front();
        }
        if (!settler->Live(task->generation)) {
            continue;  // its connection is gone: the broker redelivers it; the Completion's
                       // destructor reports it (dropped by the consumer thread)
        }
        try {
            handler(std::move(task->delivery), std::move(task->completion));
        } catch (const std::exception& e) {
            log::Error("amqp handler threw", {{"queue", topology.queue}, {"error", e.what()}});
        } catch (...) {
            log::Error("amqp handler threw", {{"queue", topology.queue}});
        }
    }
}

absl::StatusOr<std::unique_ptr<internal::Connection>> Consumer::Impl::ConnectAndConsume() {
    auto opened = internal::Connection::Open(
        url, {.timeout = config.connect_timeout,
              .heartbeat_seconds = static_cast<int>(config.heartbeat.count()),
              .name = "hatongsu consumer"});
    if (!opened.ok()) {
        return opened.status();
    }
    std::unique_ptr<internal::Connection> c = std::move(opened).value();
    amqp_connection_state_t state = c->State();
    absl::Status s = internal::Declare(*c, topology);
    if (s.ok()) {
        amqp_basic_qos(
            state, internal::kChannel, 0, static_cast<std::uint16_t>(config.prefetch),
            /*global=*/0);
        s = internal::ReplyToStatus(amqp_get_rpc_reply(state), "basic.qos");
    }
    if (s.ok()) {
        amqp_confirm_select(state, internal::kChannel);
        s = internal::ReplyToStatus(amqp_get_rpc_reply(state), "confirm.select");
    }
    if (s.ok()) {
        amqp_basic_consume_ok_t* ok = amqp_basic_consume(
            state, internal::kChannel, internal::Bytes(topology.queue), amqp_empty_bytes,
            /*no_local=*/0, /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
        s = internal::ReplyToStatus(amqp_get_rpc_reply(state), "basic.consume");
        if (s.ok()) {
            consumer_tag = std::string(internal::View(ok->consumer_tag));
        }
    }
    if (!s.ok()) {
        c->MarkBroken();
        return s;
    }
    return c;
}

void Consumer::Impl::Run() {
    int failures = 0;
    for (;;) {
        // Handlers of the previous connection finish first: the prefetch bound holds across
        // reconnects, and no message runs twice at once (the broker redelivers those).
        settler->AwaitIdleOrStop();
        if (std::optional<Clock::time_point> deadline = settler->StopDeadline()) {
            settler->AwaitIdle(*deadline);
            settler->Take();
            return;
        }
        settler->Take();  // outcomes of a lost connection: nothing to settle them on

        auto c = ConnectAndConsume();
        if (!c.ok()) {
            ++failures;
            std::chrono::milliseconds delay =
                RetryDelay(failures, config.reconnect_base_delay, config.reconnect_max_delay);
            log::Warn(
                "amqp consumer cannot connect",
                {{"queue", topology.queue},
                 {"error", c.status().ToString()},
                 {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
            settler->SleepUnlessStopped(delay);
            continue;
        }
        failures = 0;
        ++generation;
        settler->SetLiveGeneration(generation);
        connected = true;
        log::Info("amqp consumer connected", {{"queue", topology.queue}});
        bool stopped_now = Serve(**c);
        connected = false;
        settler->SetLiveGeneration(0);
        if (stopped_now) {
            (*c)->Close();  // whatever is still unacknowledged goes back to the queue
            settler->Take();
            return;
        }
        (*c)->MarkBroken();
        log::Warn("amqp consumer connection lost", {{"queue", topology.queue}});
    }
}

bool Consumer::Impl::Serve(internal::Connection& connection) {
    amqp_connection_state_t state = connection.State();
    const internal::RetryPolicy policy{config.max_attempts, config.base_delay, config.max_delay};
    std::map<std::uint64_t, InFlight> in_flight;  // delivery tag -> what a copy needs
    // Publish seq of a copy -> the delivery tag and what the copy is (counted once confirmed).
    std::map<std::uint64_t, std::pair<std::uint64_t, internal::Plan::Action>> confirms;
    std::uint64_t next_seq = 1;
    Incoming incoming;
    bool cancelling = false;
    Clock::time_point last_read = Clock::now();
    // The negotiated heartbeat (the broker may ask for less, or none): the broker sends one at
    // least every interval when it has nothing else to say.
    const std::chrono::seconds heartbeat(amqp_get_heartbeat(state));
    const auto silent_limit = 2 * heartbeat + std::chrono::seconds(1);

    auto ack = [&](std::uint64_t tag) {
        in_flight.erase(tag);
        return amqp_basic_ack(state, internal::kChannel, tag, /*multiple=*/0) == AMQP_STATUS_OK;
    };

    // Carries out one outcome; false when the connection failed.
    auto settle = [&](std::uint64_t tag, const Outcome& outcome) {
        auto it = in_flight.find(tag);
        if (it == in_flight.end()) {
            return true;
        }
        const InFlight& d = it->second;
        internal::Plan plan = internal::PlanSettlement(outcome, d.attempt, policy);
        if (plan.action == internal::Plan::Action::kAck) {
            bool acked_now = ack(tag);
            if (acked_now) {
                CountSettlement(plan.action);
            }
            return acked_now;
        }
        std::map<std::string, std::string> headers = d.headers;
        headers[internal::kAttemptHeader] = std::to_string(plan.attempt_header);
        std::string expiration;
        const std::string* target = &topology.dead_letter_queue;
        if (plan.action == internal::Plan::Action::kRetry) {
            headers[internal::kRetryReasonHeader] = plan.reason;
            expiration = std::to_string(plan.delay.count());
            target = &topology.retry_queue;
        } else {
            headers[internal::kDeathReasonHeader] = plan.reason;
            log::Warn(
                "amqp message dead-lettered", {{"queue", topology.queue},
                                               {"message_id", d.message_id},
                                               {"reason", plan.reason},
                                               {"attempt", d.attempt}});
        }
        internal::OutgoingProperties props(
            d.content_type, d.message_id, headers,
            plan.action == internal::Plan::Action::kRetry ? &expiration : nullptr);
        int rc = amqp_basic_publish(
            state, internal::kChannel, amqp_empty_bytes, internal::Bytes(*target),
            /*mandatory=*/1, /*immediate=*/0, props.Get(), internal::Bytes(d.body));
        if (rc != AMQP_STATUS_OK) {
            return false;
        }
        // The original is acknowledged (and the outcome counted) once the copy is confirmed.
        confirms[next_seq++] = {tag, plan.action};
        return true;
    };

    // A delivery's content is complete.
    auto complete = [&]() {
        Incoming in = std::move(incoming);
        incoming = Incoming{};
        if (cancelling) {
            // Stopping: back to the queue at once, for another consumer.
            return amqp_basic_reject(state, internal::kChannel, in.tag, /*requeue=*/1) ==
                   AMQP_STATUS_OK;
        }
        in.data.attempt = internal::AttemptFromHeaders(in.data.headers);
        if (in.too_large) {
            in.data.headers[internal::kBodySizeHeader] = std::to_string(in.body_size);
            in_flight[in.tag] = std::move(in.data);
            return settle(in.tag, DeadLetter{internal::kTooLarge});
        }
        Delivery delivery{
            .body = in.data.body,
            .headers = in.data.headers,
            .message_id = in.data.message_id,
            .content_type = in.data.content_type,
            .redelivered = in.redelivered,
            .attempt = in.data.attempt};
        in_flight[in.tag] = std::move(in.data);
        settler->Dispatched();
        Enqueue(Task{std::move(delivery), Completion(settler, generation, in.tag), generation});
        return true;
    };

    // One frame from the broker; false when the connection must be given up.
    auto handle_frame = [&](const amqp_frame_t& frame) {
        if (frame.channel == 0) {
            if (frame.frame_type == AMQP_FRAME_METHOD &&
                frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
                auto* close = static_cast<amqp_connection_close_t*>(frame.payload.method.decoded);
                log::Warn(
                    "amqp broker closed the connection",
                    {{"queue", topology.queue},
                     {"code", close->reply_code},
                     {"text", std::string(internal::View(close->reply_text))}});
                return false;
            }
            return true;
        }
        if (frame.channel != internal::kChannel) {
            return true;
        }
        if (frame.frame_type == AMQP_FRAME_HEADER) {
            if (!incoming.active || incoming.have_header) {
                return false;  // protocol error
            }
            incoming.have_header = true;
            incoming.body_size = frame.payload.properties.body_size;
            incoming.too_large = incoming.body_size > config.max_body_bytes;
            const auto* p =
                static_cast<const amqp_basic_properties_t*>(frame.payload.properties.decoded);
            if ((p->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG) != 0) {
                incoming.data.content_type = std::string(internal::View(p->content_type));
            }
            if ((p->_flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0) {
                incoming.data.message_id = std::string(internal::View(p->message_id));
            }
            if ((p->_flags & AMQP_BASIC_HEADERS_FLAG) != 0) {
                incoming.data.headers = internal::HeadersFromTable(p->headers);
            }
            if (!incoming.too_large) {
                incoming.data.body.reserve(incoming.body_size);
            }
            return incoming.body_size == 0 ? complete() : true;
        }
        if (frame.frame_type == AMQP_FRAME_BODY) {
            if (!incoming.active || !incoming.have_header) {
                return false;
            }
            const amqp_bytes_t& fragment = frame.payload.body_fragment;
            incoming.received += fragment.len;
            if (incoming.received > incoming.body_size) {
                return false;
            }
            if (!incoming.too_large) {  // a too-large body is skipped frame by frame
                incoming.data.body.append(internal::View(fragment));
            }
            return incoming.received == incoming.body_size ? complete() : true;
        }
        if (frame.frame_type != AMQP_FRAME_METHOD) {
            return true;
        }
        if (incoming.active) {
            return false;  // a method in the middle of a delivery's content
        }
        switch (frame.payload.method.id) {
            case AMQP_BASIC_DELIVER_METHOD: {
                auto* d = static_cast<amqp_basic_deliver_t*>(frame.payload.method.decoded);
                incoming.active = true;
                incoming.tag = d->delivery_tag;
                incoming.redelivered = d->redelivered != 0;
                return true;
            }
            case AMQP_BASIC_ACK_METHOD:
            case AMQP_BASIC_NACK_METHOD: {
                // Confirms of our copies (retry, dead letter).
                bool nack = frame.payload.method.id == AMQP_BASIC_NACK_METHOD;
                std::uint64_t seq = 0;
                bool multiple = false;
                if (nack) {
                    auto* n = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
                    seq = n->delivery_tag;
                    multiple = n->multiple != 0;
                } else {
                    auto* a = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
                    seq = a->delivery_tag;
                    multiple = a->multiple != 0;
                }
                auto end = multiple ? confirms.upper_bound(seq) : confirms.find(seq);
                auto begin = multiple ? confirms.begin() : end;
                if (!multiple) {
                    if (end == confirms.end()) {
                        return true;
                    }
                    ++end;
                }
                for (auto it = begin; it != end;) {
                    auto [tag, action] = it->second;
                    it = confirms.erase(it);
                    if (nack) {
                        // The broker could not take the copy: the original goes back to the
                        // queue and is tried again.
                        in_flight.erase(tag);
                        log::Warn("amqp broker refused a retry copy", {{"queue", topology.queue}});
                        if (amqp_basic_nack(
                                state, internal::kChannel, tag, /*multiple=*/0, /*requeue=*/1) !=
                            AMQP_STATUS_OK) {
                            return false;
                        }
                    } else if (!ack(tag)) {
                        return false;
                    } else {
                        CountSettlement(action);
                    }
                }
                return true;
            }
            case AMQP_BASIC_RETURN_METHOD:
                // A copy was unroutable: the retry or dead-letter queue was deleted. Its original
                // is not acknowledged yet (the return comes before the confirm); reconnecting
                // declares the queues again and the original is redelivered.
                log::Error("amqp retry or dead-letter queue missing", {{"queue", topology.queue}});
                return false;
            case AMQP_BASIC_CANCEL_METHOD:
                log::Warn("amqp broker cancelled the consumer", {{"queue", topology.queue}});
                return false;
            case AMQP_BASIC_CANCEL_OK_METHOD:
                return true;
            case AMQP_CHANNEL_CLOSE_METHOD: {
                auto* close = static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
                log::Warn(
                    "amqp broker closed the channel",
                    {{"queue", topology.queue},
                     {"code", close->reply_code},
                     {"text", std::string(internal::View(close->reply_text))}});
                return false;
            }
            default:
                return true;
        }
    };

    for (;;) {
        if (std::optional<Clock::time_point> deadline = settler->StopDeadline()) {
            if (!cancelling) {
                cancelling = true;
                amqp_basic_cancel_t cancel{};
                cancel.consumer_tag = internal::Bytes(consumer_tag);
                cancel.nowait = 0;
                if (amqp_send_method(
                        state, internal::kChannel, AMQP_BASIC_CANCEL_METHOD, &cancel) !=
                    AMQP_STATUS_OK) {
                    return true;
                }
            }
            if ((in_flight.empty() && !incoming.active) || Clock::now() >= *deadline) {
                return true;
            }
        }
        for (internal::Settler::Settled& s : settler->Take()) {
            if (s.generation == generation && !settle(s.tag, s.outcome)) {
                return false;
            }
        }
        if (!amqp_frames_enqueued(state) && !amqp_data_in_buffer(state)) {
            std::chrono::milliseconds wait = kPollInterval;
            if (std::optional<Clock::time_point> deadline = settler->StopDeadline()) {
                wait = std::min(wait, Until(*deadline));
            }
            internal::Readiness ready =
                internal::WaitReadable(connection.Fd(), settler->WakeFd(), wait);
            if (ready.wake) {
                settler->DrainWake();
            }
            if (ready.socket) {
                last_read = Clock::now();
            }
        }
        // Every complete frame there is. A zero timeout never blocks, and lets rabbitmq-c send
        // its heartbeat when one is due.
        for (;;) {
            amqp_frame_t frame{};
            timeval zero{};
            int rc = amqp_simple_wait_frame_noblock(state, &frame, &zero);
            if (rc == AMQP_STATUS_TIMEOUT) {
                break;
            }
            if (rc != AMQP_STATUS_OK) {
                log::Warn(
                    "amqp consumer read failed",
                    {{"queue", topology.queue}, {"error", amqp_error_string2(rc)}});
                return false;
            }
            last_read = Clock::now();
            if (!handle_frame(frame)) {
                return false;
            }
            if (!amqp_frames_enqueued(state)) {
                amqp_maybe_release_buffers(state);
            }
        }
        if (heartbeat.count() > 0 && Clock::now() - last_read > silent_limit) {
            log::Warn("amqp broker silent past the heartbeat", {{"queue", topology.queue}});
            return false;
        }
    }
}

Consumer::Consumer(ConsumerConfig config, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(handler))) {}

Consumer::~Consumer() {
    Stop(Clock::now());
    {
        std::lock_guard<std::mutex> lock(impl_->tasks_mu);
        impl_->closing = true;
    }
    impl_->tasks_changed.notify_all();
    for (std::thread& t : impl_->workers) {
        t.join();
    }
}

absl::Status Consumer::Start() {
    if (impl_->started) {
        return absl::FailedPreconditionError("consumer already started");
    }
    if (absl::Status s = impl_->Validate(); !s.ok()) {
        return s;
    }
    impl_->url = *internal::ParseUrl(impl_->config.url);
    impl_->started = true;
    int threads =
        impl_->config.handler_threads > 0 ? impl_->config.handler_threads : impl_->config.prefetch;
    for (int i = 0; i < threads; ++i) {
        impl_->workers.emplace_back([impl = impl_.get()] { impl->Work(); });
    }
    impl_->thread = std::thread([impl = impl_.get()] { impl->Run(); });
    return absl::OkStatus();
}

void Consumer::Stop(std::chrono::steady_clock::time_point deadline) {
    impl_->settler->RequestStop(deadline);
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
}

bool Consumer::Connected() const {
    return impl_->connected.load();
}

}  // namespace hatongsu::amqp
