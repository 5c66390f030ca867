// taplink-sim's control requests: every malformed or impossible request gets a clear
// {"ok":false,"error":...} and changes nothing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <thread>

#include "control_client.hpp"
#include "control_protocol.hpp"
#include "control_server.hpp"

namespace taplink::sim {
namespace {

using nlohmann::json;

// Port 1 on loopback refuses connections, so inserted cards just wait for a reader.
constexpr std::uint16_t kNoReaderPort = 1;

class SimControlProtocol : public ::testing::Test {
  protected:
    SimControlProtocol() {
        slots.push_back(std::make_unique<Slot>(0, kNoReaderPort, false));
        slots.push_back(std::make_unique<Slot>(1, kNoReaderPort, false));
    }

    json send(const json& request) { return handleControlRequest(request, slots); }

    std::string errorOf(const json& request) {
        const json reply = send(request);
        EXPECT_FALSE(reply.at("ok").get<bool>()) << reply.dump();
        return reply.value("error", std::string());
    }

    std::vector<std::unique_ptr<Slot>> slots;
};

TEST_F(SimControlProtocol, StatusListsEverySlot) {
    const json reply = send({{"cmd", "status"}});
    ASSERT_TRUE(reply.at("ok").get<bool>());
    ASSERT_EQ(reply.at("slots").size(), 2U);
    EXPECT_EQ(reply.at("slots")[1].at("index"), 1);
    EXPECT_TRUE(reply.at("slots")[0].at("card").is_null());
}

TEST_F(SimControlProtocol, InsertAndRemoveShowInStatus) {
    ASSERT_TRUE(send({{"cmd", "insert"}, {"slot", 0}, {"card", "iso-t0"}}).at("ok").get<bool>());
    EXPECT_EQ(send({{"cmd", "status"}}).at("slots")[0].at("card"), "iso-t0");
    ASSERT_TRUE(send({{"cmd", "remove"}, {"slot", 0}}).at("ok").get<bool>());
    EXPECT_TRUE(send({{"cmd", "status"}}).at("slots")[0].at("card").is_null());
    ASSERT_TRUE(send({{"cmd", "insert"}, {"slot", 0}}).at("ok").get<bool>());  // the same card back
    EXPECT_EQ(send({{"cmd", "status"}}).at("slots")[0].at("card"), "iso-t0");
}

TEST_F(SimControlProtocol, ListsProfiles) {
    const json reply = send({{"cmd", "profiles"}});
    EXPECT_EQ(reply.at("profiles"),
              json({"iso-t1", "iso-t0", "city-3des", "city-3des-00", "city-sm4", "bank-3des",
                    "bank-sm4", "bank-dual", "secure-chip"}));
}

TEST_F(SimControlProtocol, RefusesMalformedRequests) {
    EXPECT_NE(errorOf(json::array()).find("JSON object"), std::string::npos);
    EXPECT_FALSE(errorOf({{"slot", 0}}).empty());  // no cmd
    EXPECT_NE(errorOf({{"cmd", "explode"}}).find("unknown command"), std::string::npos);
    EXPECT_FALSE(errorOf({{"cmd", 42}}).empty());        // cmd not a string
    EXPECT_FALSE(errorOf({{"cmd", "remove"}}).empty());  // no slot
    EXPECT_FALSE(errorOf({{"cmd", "remove"}, {"slot", "zero"}}).empty());
}

TEST_F(SimControlProtocol, RefusesSlotsThatDoNotExist) {
    EXPECT_NE(errorOf({{"cmd", "remove"}, {"slot", 2}}).find("no slot 2"), std::string::npos);
    EXPECT_NE(errorOf({{"cmd", "remove"}, {"slot", -1}}).find("no slot -1"), std::string::npos);
}

TEST_F(SimControlProtocol, RefusesImpossibleInserts) {
    EXPECT_NE(errorOf({{"cmd", "insert"}, {"slot", 0}, {"card", "gold-card"}})
                  .find("unknown card profile"),
              std::string::npos);
    EXPECT_NE(errorOf({{"cmd", "insert"}, {"slot", 0}}).find("no card to re-insert"),
              std::string::npos);
    ASSERT_TRUE(send({{"cmd", "insert"}, {"slot", 0}, {"card", "iso-t1"}}).at("ok").get<bool>());
    EXPECT_NE(errorOf({{"cmd", "insert"}, {"slot", 0}, {"card", "iso-t0"}}).find("already holds"),
              std::string::npos);
    EXPECT_EQ(send({{"cmd", "status"}}).at("slots")[0].at("card"), "iso-t1");
}

// One physical card, one place: a second copy of a purse or a chip could spend twice.
TEST_F(SimControlProtocol, RefusesTheSameCardInTwoSlots) {
    ASSERT_TRUE(send({{"cmd", "insert"}, {"slot", 0}, {"card", "city-3des"}}).at("ok").get<bool>());
    EXPECT_NE(
        errorOf({{"cmd", "insert"}, {"slot", 1}, {"card", "city-3des"}}).find("already in slot 0"),
        std::string::npos);
    ASSERT_TRUE(send({{"cmd", "insert"},
                      {"slot", 1},
                      {"card", "city-3des"},
                      {"serial", "00000000000000000043"}})
                    .at("ok")
                    .get<bool>());  // another card is fine
    ASSERT_TRUE(send({{"cmd", "remove"}, {"slot", 0}}).at("ok").get<bool>());
    ASSERT_TRUE(send({{"cmd", "remove"}, {"slot", 1}}).at("ok").get<bool>());
    ASSERT_TRUE(
        send({{"cmd", "insert"}, {"slot", 1}, {"card", "secure-chip"}}).at("ok").get<bool>());
    EXPECT_NE(errorOf({{"cmd", "insert"}, {"slot", 0}, {"card", "secure-chip"}})
                  .find("already in slot 1"),
              std::string::npos);
}

TEST_F(SimControlProtocol, RefusesFaultsWithoutAValidPlan) {
    EXPECT_NE(errorOf({{"cmd", "fault"}, {"slot", 0}}).find("needs"), std::string::npos);
    EXPECT_NE(errorOf({{"cmd", "fault"}, {"slot", 0}, {"status_word", "6A"}}).find("2 bytes"),
              std::string::npos);
    EXPECT_NE(errorOf({{"cmd", "fault"}, {"slot", 0}, {"status_word", "ZZZZ"}}).find("hex"),
              std::string::npos);
    EXPECT_FALSE(errorOf({{"cmd", "fault"}, {"slot", 0}, {"pull_at", "soon"}}).empty());
}

TEST_F(SimControlProtocol, AcceptsEveryFaultKind) {
    EXPECT_TRUE(send({{"cmd", "fault"}, {"slot", 0}, {"pull_at", 2}, {"after_processing", true}})
                    .at("ok")
                    .get<bool>());
    EXPECT_TRUE(send({{"cmd", "fault"}, {"slot", 0}, {"status_word", "6A82"}, {"at", 1}})
                    .at("ok")
                    .get<bool>());
    EXPECT_TRUE(send({{"cmd", "fault"}, {"slot", 0}, {"delay_ms", 10}}).at("ok").get<bool>());
    EXPECT_TRUE(send({{"cmd", "clear_faults"}, {"slot", 0}}).at("ok").get<bool>());
}

}  // namespace
}  // namespace taplink::sim

namespace taplink::sim {
namespace {

// The whole server loop, over its real socket: requests that once ended the simulator.
TEST(SimControlServer, SurvivesHostileRequests) {
    std::vector<std::unique_ptr<Slot>> slots;
    slots.push_back(std::make_unique<Slot>(0, kNoReaderPort, false));
    const std::string path = ::testing::TempDir() + "/sim-control-test.sock";
    int stop[2];
    ASSERT_EQ(::pipe(stop), 0);
    ControlServer server(path);
    std::thread serving([&] { server.run(slots, stop[0]); });

    SimControl control(path);
    EXPECT_THROW(control.request({{"cmd", 5}}), std::runtime_error);
    EXPECT_THROW(control.request({{"cmd", "fault"},
                                  {"slot", 0},
                                  {"status_word",
                                   "\xC3\xA9"
                                   "1"}}),
                 std::runtime_error);
    EXPECT_TRUE(control.request({{"cmd", "status"}}).at("ok").get<bool>());

    const char byte = 1;
    ASSERT_EQ(::write(stop[1], &byte, 1), 1);
    serving.join();
    ::close(stop[0]);
    ::close(stop[1]);
}

}  // namespace
}  // namespace taplink::sim
