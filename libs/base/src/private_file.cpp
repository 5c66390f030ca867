#include "taplink/base/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "taplink/base/unique_fd.hpp"

namespace taplink {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void syncDirectoryOf(const std::string& path) {
    const std::string folder = std::filesystem::path(path).parent_path().string();
    const UniqueFd fd(
        ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0) {
        fail("fsync " + folder);
    }
}

void writeDurably(const std::string& path, std::string_view content) {
    const UniqueFd fd(
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR));
    if (!fd) {
        fail("create " + path);
    }
    if (!writeAll(fd.get(), content)) {
        fail("write " + path);
    }
    if (::fsync(fd.get()) != 0) {
        fail("fsync " + path);
    }
}

}  // namespace

StagedPrivateFile::StagedPrivateFile(std::string path, std::string_view content)
    : path_(std::move(path)), staged_(path_ + ".new") {
    ::unlink(staged_.c_str());  // a leftover of a crash; O_EXCL below insists on a new file
    try {
        writeDurably(staged_, content);
    } catch (...) {
        ::unlink(staged_.c_str());
        throw;
    }
}

StagedPrivateFile::~StagedPrivateFile() {
    if (!committed_) {
        ::unlink(staged_.c_str());
    }
}

void StagedPrivateFile::commit() {
    if (::rename(staged_.c_str(), path_.c_str()) != 0) {
        fail("rename " + staged_);
    }
    committed_ = true;
    syncDirectoryOf(path_);
}

void writeFileAtomically(const std::string& path, std::string_view content) {
    StagedPrivateFile(path, content).commit();
}

void createPrivateDirectory(const std::string& path) {
    std::filesystem::create_directories(path);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

}  // namespace taplink
