// Who can reach the socket: an owner-only folder and file, a stale socket replaced but
// nothing else, one server per path, the default path, and SO_PEERCRED refusing another uid
// even when the file modes would let it in.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "server_fixture.hpp"
#include "taplink/rpc/transport_error.hpp"

namespace taplink::api::test {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

using SocketSecurityTest = ServerFixture;

mode_t modeOf(const std::string& path) {
    struct stat info {};
    EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
    return info.st_mode;
}

// Leaves a socket file that nobody listens on, as a crashed daemon does.
void makeStaleSocket(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    ASSERT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
}

TEST_F(SocketSecurityTest, TheSocketIs0600InsideA0700FolderOwnedByUs) {
    start();
    const auto runFolder = fs::path(socketPath).parent_path().string();
    EXPECT_TRUE(S_ISDIR(modeOf(runFolder)));
    EXPECT_EQ(modeOf(runFolder) & 07777, 0700U);
    EXPECT_TRUE(S_ISSOCK(modeOf(socketPath)));
    EXPECT_EQ(modeOf(socketPath) & 07777, 0600U);
    struct stat info {};
    ASSERT_EQ(::stat(socketPath.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, ::geteuid());
}

TEST_F(SocketSecurityTest, AStaleSocketIsReplaced) {
    const auto runFolder = fs::path(socketPath).parent_path();
    fs::create_directory(runFolder);
    fs::permissions(runFolder, fs::perms::owner_all);
    makeStaleSocket(socketPath);
    ASSERT_TRUE(fs::is_socket(socketPath));
    start();
    auto connection = connect();
    connection.sendJson(request(1, "test.echo"));
    EXPECT_EQ(connection.readJson()["id"], 1);
}

TEST_F(SocketSecurityTest, AFileThatIsNotASocketIsNeverReplaced) {
    const auto runFolder = fs::path(socketPath).parent_path();
    fs::create_directory(runFolder);
    fs::permissions(runFolder, fs::perms::owner_all);
    std::ofstream(socketPath) << "precious";
    EXPECT_THROW(start(), TransportError);
    EXPECT_EQ(std::ifstream(socketPath).rdbuf()->sgetc(), 'p');
}

TEST_F(SocketSecurityTest, ASecondServerOnThePathIsRefusedAndTheFirstKeepsServing) {
    start();
    Dispatcher other;
    try {
        UnixServer second(other, options());
        ADD_FAILURE() << "a second server started";
    } catch (const TransportError& error) {
        EXPECT_NE(std::string(error.what()).find("already running"), std::string::npos);
    }
    auto connection = connect();
    connection.sendJson(request(1, "test.echo"));
    EXPECT_EQ(connection.readJson()["id"], 1);
}

TEST_F(SocketSecurityTest, AFolderOthersCanEnterIsRefused) {
    const auto runFolder = fs::path(socketPath).parent_path();
    fs::create_directory(runFolder);
    fs::permissions(runFolder,
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    EXPECT_THROW(start(), TransportError);
}

TEST_F(SocketSecurityTest, AFolderOfAnotherUserIsRefused) {
    const auto runFolder = fs::path(socketPath).parent_path();
    fs::create_directory(runFolder);
    fs::permissions(runFolder, fs::perms::owner_all);
    ASSERT_EQ(::chown(runFolder.c_str(), kNobody, kNobody), 0);
    EXPECT_THROW(start(), TransportError);
}

TEST_F(SocketSecurityTest, ASymlinkInsteadOfTheFolderIsRefused) {
    const auto target = temp.path() + "/elsewhere";
    fs::create_directory(target);
    fs::permissions(target, fs::perms::owner_all);
    fs::create_directory_symlink(target, fs::path(socketPath).parent_path());
    EXPECT_THROW(start(), TransportError);
}

TEST_F(SocketSecurityTest, StopRemovesTheSocketButNotAReplacement) {
    start();
    server->stop();
    EXPECT_FALSE(fs::exists(socketPath));
    start();  // the path is free again
    server.reset();
    EXPECT_FALSE(fs::exists(socketPath));
}

// Runs `body` in a child that became uid 65534 once the parent said go; its exit status.
int asNobody(const std::function<int()>& body, const std::function<void()>& beforeGo) {
    int go[2];
    EXPECT_EQ(::pipe(go), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(go[1]);
        char byte = 0;
        if (::read(go[0], &byte, 1) != 1 || ::setgroups(0, nullptr) != 0 ||
            ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
            ::_exit(100);
        }
        ::_exit(body());
    }
    ::close(go[0]);
    beforeGo();
    const char byte = 1;
    EXPECT_EQ(::write(go[1], &byte, 1), 1);
    ::close(go[1]);
    int status = 0;
    EXPECT_EQ(::waitpid(child, &status, 0), child);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// In the child: 2 = could not connect, 1 = got an answer, 0 = closed without one.
int connectAndAsk(const std::string& path) {
    std::optional<RawConnection> connection;
    try {
        connection.emplace(path);
    } catch (const std::system_error&) {
        return 2;
    }
    try {
        connection->sendJson(request(1, "api.version"));
        return connection->readsEof() ? 0 : 1;
    } catch (const std::system_error&) {
        return 0;  // the server closed the connection before the request was sent
    } catch (...) {
        return 1;
    }
}

TEST_F(SocketSecurityTest, AnotherUserCannotEvenReachTheSocket) {
    // The child forks before any server thread exists: a single-threaded copy.
    const int status = asNobody([this] { return connectAndAsk(socketPath); }, [this] { start(); });
    EXPECT_EQ(status, 2);
}

TEST_F(SocketSecurityTest, AnotherUserIsRefusedByItsCredentialsEvenWhenTheModesLetItIn) {
    const int status =
        asNobody([this] { return connectAndAsk(socketPath); },
                 [this] {
                     start();
                     // Defence in depth: open the folder and file to everyone.
                     fs::permissions(fs::path(socketPath).parent_path(), fs::perms::all);
                     fs::permissions(socketPath, fs::perms::all);
                 });
    EXPECT_EQ(status, 0);
    EXPECT_NE(loggedText().find("refused a connection from uid 65534"), std::string::npos);
    auto connection = connect();  // the owner still gets in
    connection.sendJson(request(1, "test.echo"));
    EXPECT_EQ(connection.readJson()["id"], 1);
}

TEST(DefaultSocketPath, IsUnderXdgRuntimeDirOrAPerUserTmpFolder) {
    const char* saved = std::getenv("XDG_RUNTIME_DIR");
    const std::string restore = saved == nullptr ? "" : saved;
    ::setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    EXPECT_EQ(defaultSocketPath(), "/run/user/4242/taplink/taplinkd.sock");
    ::setenv("XDG_RUNTIME_DIR", "relative/dir", 1);
    EXPECT_EQ(defaultSocketPath(),
              "/tmp/taplink-" + std::to_string(::geteuid()) + "/taplinkd.sock");
    ::unsetenv("XDG_RUNTIME_DIR");
    EXPECT_EQ(defaultSocketPath(),
              "/tmp/taplink-" + std::to_string(::geteuid()) + "/taplinkd.sock");
    ::setenv("TAPLINK_SOCKET", "/somewhere/else.sock", 1);
    EXPECT_EQ(socketPathFromEnvironment(), "/somewhere/else.sock");
    ::unsetenv("TAPLINK_SOCKET");
    EXPECT_EQ(socketPathFromEnvironment(), defaultSocketPath());
    if (saved != nullptr) {
        ::setenv("XDG_RUNTIME_DIR", restore.c_str(), 1);
    }
}

}  // namespace
}  // namespace taplink::api::test
