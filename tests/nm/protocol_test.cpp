// taplink-nm's protocol with the extension (docs/native-messaging.md), tested on the built
// binary run as the browser runs it, against taplinkd's real API layer in this process.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "nm_fixture.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::nm::test {
namespace {

using nlohmann::json;

constexpr std::size_t kMiB = std::size_t{1} << 20;

json request(int id, std::string_view method, json params = json::object()) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

// The data.code of an error reply, or "" when the reply is no error.
std::string errorCode(const json& reply) {
    return reply.contains("error") ? reply["error"].value("data", json::object()).value("code", "")
                                   : "";
}

int rpcCode(const json& reply) {
    return reply.at("error").at("code").get<int>();
}

// How long params.pad must be for test.size's request to be `bytes` long.
std::size_t padFor(std::size_t bytes) {
    return bytes - request(1, "test.size", {{"pad", ""}}).dump().size();
}

// {"jsonrpc":"2.0","id":1,"method":"test.size","params":{"pad":"xx..."}} of exactly `bytes`.
std::string sizedRequest(std::size_t bytes) {
    return request(1, "test.size", {{"pad", std::string(padFor(bytes), 'x')}}).dump();
}

using NmProtocol = NmFixture;

TEST_F(NmProtocol, HelloThenApiVersionIsRelayed) {
    auto host = startGreetedHost();
    const json reply = host->call(1, "api.version");
    EXPECT_EQ(reply["result"]["version"], std::string(taplink::api::kApiVersion));
    const auto methods = reply["result"]["methods"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(methods.begin(), methods.end(), "test.peer"), methods.end());
    EXPECT_EQ(std::find(methods.begin(), methods.end(), "test.owner"), methods.end())
        << "a web caller must not see owner-only methods";
}

TEST_F(NmProtocol, DaemonSeesTheOriginAndTheChromeExtensionId) {
    auto host = startGreetedHost();
    const json peer = host->call(1, "test.peer")["result"];
    EXPECT_EQ(peer, json({{"transport", "native-messaging"},
                          {"caller", "web"},
                          {"origin", kAllowedOrigin},
                          {"extensionId", kChromeOrigin}}));
}

TEST_F(NmProtocol, DaemonSeesTheFirefoxAddonId) {
    auto host = startGreetedHost(
        {"/usr/lib/mozilla/native-messaging-hosts/com.taplink.nm.json", "taplink@taplink.dev"});
    const json peer = host->call(1, "test.peer")["result"];
    EXPECT_EQ(peer["extensionId"], "taplink@taplink.dev");
    EXPECT_EQ(peer["origin"], kAllowedOrigin);
}

TEST_F(NmProtocol, ChromeOnWindowsParentWindowArgumentIsNotTakenForTheId) {
    auto host = startGreetedHost({"--parent-window=0", std::string(kChromeOrigin)});
    EXPECT_EQ(host->call(1, "test.peer")["result"]["extensionId"], kChromeOrigin);
}

TEST_F(NmProtocol, OriginTheDaemonRefusesGetsOriginDenied) {
    HostProcess host(socketPath);
    EXPECT_EQ(host.hello("https://evil.test")["ok"], true);  // the daemon's gate decides per call
    const json reply = host.call(1, "api.version");
    EXPECT_EQ(errorCode(reply), "origin_denied") << reply;
}

TEST_F(NmProtocol, UnknownMethodIsMethodNotFound) {
    auto host = startGreetedHost();
    EXPECT_EQ(rpcCode(host->call(1, "no.such.method")), -32601);
}

TEST_F(NmProtocol, OwnerOnlyMethodIsMethodNotFound) {
    auto host = startGreetedHost();
    EXPECT_EQ(rpcCode(host->call(1, "test.owner")), -32601);
}

TEST_F(NmProtocol, SessionHelloFromTheExtensionIsRefusedByTheDaemon) {
    auto host = startGreetedHost();
    const json reply = host->call(7, "session.hello",
                                  {{"transport", "native-messaging"},
                                   {"origin", "https://other.test"},
                                   {"extensionId", "x"}});
    EXPECT_EQ(rpcCode(reply), -32600);
    EXPECT_EQ(host->call(8, "test.peer")["result"]["origin"], kAllowedOrigin);
}

TEST_F(NmProtocol, InvalidJsonGetsParseErrorAndTheSessionGoesOn) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->write(frameOf(std::string_view(R"({"jsonrpc":"2.0","id":1,)"))));
    const json error = host->readJson();
    EXPECT_EQ(rpcCode(error), -32700);
    EXPECT_TRUE(error["id"].is_null());
    EXPECT_EQ(host->call(2, "api.version")["result"]["version"],
              std::string(taplink::api::kApiVersion));
}

TEST_F(NmProtocol, InvalidUtf8GetsParseErrorAndTheSessionGoesOn) {
    auto host = startGreetedHost();
    for (const std::string_view bad : {"\xff\xfe", "\xc3", "\xed\xa0\x80" /* a surrogate */}) {
        const std::string text =
            R"({"jsonrpc":"2.0","id":1,"method":"test.size","params":{"pad":")" + std::string(bad) +
            R"("}})";
        ASSERT_TRUE(host->write(frameOf(std::string_view(text))));
        EXPECT_EQ(rpcCode(host->readJson()), -32700);
    }
    EXPECT_EQ(host->call(2, "test.size", {{"pad", "\xc3\xa9"}})["result"]["bytes"], 2);
}

TEST_F(NmProtocol, EmptyFrameGetsParseError) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->write(headerOf(0)));
    EXPECT_EQ(rpcCode(host->readJson()), -32700);
    EXPECT_EQ(host->call(2, "api.version")["result"]["version"],
              std::string(taplink::api::kApiVersion));
}

TEST_F(NmProtocol, PrettyPrintedJsonIsRelayedAsOneMessage) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->write(frameOf(std::string_view(request(3, "test.peer").dump(2)))));
    const json reply = host->readJson();
    EXPECT_EQ(reply["id"], 3);
    EXPECT_EQ(reply["result"]["origin"], kAllowedOrigin);
}

TEST_F(NmProtocol, FrameOfExactly1MiBIsRelayed) {
    auto host = startGreetedHost();
    const std::string text = sizedRequest(kMiB);
    ASSERT_EQ(text.size(), kMiB);
    ASSERT_TRUE(host->write(frameOf(std::string_view(text))));
    const json reply = host->readJson();
    EXPECT_EQ(reply["result"]["bytes"], padFor(kMiB));
}

TEST_F(NmProtocol, FrameOneByteOver1MiBGetsInvalidRequestAndTheHostExits) {
    auto host = startGreetedHost();
    host->write(frameOf(std::string_view(sizedRequest(kMiB + 1))));  // may stop part-way
    const json error = host->readJson();
    EXPECT_EQ(rpcCode(error), -32600);
    EXPECT_TRUE(error["id"].is_null());
    EXPECT_TRUE(host->readsEof());
    EXPECT_EQ(host->waitExit(), 1);
}

TEST_F(NmProtocol, LengthFFFFFFFFIsRefusedWithoutWaitingForTheBody) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->write(headerOf(0xFFFFFFFFU)));
    EXPECT_EQ(rpcCode(host->readJson()), -32600);
    EXPECT_TRUE(host->readsEof());
    EXPECT_EQ(host->waitExit(), 1);
}

TEST_F(NmProtocol, OversizedFirstFrameIsRefused) {
    HostProcess host(socketPath);
    ASSERT_TRUE(host.write(headerOf(std::uint32_t{kMiB} + 1)));
    EXPECT_EQ(rpcCode(host.readJson()), -32600);
    EXPECT_EQ(host.waitExit(), 1);
}

TEST_F(NmProtocol, TruncatedHeaderThenEofExitsCleanly) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->write(headerOf(20).substr(0, 2)));
    host->closeStdin();
    EXPECT_TRUE(host->readsEof());
    EXPECT_EQ(host->waitExit(), 0);
}

TEST_F(NmProtocol, TruncatedBodyThenEofExitsCleanly) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->write(frameOf(request(1, "api.version")).substr(0, 20)));
    host->closeStdin();
    EXPECT_TRUE(host->readsEof());
    EXPECT_EQ(host->waitExit(), 0);
    EXPECT_NE(host->errors().find("in the middle of a message"), std::string::npos)
        << host->errors();
}

TEST_F(NmProtocol, ClosingStdinEndsTheHost) {
    auto host = startGreetedHost();
    EXPECT_EQ(host->call(1, "api.version")["result"]["version"],
              std::string(taplink::api::kApiVersion));
    host->closeStdin();
    EXPECT_TRUE(host->readsEof());
    EXPECT_EQ(host->waitExit(), 0);
    EXPECT_TRUE(waitUntilNoConnections());
}

// docs/native-messaging.md: after stdin closes, answers are awaited for at most 5 s.
constexpr std::chrono::seconds kAnswersAfterEof{5};

// Every frame up to stdout's EOF.
std::vector<json> framesUntilEof(HostProcess& host) {
    std::vector<json> frames;
    while (const auto frame = host.readFrame()) {
        frames.push_back(json::parse(*frame));
    }
    return frames;
}

TEST_F(NmProtocol, ClosingStdinRightAfterRequestsStillRelaysTheirAnswers) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->write(frameOf(request(7, "test.wait", {{"ms", 500}})) +
                            frameOf(request(8, "test.progress", {{"count", 2}}))));
    host->closeStdin();  // as Chromium does right behind the last message
    const auto frames = framesUntilEof(*host);
    EXPECT_EQ(host->waitExit(), 0) << host->errors();
    std::map<int, json> replies;
    std::size_t notifications = 0;
    for (const auto& frame : frames) {
        if (frame.contains("id")) {
            replies[frame["id"].get<int>()] = frame;
        } else {
            ++notifications;
        }
    }
    EXPECT_EQ(notifications, 2U) << json(frames);
    EXPECT_EQ(replies[7], json({{"jsonrpc", "2.0"}, {"id", 7}, {"result", {{"waited", 500}}}}));
    EXPECT_EQ(replies[8]["result"], json({{"steps", 2}}));
}

TEST_F(NmProtocol, ClosingStdinAwaitsNoMoreOnceEveryIdIsAnswered) {
    auto host = startGreetedHost();
    // No "jsonrpc": taplinkd answers -32600, with the string id all the same.
    ASSERT_TRUE(host->writeFrame({{"id", "a"}, {"method", "test.wait"}}));
    ASSERT_TRUE(host->writeFrame(request(1, "test.wait", {{"ms", 100}})));
    const auto closed = std::chrono::steady_clock::now();
    host->closeStdin();
    const auto frames = framesUntilEof(*host);
    EXPECT_EQ(host->waitExit(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - closed, std::chrono::seconds(2))
        << "it waited for an answer it had had";
    ASSERT_EQ(frames.size(), 2U) << json(frames);
    EXPECT_EQ(frames[0]["id"], "a");
    EXPECT_EQ(rpcCode(frames[0]), -32600);
    EXPECT_EQ(frames[1]["id"], 1);
}

TEST_F(NmProtocol, ClosingStdinGivesUpOnAnAnswerThatNeverComes) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->writeFrame(request(7, "test.wait", {{"ms", 600'000}})));
    const auto closed = std::chrono::steady_clock::now();
    host->closeStdin();
    EXPECT_TRUE(host->readsEof());
    EXPECT_EQ(host->waitExit(), 0);
    const auto waited = std::chrono::steady_clock::now() - closed;
    EXPECT_GE(waited, kAnswersAfterEof - std::chrono::milliseconds(200));
    EXPECT_LT(waited, kAnswersAfterEof + std::chrono::seconds(3));
    EXPECT_NE(host->errors().find("gave up waiting for 1 answers"), std::string::npos)
        << host->errors();
    EXPECT_TRUE(waitUntilNoConnections()) << "taplinkd cancels the call";
}

TEST_F(NmProtocol, ClosingStdoutWhileAwaitingAnswersEndsTheHostAtOnce) {
    auto host = startGreetedHost();
    ASSERT_TRUE(host->writeFrame(request(7, "test.wait", {{"ms", 600'000}})));
    const auto closed = std::chrono::steady_clock::now();
    host->closeStdin();
    host->closeStdout();
    EXPECT_EQ(host->waitExit(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - closed, std::chrono::seconds(2));
}

TEST_F(NmProtocol, ClosingStdinBeforeAnyFrameEndsTheHost) {
    HostProcess host(socketPath);
    host.closeStdin();
    EXPECT_TRUE(host.readsEof());
    EXPECT_EQ(host.waitExit(), 0);
}

TEST_F(NmProtocol, ClosingStdoutEndsTheHost) {
    auto host = startGreetedHost();
    host->closeStdout();
    host->writeFrame(request(1, "api.version"));  // its reply has nowhere to go
    EXPECT_EQ(host->waitExit(), 0);
}

TEST_F(NmProtocol, FirstFrameThatIsNotHelloIsRefusedAndTheHostExits) {
    HostProcess host(socketPath);
    ASSERT_TRUE(host.writeFrame(request(1, "api.version")));
    const json answer = host.readJson();
    EXPECT_EQ(answer["type"], "hello");
    EXPECT_EQ(answer["ok"], false);
    EXPECT_EQ(answer["error"]["code"], "invalid_request");
    EXPECT_TRUE(host.readsEof());
    EXPECT_EQ(host.waitExit(), 1);
    EXPECT_EQ(server->connectionCount(), 0U) << "taplink-nm connected before a valid hello";
}

TEST_F(NmProtocol, HelloWithoutAUsableOriginIsRefused) {
    for (const json& hello : {json{{"type", "hello"}}, json{{"type", "hello"}, {"origin", ""}},
                              json{{"type", "hello"}, {"origin", 42}},
                              json{{"type", "hello"}, {"origin", std::string(600, 'a')}}}) {
        HostProcess host(socketPath);
        ASSERT_TRUE(host.writeFrame(hello));
        const json answer = host.readJson();
        EXPECT_EQ(answer["ok"], false) << hello;
        EXPECT_EQ(answer["error"]["code"], "invalid_request") << hello;
        EXPECT_EQ(host.waitExit(), 1);
    }
}

TEST_F(NmProtocol, InvalidJsonBeforeTheHelloGetsParseErrorAndTheHelloStillWorks) {
    HostProcess host(socketPath);
    ASSERT_TRUE(host.write(frameOf(std::string_view("{nonsense"))));
    EXPECT_EQ(rpcCode(host.readJson()), -32700);
    EXPECT_EQ(host.hello(kAllowedOrigin)["ok"], true);
}

TEST_F(NmProtocol, NoDaemonRunningAnswersNotRunning) {
    HostProcess host(temp.path() + "/nobody/taplinkd.sock");
    const json answer = host.hello(kAllowedOrigin);
    EXPECT_EQ(answer["type"], "hello");
    EXPECT_EQ(answer["ok"], false);
    EXPECT_EQ(answer["error"]["code"], "not_running");
    EXPECT_TRUE(host.readsEof());
    EXPECT_EQ(host.waitExit(), 1);
}

TEST_F(NmProtocol, DaemonStoppingMidSessionIsNotRunningThenExit) {
    auto host = startGreetedHost();
    EXPECT_EQ(host->call(1, "api.version")["result"]["version"],
              std::string(taplink::api::kApiVersion));
    server.reset();
    const json error = host->readJson();
    EXPECT_EQ(error,
              json({{"type", "error"},
                    {"error",
                     {{"code", "not_running"}, {"message", "taplinkd closed the connection"}}}}));
    EXPECT_TRUE(host->readsEof());
    EXPECT_EQ(host->waitExit(), 1);
}

TEST_F(NmProtocol, ProgressNotificationsAreRelayedInOrderBeforeTheReply) {
    auto host = startGreetedHost();
    std::vector<json> notifications;
    const json reply = host->call(1, "test.progress", {{"count", 300}}, &notifications);
    EXPECT_EQ(reply["result"]["steps"], 300);
    ASSERT_EQ(notifications.size(), 300U);
    for (std::size_t step = 0; step < notifications.size(); ++step) {
        EXPECT_EQ(notifications[step]["method"], "topup.progress");
        EXPECT_EQ(notifications[step]["params"]["step"], step);
    }
}

TEST_F(NmProtocol, ManyFramesInOneWrite) {
    HostProcess host(socketPath);
    std::string bytes = frameOf(json{{"type", "hello"}, {"origin", kAllowedOrigin}});
    constexpr int kRequests = 30;
    for (int id = 1; id <= kRequests; ++id) {
        bytes += frameOf(request(id, id % 2 == 0 ? "api.version" : "test.peer"));
    }
    ASSERT_TRUE(host.write(bytes));
    EXPECT_EQ(host.readJson()["ok"], true) << "the hello is answered first";
    std::set<int> answered;
    for (int i = 0; i < kRequests; ++i) {
        const json reply = host.readJson();
        // taplinkd runs 8 calls of a connection at once and answers the rest busy at once.
        EXPECT_TRUE(reply.contains("result") || errorCode(reply) == "busy") << reply;
        answered.insert(reply.at("id").get<int>());
    }
    EXPECT_EQ(answered.size(), std::size_t{kRequests});
}

TEST_F(NmProtocol, OneFrameSplitOverManyWrites) {
    auto host = startGreetedHost();
    const std::string bytes = frameOf(request(5, "test.peer"));
    for (const char byte : bytes) {
        ASSERT_TRUE(host->write(std::string_view(&byte, 1)));
        std::this_thread::sleep_for(std::chrono::microseconds(300));  // separate reads, likely
    }
    const json reply = host->readJson();
    EXPECT_EQ(reply["id"], 5);
    EXPECT_EQ(reply["result"]["origin"], kAllowedOrigin);
}

TEST_F(NmProtocol, DaemonMessageOver1MiBEndsTheSessionWithProtocolError) {
    auto host = startGreetedHost();
    host->writeFrame(request(1, "test.big", {{"bytes", kMiB}}));
    const json error = host->readJson();
    EXPECT_EQ(error["type"], "error");
    EXPECT_EQ(error["error"]["code"], "protocol_error");
    EXPECT_EQ(host->waitExit(), 1);
}

TEST_F(NmProtocol, LargestDaemonMessageUnder1MiBIsRelayed) {
    auto host = startGreetedHost();
    const json reply = host->call(1, "test.big", {{"bytes", kMiB - 100}});
    EXPECT_EQ(reply["result"]["pad"].get_ref<const std::string&>().size(), kMiB - 100);
}

// A socket that taplinkd would listen on, but nobody ever answers (connections wait in the
// backlog): a daemon that hangs.
class SilentDaemon {
  public:
    explicit SilentDaemon(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0)) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
        if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(fd_.get(), 4) != 0) {
            throw std::system_error(errno, std::generic_category(), "listen " + path);
        }
    }

  private:
    UniqueFd fd_;
};

TEST(NmSilentDaemon, UnansweredSessionHelloTimesOut) {
    const testsupport::TempDir temp{"taplink-nm", testsupport::kOthersMayPass};
    const SilentDaemon daemon(temp.path() + "/silent.sock");
    HostProcess host(temp.path() + "/silent.sock");
    const json answer = host.hello(kAllowedOrigin);  // after taplink-nm's 10 s
    EXPECT_EQ(answer["ok"], false);
    EXPECT_EQ(answer["error"]["code"], "timeout");
    EXPECT_EQ(host.waitExit(), 1);
}

TEST(NmSilentDaemon, ClosingStdinWhileWaitingForTheDaemonEndsTheHost) {
    const testsupport::TempDir temp{"taplink-nm", testsupport::kOthersMayPass};
    const SilentDaemon daemon(temp.path() + "/silent.sock");
    HostProcess host(temp.path() + "/silent.sock");
    ASSERT_TRUE(host.writeFrame({{"type", "hello"}, {"origin", kAllowedOrigin}}));
    host.closeStdin();
    EXPECT_TRUE(host.readsEof());
    EXPECT_EQ(host.waitExit(), 0) << "exit 1 would mean it waited for the hello timeout";
}

TEST(NmCommandLine, RefusesToRunWithoutAnExtensionId) {
    const std::vector<std::vector<std::string>> commandLines{
        {},
        {"chrome-extension://not-an-id/"},
        {"chrome-extension://cgdhkmfheednbofpimeandjmpnkjkgjz/"},
        {"/usr/lib/mozilla/native-messaging-hosts/com.taplink.nm.json"},
        {"/usr/lib/mozilla/native-messaging-hosts/com.taplink.nm.json", "has space"},
    };
    for (const auto& arguments : commandLines) {
        HostProcess host("/nonexistent", arguments);
        EXPECT_EQ(host.waitExit(), 2) << ::testing::PrintToString(arguments);
        EXPECT_NE(host.errors().find("usage: taplink-nm"), std::string::npos) << host.errors();
        EXPECT_TRUE(host.readsEof()) << "nothing on stdout";
    }
}

}  // namespace
}  // namespace taplink::nm::test
