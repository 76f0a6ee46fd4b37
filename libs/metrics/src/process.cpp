#include "hatongsu/metrics/process.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

namespace hatongsu::metrics {
namespace {

prometheus::MetricFamily One(
    const char* name, const char* help, prometheus::MetricType type, double value) {
    prometheus::ClientMetric metric;
    if (type == prometheus::MetricType::Counter) {
        metric.counter.value = value;
    } else {
        metric.gauge.value = value;
    }
    return {name, help, type, {metric}};
}

// The fields of /proc/self/stat after the command name (which may hold spaces and parentheses):
// fields[0] is the state, field N of proc(5) is fields[N - 3].
std::optional<std::vector<std::string>> StatFields() {
    std::ifstream in("/proc/self/stat");
    std::string line;
    if (!std::getline(in, line)) {
        return std::nullopt;
    }
    auto close = line.rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream rest(line.substr(close + 1));
    std::vector<std::string> fields;
    for (std::string f; rest >> f;) {
        fields.push_back(f);
    }
    if (fields.size() < 22) {
        return std::nullopt;
    }
    return fields;
}

// Seconds since the epoch at boot (the `btime` line of /proc/stat).
std::optional<double> BootTime() {
    std::ifstream in("/proc/stat");
    for (std::string key; in >> key;) {
        if (key == "btime") {
            double t = 0;
            if (in >> t) {
                return t;
            }
            return std::nullopt;
        }
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return std::nullopt;
}

void AddStat(
    const std::vector<std::string>& v,
    double ticks,
    double page,
    std::vector<prometheus::MetricFamily>& out) {
    using prometheus::MetricType;
    // proc(5): utime 14, stime 15, num_threads 20, starttime 22, vsize 23, rss 24.
    out.push_back(
        One("process_cpu_seconds_total", "User and system CPU time spent, in seconds.",
            MetricType::Counter, (std::stod(v[11]) + std::stod(v[12])) / ticks));
    out.push_back(
        One("process_threads", "Threads in the process.", MetricType::Gauge, std::stod(v[17])));
    out.push_back(
        One("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
            std::stod(v[20])));
    out.push_back(
        One("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
            std::stod(v[21]) * page));
    if (auto boot = BootTime()) {
        out.push_back(
            One("process_start_time_seconds",
                "Start time of the process since the Unix epoch, in seconds.", MetricType::Gauge,
                *boot + std::stod(v[19]) / ticks));
    }
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
    using prometheus::MetricType;
    std::vector<prometheus::MetricFamily> out;
    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto page = static_cast<double>(sysconf(_SC_PAGESIZE));
    auto f = StatFields();
    if (f) {
        try {
            AddStat(*f, ticks, page, out);
        } catch (const std::exception&) {
            // A field that is not a number: left out, as an unreadable file is.
        }
    }
    std::error_code ec;
    double fds = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        ++fds;
    }
    if (!ec) {
        // Less the one the listing itself held open.
        out.push_back(
            One("process_open_fds", "Open file descriptors.", MetricType::Gauge,
                fds > 0 ? fds - 1 : 0));
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        out.push_back(
            One("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
                static_cast<double>(limit.rlim_cur)));
    }
    return out;
}

}  // namespace hatongsu::metrics
