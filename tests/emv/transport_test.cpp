// The one transport (taplink/apdu/transport.hpp) against taplink-sim's T=0 card, its limits,
// and what EMV adds (taplink/emv/emv_transport.hpp).
#include <gtest/gtest.h>

#include "applets/diag_applet.hpp"
#include "cards/profiles.hpp"
#include "emv_test_support.hpp"
#include "taplink/apdu/transport.hpp"
#include "taplink/emv/emv_transport.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::emv {
namespace {

using apdu::CommandApdu;
using apdu::ResponseApdu;

Bytes counting(std::size_t length) {
    Bytes bytes(length);
    for (std::size_t i = 0; i < length; ++i) {
        bytes[i] = static_cast<std::uint8_t>(i & 0xFFU);
    }
    return bytes;
}

// Raw exchanges with a T=0 virtual card, counted.
struct RawT0Card {
    std::shared_ptr<sim::VirtualCard> card = sim::makeCard("iso-t0");
    std::vector<CommandApdu> sent;

    apdu::RawExchange exchange() {
        return [this](const CommandApdu& command) {
            sent.push_back(command);
            return ResponseApdu::parse(card->process(command.encode()));
        };
    }
};

TEST(ApduTransport, CaseFourAnswerOfAT0CardIsFetchedWithGetResponse) {
    RawT0Card t0;
    const CommandApdu select{0x00, 0xA4, 0x04, 0x00, sim::diagAid(), 256};
    ASSERT_TRUE(apdu::completeExchange(select, t0.exchange()).ok());
    t0.sent.clear();
    const CommandApdu echo{sim::diag::kCla, sim::diag::kInsEcho, 0, 0, fromHex("AABBCC"), 256};
    const ResponseApdu answer = apdu::completeExchange(echo, t0.exchange());
    EXPECT_EQ(answer, (ResponseApdu{fromHex("AABBCC"), 0x9000}));
    ASSERT_EQ(t0.sent.size(), 2U);
    EXPECT_EQ(t0.sent[1], (CommandApdu{0x00, 0xC0, 0x00, 0x00, {}, 3}));
}

TEST(ApduTransport, LongAnswersAreChainedAndWrongLeIsReissued) {
    taplink::testing::VirtualCardChannel channel(sim::makeCard("iso-t0"));
    ASSERT_TRUE(channel.transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, sim::diagAid(), 256}).ok());
    const CommandApdu pattern{sim::diag::kCla, sim::diag::kInsPattern, 0x02, 0xBC, {}, 256};
    EXPECT_EQ(channel.transmit(pattern), (ResponseApdu{counting(700), 0x9000}));
    // READ BINARY of the MF's 64-byte EF (SFI 02) asking for 128 bytes: 6C40, then Le = 64.
    taplink::testing::VirtualCardChannel fresh(sim::makeCard("iso-t0"));
    const CommandApdu readBinary{0x00, 0xB0, 0x82, 0x00, {}, 0x80};
    EXPECT_EQ(fresh.transmit(readBinary), (ResponseApdu{counting(64), 0x9000}));
}

TEST(ApduTransport, EndlessMoreDataStopsAfterTheRoundLimit) {
    int exchanges = 0;
    const apdu::RawExchange forever = [&exchanges](const CommandApdu&) {
        ++exchanges;
        return ResponseApdu{{}, 0x6110};
    };
    EXPECT_THROW(apdu::completeExchange(CommandApdu{0x00, 0xB2, 1, 0x0C, {}, 256}, forever),
                 apdu::TransportError);
    EXPECT_EQ(exchanges, apdu::kMaxGetResponseRounds + 1);
}

TEST(ApduTransport, MoreThanTheLargestAnswerIsRefused) {
    const apdu::RawExchange flood = [](const CommandApdu&) {
        return ResponseApdu{Bytes(256, 0x55), 0x6100};
    };
    try {
        apdu::completeExchange(CommandApdu{0x00, 0xB2, 1, 0x0C, {}, 256}, flood);
        FAIL() << "a flood of data was accepted";
    } catch (const apdu::TransportError& error) {
        EXPECT_NE(std::string(error.what()).find("65536"), std::string::npos) << error.what();
    }
}

TEST(ApduTransport, GetResponseKeepsTheLogicalChannelOfInterindustryClasses) {
    EXPECT_EQ(apdu::getResponseFor(0x80, 0x10).cla, 0x00);  // proprietary
    EXPECT_EQ(apdu::getResponseFor(0x84, 0x10).cla, 0x00);
    EXPECT_EQ(apdu::getResponseFor(0x04, 0x10).cla, 0x00);  // secure messaging, channel 0
    EXPECT_EQ(apdu::getResponseFor(0x03, 0x10).cla, 0x03);
    EXPECT_EQ(apdu::getResponseFor(0x45, 0x10).cla, 0x45);
    EXPECT_EQ(apdu::getResponseFor(0x00, 0x00).le, 256U);
}

// Book 1 Annex A7: a case 4 command answered 6283 alone; GET RESPONSE gives the data.
TEST(EmvTransport, CaseFourWarningFetchesTheDataAndKeepsTheWarning) {
    test::ScriptedChannel card({ResponseApdu{{}, 0x6283}, ResponseApdu{fromHex("6F00"), 0x9000}});
    const CommandApdu select{0x00, 0xA4, 0x04, 0x00, fromHex("A000000333010101"), 256};
    EXPECT_EQ(exchange(card, select), (ResponseApdu{fromHex("6F00"), 0x6283}));
    ASSERT_EQ(card.sent.size(), 2U);
    EXPECT_EQ(card.sent[1], (CommandApdu{0x00, 0xC0, 0x00, 0x00, {}, 256}));
}

TEST(EmvTransport, WarningWithoutDataStaysWhenGetResponseFails) {
    test::ScriptedChannel card({ResponseApdu{{}, 0x6300}, ResponseApdu{{}, 0x6985}});
    const CommandApdu command{0x80, 0xAE, 0x80, 0x00, fromHex("01"), 256};
    EXPECT_EQ(exchange(card, command), (ResponseApdu{{}, 0x6300}));
}

TEST(EmvTransport, OnlyCaseFourWarningsWithoutDataSendGetResponse) {
    test::ScriptedChannel card(
        {ResponseApdu{{}, 0x6283}, ResponseApdu{fromHex("01"), 0x6300}, ResponseApdu{{}, 0x6A82}});
    EXPECT_EQ(exchange(card, CommandApdu{0x04, 0xDA, 0x9F, 0x79, fromHex("01"), std::nullopt}).sw,
              0x6283);  // case 3
    EXPECT_EQ(exchange(card, CommandApdu{0x80, 0xAE, 0x80, 0x00, fromHex("01"), 256}).data,
              fromHex("01"));  // data came with the warning
    EXPECT_EQ(exchange(card, CommandApdu{0x00, 0xA4, 0x04, 0x00, fromHex("01"), 256}).sw,
              0x6A82);  // an error, not a warning
    EXPECT_EQ(card.sent.size(), 3U);
}

TEST(EmvTransport, RequireSuccessTurnsAnyOtherStatusIntoCardRefused) {
    EXPECT_EQ(requireSuccess(ResponseApdu{fromHex("01"), 0x9000}, "x"), fromHex("01"));
    const std::string message = test::expectEmvError(EmvErrorCode::CardRefused, [] {
        requireSuccess(ResponseApdu{{}, 0x6985}, "GET PROCESSING OPTIONS");
    });
    EXPECT_NE(message.find("GET PROCESSING OPTIONS: card answered SW 6985"), std::string::npos);
    try {
        requireSuccess(ResponseApdu{{}, 0x6A81}, "x");
    } catch (const EmvError& error) {
        EXPECT_EQ(error.statusWord(), 0x6A81);
    }
}

}  // namespace
}  // namespace taplink::emv
