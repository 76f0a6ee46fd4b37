#include "hatongsu/core/file.h"

#include <fstream>
#include <sstream>

namespace hatongsu::core {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return absl::NotFoundError("cannot read " + path);
    }
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad()) {
        return absl::InternalError("read error on " + path);
    }
    return out.str();
}

}  // namespace hatongsu::core
