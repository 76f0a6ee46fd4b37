#include "hatongsu/log/log.h"

#include <chrono>
#include <ctime>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace hatongsu::log {
namespace {

struct State {
    std::string service = "hatongsu";
    bool json = true;
};

State& GetState() {
    static State state;  // written once by Init before any thread logs
    return state;
}

std::string Timestamp() {
    auto now = std::chrono::system_clock::now();
    std::time_t secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms.count()));
    return buf;
}

spdlog::level::level_enum ToLevel(std::string_view level) {
    return spdlog::level::from_str(std::string(level == "warning" ? "warn" : level));
}

}  // namespace

std::string EscapeForText(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (ch == '\\') {
            out += "\\\\";
        } else if (ch == '\n') {
            out += "\\n";
        } else if (ch == '\r') {
            out += "\\r";
        } else if (ch == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else {
            out += ch;
        }
    }
    return out;
}

void Init(std::string_view service, std::string_view level, std::string_view format) {
    GetState().service = std::string(service);
    GetState().json = format != "text";
    spdlog::init_thread_pool(8192, 1);
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::async_logger>(
        std::string(service), sink, spdlog::thread_pool(),
        spdlog::async_overflow_policy::overrun_oldest);
    logger->set_pattern("%v");
    logger->set_level(ToLevel(level));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

void Shutdown() {
    spdlog::default_logger()->flush();
    spdlog::shutdown();
}

bool Enabled(std::string_view level) {
    return spdlog::default_logger()->should_log(ToLevel(level));
}

void Write(std::string_view level, std::string_view msg, std::initializer_list<Field> fields) {
    auto lvl = ToLevel(level);
    if (!spdlog::default_logger()->should_log(lvl)) {
        return;
    }
    std::string line;
    if (GetState().json) {
        boost::json::object o;
        o["ts"] = Timestamp();
        o["level"] = level;
        o["service"] = GetState().service;
        o["msg"] = msg;
        for (const Field& f : fields) {
            o[f.key] = f.value;
        }
        line = boost::json::serialize(o);
    } else {
        line = Timestamp() + " " + std::string(level) + " " + EscapeForText(msg);
        for (const Field& f : fields) {
            line += " " + EscapeForText(f.key) + "=" +
                    EscapeForText(
                        f.value.is_string() ? std::string_view(f.value.get_string())
                                            : std::string_view(boost::json::serialize(f.value)));
        }
    }
    spdlog::default_logger()->log(lvl, line);
}

}  // namespace hatongsu::log
