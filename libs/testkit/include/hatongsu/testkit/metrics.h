// Reading a Prometheus text exposition in tests: the value of one series, by its name and labels
// exactly as the server renders them.
//
//   std::string text = testkit::HttpCall(port, verb::get, "/metrics").body;
//   double n = testkit::Sample(text,
//   R"(hatongsu_http_requests_total{method="GET",route="/user/me",status="2xx"})");
#pragma once

#include <string>

namespace hatongsu::testkit {

// The value of `series` in `text`, or -1 when no such line is there.
inline double Sample(const std::string& text, const std::string& series) {
    std::string::size_type at = 0;
    for (;;) {
        at = text.find(series + " ", at);
        if (at == std::string::npos) {
            return -1;
        }
        if (at == 0 || text[at - 1] == '\n') {
            return std::stod(text.substr(at + series.size() + 1));
        }
        at += series.size();
    }
}

}  // namespace hatongsu::testkit
