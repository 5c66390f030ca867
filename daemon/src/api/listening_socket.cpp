#include "api/listening_socket.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "taplink/rpc/transport_error.hpp"

namespace taplink::api {

namespace {

[[noreturn]] void failWithErrno(const std::string& what) {
    throw TransportError(what + ": " + std::generic_category().message(errno));
}

// The folder must be a real directory (not a symlink), ours, and closed to everyone else.
void requirePrivateFolder(const std::string& folder) {
    if (::mkdir(folder.c_str(), S_IRWXU) == 0) {
        return;  // ours, and at most 0700 whatever the umask
    }
    if (errno != EEXIST) {
        failWithErrno("cannot create the socket folder " + folder);
    }
    struct stat info {};
    if (::lstat(folder.c_str(), &info) != 0) {
        failWithErrno("cannot inspect the socket folder " + folder);
    }
    if (!S_ISDIR(info.st_mode)) {
        throw TransportError("the socket folder " + folder + " is not a directory");
    }
    if (info.st_uid != ::geteuid()) {
        throw TransportError("the socket folder " + folder + " belongs to another user");
    }
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        throw TransportError("the socket folder " + folder +
                             " must be accessible to its owner only (chmod 700)");
    }
}

UniqueFd lockServer(const std::string& path) {
    const std::string lockPath = path + ".lock";
    UniqueFd lock(
        ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR));
    if (!lock) {
        failWithErrno("cannot open " + lockPath);
    }
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            throw TransportError("taplinkd is already running (" + path + " is in use)");
        }
        failWithErrno("cannot lock " + lockPath);
    }
    return lock;
}

// Called with the lock held: whoever bound an existing socket file is gone.
void removeStaleSocket(const std::string& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) {
            return;
        }
        failWithErrno("cannot inspect " + path);
    }
    if (!S_ISSOCK(info.st_mode)) {
        throw TransportError(path + " exists and is not a socket; not replacing it");
    }
    if (::unlink(path.c_str()) != 0) {
        failWithErrno("cannot remove the stale socket " + path);
    }
}

sockaddr_un addressOf(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        throw TransportError("socket path too long (" + std::to_string(path.size()) +
                             " bytes): " + path);
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

UniqueFd bindAndListen(const std::string& path, int backlog) {
    const sockaddr_un address = addressOf(path);
    UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket) {
        failWithErrno("socket");
    }
    // The folder already keeps others out; chmod rather than umask, which is per process.
    if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        failWithErrno("cannot bind " + path);
    }
    if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0) {
        failWithErrno("cannot chmod " + path);
    }
    if (::listen(socket.get(), backlog) != 0) {
        failWithErrno("cannot listen on " + path);
    }
    return socket;
}

}  // namespace

ListeningSocket ListeningSocket::open(const std::string& path, int backlog) {
    const std::string folder = std::filesystem::path(path).parent_path().string();
    requirePrivateFolder(folder.empty() ? "." : folder);
    UniqueFd lock = lockServer(path);
    removeStaleSocket(path);
    UniqueFd socket = bindAndListen(path, backlog);
    return ListeningSocket(path, std::move(lock), std::move(socket));
}

ListeningSocket::ListeningSocket(std::string path, UniqueFd lock, UniqueFd socket)
    : path_(std::move(path)), lock_(std::move(lock)), socket_(std::move(socket)) {
    struct stat info {};
    if (::stat(path_.c_str(), &info) == 0) {
        device_ = info.st_dev;
        inode_ = info.st_ino;
    }
}

ListeningSocket::~ListeningSocket() {
    close();
}

void ListeningSocket::close() {
    if (!socket_) {
        return;
    }
    socket_.reset();
    // Only our own socket file: never one that replaced it.
    struct stat info {};
    if (::lstat(path_.c_str(), &info) == 0 && info.st_dev == device_ && info.st_ino == inode_) {
        ::unlink(path_.c_str());
    }
    lock_.reset();  // only now may another server take the path
}

}  // namespace taplink::api
