// libs/base's pipe: makePipe's ends and flags, its typed error, and StopSignals, the stop pipe
// of taplink-server's and taplink-sim's poll loops.
#include "taplink/base/pipe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace taplink {
namespace {

bool hasFlag(int fd, int command, int flag) {
    const int flags = ::fcntl(fd, command);
    return flags >= 0 && (flags & flag) != 0;
}

bool readable(int fd) {
    pollfd entry{fd, POLLIN, 0};
    return ::poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN) != 0;
}

void (*actionOf(int signal))(int) {
    struct sigaction action {};
    ::sigaction(signal, nullptr, &action);
    return action.sa_handler;
}

TEST(Pipe, CarriesBytesFromTheWriteEndToTheReadEndWithTheFlagsAsked) {
    const Pipe pipe = makePipe(O_CLOEXEC | O_NONBLOCK);
    for (const int fd : {pipe.read.get(), pipe.write.get()}) {
        EXPECT_TRUE(hasFlag(fd, F_GETFD, FD_CLOEXEC));
        EXPECT_TRUE(hasFlag(fd, F_GETFL, O_NONBLOCK));
    }
    char byte = 0;
    EXPECT_EQ(::read(pipe.read.get(), &byte, 1), -1);  // nothing yet, and it does not block
    EXPECT_EQ(errno, EAGAIN);
    ASSERT_EQ(::write(pipe.write.get(), "x", 1), 1);
    ASSERT_EQ(::read(pipe.read.get(), &byte, 1), 1);
    EXPECT_EQ(byte, 'x');
}

TEST(Pipe, BlocksWithoutONonblock) {
    const Pipe pipe = makePipe(O_CLOEXEC);
    for (const int fd : {pipe.read.get(), pipe.write.get()}) {
        EXPECT_TRUE(hasFlag(fd, F_GETFD, FD_CLOEXEC));
        EXPECT_FALSE(hasFlag(fd, F_GETFL, O_NONBLOCK));
    }
}

TEST(Pipe, ThrowsASystemErrorWithTheErrnoOfPipe2) {
    try {
        makePipe(-1);  // flags pipe2 does not know: EINVAL
        FAIL() << "makePipe accepted unknown flags";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code(), std::error_code(EINVAL, std::generic_category()));
        EXPECT_NE(std::string(error.what()).find("pipe2"), std::string::npos);
    }
}

TEST(StopSignals, SigtermAndSigintEachMakeThePipeReadableAndSigpipeIsIgnored) {
    struct sigaction sigpipeBefore {};
    ::sigaction(SIGPIPE, nullptr, &sigpipeBefore);
    {
        const StopSignals stop;
        EXPECT_FALSE(readable(stop.readFd()));
        EXPECT_EQ(actionOf(SIGPIPE), SIG_IGN);
        for (const int signal : {SIGTERM, SIGINT}) {
            ASSERT_EQ(::raise(signal), 0);  // handled on this thread before raise() returns
            ASSERT_TRUE(readable(stop.readFd()));
            char byte = 0;
            EXPECT_EQ(::read(stop.readFd(), &byte, 1), 1);
            EXPECT_FALSE(readable(stop.readFd()));
        }
    }
    // Destroyed: the default actions are back, so no handler writes to the closed pipe.
    EXPECT_EQ(actionOf(SIGTERM), SIG_DFL);
    EXPECT_EQ(actionOf(SIGINT), SIG_DFL);
    ::sigaction(SIGPIPE, &sigpipeBefore, nullptr);
}

}  // namespace
}  // namespace taplink
