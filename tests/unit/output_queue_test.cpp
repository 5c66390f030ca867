// libs/base's OutputQueue, the non-blocking writer of taplinkd's Unix socket and taplink-nm:
// as far as a socket or a pipe takes without waiting, in order, and a peer that left is a
// failure, not SIGPIPE.
#include "taplink/base/output_queue.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "taplink/base/pipe.hpp"
#include "taplink/base/unique_fd.hpp"

namespace taplink {
namespace {

constexpr std::size_t kMoreThanABuffer = std::size_t{4} << 20;

struct SocketPair {
    UniqueFd ours;
    UniqueFd peer;
};

// Blocking sockets: only MSG_DONTWAIT keeps flush() from waiting.
SocketPair socketPair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        ADD_FAILURE() << "socketpair";
    }
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::string pattern(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>('a' + i % 26);
    }
    return bytes;
}

// Reads what `fd` has now (non-blocking) onto `into`.
void drain(int fd, std::string& into) {
    char chunk[65536];
    ssize_t n = 0;
    while ((n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT)) > 0) {
        into.append(chunk, static_cast<std::size_t>(n));
    }
}

TEST(OutputQueue, WritesToASocketAsFarAsItTakesThenTheRestInOrder) {
    const auto sockets = socketPair();
    OutputQueue queue(sockets.ours.get(), true);
    const std::string first = pattern(kMoreThanABuffer);
    queue.push(first);
    ASSERT_EQ(queue.flush(), OutputQueue::Status::Again);  // full, and it did not block
    EXPECT_FALSE(queue.empty());
    EXPECT_LT(queue.size(), first.size());
    queue.push("tail");  // queued behind what is still waiting
    std::string received;
    OutputQueue::Status status = OutputQueue::Status::Again;
    while (status == OutputQueue::Status::Again) {
        drain(sockets.peer.get(), received);
        status = queue.flush();
    }
    ASSERT_EQ(status, OutputQueue::Status::Done);
    drain(sockets.peer.get(), received);
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.size(), 0U);
    EXPECT_EQ(received, first + "tail");
}

TEST(OutputQueue, WritesToANonBlockingPipe) {
    const Pipe pipe = makePipe(O_CLOEXEC | O_NONBLOCK);
    OutputQueue queue(pipe.write.get(), false);
    queue.push("hello");
    ASSERT_EQ(queue.flush(), OutputQueue::Status::Done);
    char bytes[8] = {};
    ASSERT_EQ(::read(pipe.read.get(), bytes, sizeof bytes), 5);
    EXPECT_EQ(std::string(bytes, 5), "hello");
    queue.push(pattern(kMoreThanABuffer));
    EXPECT_EQ(queue.flush(), OutputQueue::Status::Again);
}

TEST(OutputQueue, FailsWithoutSigpipeWhenTheSocketsPeerLeft) {
    auto sockets = socketPair();
    sockets.peer.reset();
    OutputQueue queue(sockets.ours.get(), true);
    queue.push("nobody reads this");
    EXPECT_EQ(queue.flush(), OutputQueue::Status::Failed);  // SIGPIPE would end the test
}

TEST(OutputQueue, FlushingNothingIsDone) {
    const auto sockets = socketPair();
    OutputQueue queue(sockets.ours.get(), true);
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.flush(), OutputQueue::Status::Done);
}

}  // namespace
}  // namespace taplink
