// Structured logging on spdlog: one line per event, JSON by default ({"ts","level","service","msg",
// ...fields}), or "text" for humans. The sink is asynchronous and drops the oldest lines when full,
// so logging never blocks an I/O thread. Thread-safe after Init (called once, in main).
//
//   log::Info("request", {{"route", "/user/me"}, {"status", 200}, {"latency_ms", 0.4}});
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

namespace hatongsu::log {

struct Field {
    template <typename T>
    Field(std::string_view k, T&& v) : key(k), value(boost::json::value_from(std::forward<T>(v))) {}
    std::string_view key;
    boost::json::value value;
};

// level: trace, debug, info, warn, error; format: json or text.
void Init(std::string_view service, std::string_view level, std::string_view format);
void Shutdown();  // flushes; call before exit

bool Enabled(std::string_view level);

// How the text format writes a message, key or value: backslash, CR, LF, tab and every other
// control byte escaped, so no input (a %0A in a URL, say) can forge a log line.
std::string EscapeForText(std::string_view text);
void Write(std::string_view level, std::string_view msg, std::initializer_list<Field> fields);

inline void Debug(std::string_view msg, std::initializer_list<Field> fields = {}) {
    Write("debug", msg, fields);
}
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) {
    Write("info", msg, fields);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) {
    Write("warn", msg, fields);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) {
    Write("error", msg, fields);
}

}  // namespace hatongsu::log
