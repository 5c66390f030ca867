#include "storage/secure_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "unix_socket.hpp"

namespace taplink::sim {

namespace {
[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void writeAll(int fd, const std::string& content, const std::string& path) {
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fail("write " + path);
        }
        written += static_cast<std::size_t>(n);
    }
}

void syncDirectoryOf(const std::string& path) {
    const std::string folder = std::filesystem::path(path).parent_path().string();
    const UniqueFd fd(
        ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0) {
        fail("fsync " + folder);
    }
}
}  // namespace

void writeFileAtomically(const std::string& path, const std::string& content) {
    const std::string temporary = path + ".tmp";
    ::unlink(temporary.c_str());  // a leftover of a crash; O_EXCL below insists on a new file
    {
        const UniqueFd fd(
            ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR));
        if (!fd) {
            fail("create " + temporary);
        }
        writeAll(fd.get(), content, temporary);
        if (::fsync(fd.get()) != 0) {
            fail("fsync " + temporary);
        }
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        fail("rename " + temporary);
    }
    syncDirectoryOf(path);
}

void createPrivateDirectory(const std::string& path) {
    std::filesystem::create_directories(path);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

}  // namespace taplink::sim
