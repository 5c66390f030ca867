// The blocking client against a real UnixServer (and, for a daemon that misbehaves, a bare
// socket): results, typed errors, notifications, timeouts, interrupts and events.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include "server_fixture.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/rpc/client.hpp"

namespace taplink::api::test {
namespace {

using ClientTest = ServerFixture;
using namespace std::chrono_literals;

TEST_F(ClientTest, NoSocketMeansTheDaemonIsNotRunning) {
    try {
        Client::connect(socketPath);
        FAIL() << "connected to nothing";
    } catch (const DaemonUnavailable& error) {
        EXPECT_EQ(error.reason(), DaemonUnavailable::Reason::NoSocket);
        EXPECT_EQ(error.path(), socketPath);
    }
}

TEST_F(ClientTest, ASocketNobodyListensOnIsRefused) {
    const std::string path = temp.path() + "/dead.sock";
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    {
        const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
        ASSERT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    }
    try {
        Client::connect(path);
        FAIL() << "connected to a dead socket";
    } catch (const DaemonUnavailable& error) {
        EXPECT_EQ(error.reason(), DaemonUnavailable::Reason::Refused);
    }
}

TEST_F(ClientTest, ACallReturnsItsResultAndCallsFollowEachOther) {
    start();
    auto client = Client::connect(socketPath);
    EXPECT_EQ(client.call("test.echo", {{"x", 1}}), (nlohmann::json{{"x", 1}}));
    EXPECT_EQ(client.call("api.version")["version"], std::string(taplink::api::kApiVersion));
    EXPECT_EQ(client.call("test.echo", {{"y", 2}}), (nlohmann::json{{"y", 2}}));
}

TEST_F(ClientTest, AnErrorReplyIsThrownAsApiErrorWithTheDaemonsCode) {
    start();
    auto client = Client::connect(socketPath);
    try {
        client.call("test.fail", {{"code", "server_unreachable"},
                                  {"message", "connection refused"},
                                  {"details", {{"url", "https://127.0.0.1:1"}}}});
        FAIL() << "no error";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.codeName(), "server_unreachable");
        EXPECT_STREQ(error.what(), "connection refused");
        EXPECT_EQ(error.details()["url"], "https://127.0.0.1:1");
    }
    try {
        client.call("no.such.method");
        FAIL() << "no error";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.codeName(), "method_not_found");
    }
    try {
        client.call("test.order");
        FAIL() << "no error";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.codeName(), "invalid_params");
        EXPECT_EQ(error.details()["param"], "orderId");
    }
    EXPECT_EQ(client.call("test.echo"), nlohmann::json::object());  // still usable
}

TEST_F(ClientTest, NotificationsArriveInOrderBeforeTheResult) {
    start();
    auto client = Client::connect(socketPath);
    std::vector<std::int64_t> steps;
    CallOptions options;
    options.onNotification = [&steps](const Notification& notification) {
        EXPECT_EQ(notification.method, "test.progress");
        steps.push_back(notification.params["step"].get<std::int64_t>());
    };
    EXPECT_EQ(client.call("test.progress", {{"count", 4}}, options)["done"], true);
    EXPECT_EQ(steps, (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST_F(ClientTest, GivingUpAfterTheTimeoutClosesTheConnectionAndCancelsTheCall) {
    start();
    auto client = Client::connect(socketPath);
    CallOptions options;
    options.timeout = 50ms;
    try {
        client.call("test.block", {}, options);
        FAIL() << "no timeout";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.codeName(), "timeout");
    }
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(gate.waitCancelled(1));
}

TEST_F(ClientTest, OnStopCanKeepWaitingForTheAnswer) {
    start();
    auto client = Client::connect(socketPath);
    CallOptions options;
    options.timeout = 1ms;
    int stops = 0;
    options.onStop = [&](StopReason reason) {
        EXPECT_EQ(reason, StopReason::Timeout);
        ++stops;
        gate.release();  // what a too-late cancel looks like: the call goes on and ends
        return true;
    };
    EXPECT_EQ(client.call("test.block", {}, options), "released");
    EXPECT_EQ(stops, 1);
}

TEST_F(ClientTest, TheInterruptFdStopsTheWait) {
    start();
    auto client = Client::connect(socketPath);
    int interrupt[2];
    ASSERT_EQ(::pipe(interrupt), 0);
    const UniqueFd readEnd(interrupt[0]);
    const UniqueFd writeEnd(interrupt[1]);
    std::thread user([&] {
        if (gate.waitStarted(1)) {
            EXPECT_EQ(::write(writeEnd.get(), "x", 1), 1);
        }
    });
    CallOptions options;
    options.interruptFd = readEnd.get();
    options.onStop = [](StopReason reason) {
        EXPECT_EQ(reason, StopReason::Interrupted);
        return false;
    };
    try {
        client.call("test.block", {}, options);
        ADD_FAILURE() << "not interrupted";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.codeName(), "cancelled");
    }
    user.join();
    EXPECT_TRUE(gate.waitCancelled(1));
}

TEST_F(ClientTest, SubscribeDeliversEventsUntilTheHandlerSaysStop) {
    start();
    auto client = Client::connect(socketPath);
    std::atomic<bool> stopBroadcasting{false};
    std::thread daemon([this, &stopBroadcasting] {
        // Until the subscription is in place, broadcasts reach nobody; repeat until seen.
        for (int i = 0; i < 1000 && !stopBroadcasting; ++i) {
            server->broadcast("reader.added", {{"name", "R " + std::to_string(i)}});
            std::this_thread::sleep_for(5ms);
        }
    });
    std::vector<std::string> seen;
    client.subscribe({"reader.added", "card.inserted"}, [&](const Notification& event) {
        seen.push_back(event.method);
        if (seen.size() == 1) {
            server->broadcast("card.removed", {{"reader", "R"}});   // not subscribed
            server->broadcast("card.inserted", {{"reader", "R"}});  // subscribed
        }
        return event.method != "card.inserted";
    });
    stopBroadcasting = true;
    daemon.join();
    ASSERT_GE(seen.size(), 2U);
    EXPECT_EQ(seen.front(), "reader.added");
    EXPECT_EQ(seen.back(), "card.inserted");
    EXPECT_EQ(std::count(seen.begin(), seen.end(), "card.removed"), 0);
}

TEST_F(ClientTest, ADaemonThatStopsMidCallEndsTheCallWithItsAnswer) {
    start();
    auto client = Client::connect(socketPath);
    std::thread stopper([this] {
        if (gate.waitStarted(1)) {
            server->stop();
        }
    });
    try {
        client.call("test.block");
        ADD_FAILURE() << "no error";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.codeName(), "cancelled");
    } catch (const TransportError&) {
        // Also acceptable: the connection closed before the reply could be written.
    }
    stopper.join();
    EXPECT_THROW(client.call("test.echo"), TransportError);
}

// A socket that accepts one connection and answers it with `reply` (then closes).
class FakeDaemon {
  public:
    FakeDaemon(const std::string& path, std::string reply) : path_(path) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
        EXPECT_EQ(
            ::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address),
            0);
        EXPECT_EQ(::listen(listener_.get(), 1), 0);
        thread_ = std::thread([this, answer = std::move(reply)] {
            const UniqueFd connection(::accept(listener_.get(), nullptr, nullptr));
            char buffer[4096];
            [[maybe_unused]] const ssize_t got = ::read(connection.get(), buffer, sizeof buffer);
            [[maybe_unused]] const ssize_t sent =
                ::send(connection.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
        });
    }
    FakeDaemon(const FakeDaemon&) = delete;
    FakeDaemon& operator=(const FakeDaemon&) = delete;
    ~FakeDaemon() { thread_.join(); }

  private:
    std::string path_;
    UniqueFd listener_{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    std::thread thread_;
};

TEST_F(ClientTest, ADaemonThatHangsUpOrAnswersGarbageIsATransportError) {
    const std::string path = temp.path() + "/fake.sock";
    {
        const FakeDaemon daemon(path, "");
        auto client = Client::connect(path);
        EXPECT_THROW(client.call("api.version"), TransportError);
    }
    std::filesystem::remove(path);
    {
        const FakeDaemon daemon(path, "<html>not json-rpc</html>\n");
        auto client = Client::connect(path);
        EXPECT_THROW(client.call("api.version"), TransportError);
    }
    std::filesystem::remove(path);
    {
        const FakeDaemon daemon(path, R"({"jsonrpc":"2.0","id":1})"
                                      "\n");
        auto client = Client::connect(path);
        EXPECT_THROW(client.call("api.version"), TransportError);
    }
}

}  // namespace
}  // namespace taplink::api::test
