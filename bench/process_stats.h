// What a benchmark reads of the server it loads, from /proc: CPU time (user + system) and
// resident memory (now, and the peak the kernel kept).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace hatongsu::bench {

struct ProcessSample {
    double cpu_seconds = 0;
    double rss_mib = 0;
    double peak_rss_mib = 0;
};

inline ProcessSample SampleProcess(int pid) {
    ProcessSample s;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');  // the command name may hold spaces and parentheses
    if (close != std::string::npos && close + 2 <= line.size()) {
        std::istringstream fields(line.substr(close + 2));
        std::vector<std::string> f;
        for (std::string word; fields >> word;) {
            f.push_back(word);
        }
        if (f.size() > 12) {  // utime and stime are fields 14 and 15 of stat (1-based)
            double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
            s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
        }
    }
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            s.rss_mib = std::stod(line.substr(6)) / 1024.0;
        } else if (line.rfind("VmHWM:", 0) == 0) {
            s.peak_rss_mib = std::stod(line.substr(6)) / 1024.0;
        }
    }
    return s;
}

}  // namespace hatongsu::bench
