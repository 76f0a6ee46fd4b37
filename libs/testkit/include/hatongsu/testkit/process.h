// Test helpers for end-to-end tests: start a real binary with a given environment (output to a log
// file), wait for a port or an HTTP route, stop it with SIGTERM (SIGKILL after a grace period), and
// pick free loopback ports.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hatongsu/core/file.h"

namespace hatongsu::testkit {

inline uint16_t FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

inline bool PortOpen(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

class ChildProcess final {
public:
    ChildProcess(std::string path, std::map<std::string, std::string> env, std::string log_path)
        : log_path_(std::move(log_path)) {
        // Sanitizer settings of the test run reach the child too (suppressions, options).
        for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS"}) {
            const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): before fork
            if (value != nullptr && !env.contains(name)) {
                env[name] = value;
            }
        }
        // A service's admin port (metrics) is a fixed port by default: tests running side by
        // side take any free one instead, unless the test chose one.
        for (const char* name :
             {"GATEWAY_ADMIN_PORT", "USER_ADMIN_PORT", "ALBUM_ADMIN_PORT", "EVENT_ADMIN_PORT",
              "WORLD_ADMIN_PORT"}) {
            env.try_emplace(name, "0");
        }
        std::vector<std::string> env_strings;
        for (const auto& [k, v] : env) {
            env_strings.push_back(k + "=" + v);
        }
        pid_ = ::fork();
        if (pid_ < 0) {
            throw std::runtime_error("fork failed");
        }
        if (pid_ == 0) {
            int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            std::vector<char*> envp;
            for (auto& s : env_strings) {
                envp.push_back(s.data());
            }
            envp.push_back(nullptr);
            char* argv[] = {path.data(), nullptr};
            ::execve(path.c_str(), argv, envp.data());
            ::_exit(127);
        }
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess() { Stop(); }

    bool Running() {
        if (pid_ <= 0) {
            return false;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            pid_ = -1;
            return false;
        }
        return true;
    }

    // Waits until `port` accepts connections; false if the process died or time ran out.
    bool WaitForPort(uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(60)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (!Running()) {
                return false;
            }
            if (PortOpen(port)) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    // Sends `sig` and returns at once (Stop() then waits for the exit).
    void Signal(int sig) {
        if (pid_ > 0) {
            ::kill(pid_, sig);
        }
    }

    // SIGTERM, then SIGKILL after the grace period. Returns the exit code (128+signal if killed).
    int Stop(std::chrono::seconds grace = std::chrono::seconds(15)) {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            auto deadline = std::chrono::steady_clock::now() + grace;
            while (Running() && std::chrono::steady_clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            if (pid_ > 0) {
                ::kill(pid_, SIGKILL);
                int status = 0;
                ::waitpid(pid_, &status, 0);
                exit_code_ = 128 + SIGKILL;
                pid_ = -1;
            }
        }
        return exit_code_;
    }

    std::string Log() const { return core::ReadFile(log_path_).value_or(""); }

private:
    std::string log_path_;
    pid_t pid_ = -1;
    int exit_code_ = -1;
};

}  // namespace hatongsu::testkit
