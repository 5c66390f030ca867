#include "temp_dir.hpp"

#include <stdlib.h>  // mkdtemp (POSIX)

#include <cerrno>
#include <system_error>

namespace taplink::testsupport {

namespace fs = std::filesystem;

TempDir::TempDir(std::string_view prefix, fs::perms mode) {
    std::string pattern = (fs::temp_directory_path() / prefix).string() + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
    if (mode != fs::perms::owner_all) {
        fs::permissions(path_, mode);
    }
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

std::string TempDir::file(std::string_view name) const {
    return path_ + "/" + std::string(name);
}

}  // namespace taplink::testsupport
