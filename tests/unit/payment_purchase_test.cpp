// The secure chip's payment applet, purchase side, in process (taplink-sim's "secure-chip"):
// BEGIN PURCHASE and its refusals in order, the CVM decision, PUT CARD DATA and PUT PIN,
// SEAL's checks and the sealed purchase the server opens, the day's total and the token
// counter across restarts, no going back in date, MANAGE dropping the context, CNY goods
// only, each sealed card object once, no wrap of the purchase number, the PUT PIN trace,
// GENERATE TOKEN against independent vectors, and a long seal through the real 61xx
// transport.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "applets/payment_applet.hpp"
#include "applets/payment_purchase.hpp"
#include "cards/profiles.hpp"
#include "chip_management.hpp"
#include "slot.hpp"
#include "taplink/apdu/transport.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/crypto/pin_block.hpp"
#include "taplink/crypto/random.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::chip::pay {
namespace {

using mgmt::Lifecycle;

constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kWrongLength = 0x6700;
constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
constexpr std::uint16_t kWrongData = 0x6A80;
constexpr const char* kToday = "261206";
constexpr const char* kPan = "6212345678901234";
// RFC 6287 Appendix C's 20-byte test seed ("12345678901234567890").
constexpr const char* kRfcSeed = "3132333435363738393031323334353637383930";

Bytes chipSerial() {
    return fromHex("544C434800000001");
}

// Per transaction 1000 yuan, daily 1500 yuan, CVM limit 300 yuan.
mgmt::PaymentParameters parameters() {
    mgmt::PaymentParameters limits = testing::testPaymentParameters(1);
    limits.dailyLimit = 150000;
    return limits;
}

mgmt::PaymentKeys keys() {
    return {crypto::randomBytes(mgmt::kChannelKeySize), crypto::randomBytes(mgmt::kPinKeySize),
            fromHex(kRfcSeed)};
}

PurchaseRequest request(std::uint64_t amount, const std::string& date = kToday) {
    PurchaseRequest purchase;
    purchase.amount = amount;
    purchase.date = fromHex(date);
    purchase.aid = fromHex("A000000333010101");
    purchase.orderReference = Bytes(kOrderReferenceSize, 0x5A);
    return purchase;
}

// What a kernel hands over: a READ RECORD template flattened (PAN, expiry) and a GENERATE AC
// answer of format 2 with an ARQC.
std::vector<tlv::Tlv> cardObjects(const std::string& expiry = "301231") {
    return {
        tlv::Tlv::primitive(0x5A, fromHex(kPan)), tlv::Tlv::primitive(0x5F24, fromHex(expiry)),
        tlv::Tlv::constructedOf(0x77, {tlv::Tlv::primitive(0x9F27, {0x80}),
                                       tlv::Tlv::primitive(0x9F36, fromHex("0011")),
                                       tlv::Tlv::primitive(0x9F26, fromHex("0102030405060708"))})};
}

Bytes encoded(const std::vector<tlv::Tlv>& objects) {
    Bytes out;
    for (const tlv::Tlv& object : objects) {
        const Bytes bytes = object.encode();
        out.insert(out.end(), bytes.begin(), bytes.end());
    }
    return out;
}

// The chip with a state directory of its own; restart() is a new taplink-sim on the same one.
class PaymentPurchaseTest : public ::testing::Test {
  protected:
    void SetUp() override {
        options.stateDir = ::testing::TempDir() + "/purchase-" + toHex(crypto::randomBytes(4));
        restart();
    }
    void TearDown() override { std::filesystem::remove_all(options.stateDir); }

    void restart() {
        channel =
            std::make_unique<testing::VirtualCardChannel>(sim::makeCard("secure-chip", options));
    }
    mgmt::AppletStatus manage(const mgmt::ManageRequest& manageRequest) {
        return testing::manageWithTestKey(*channel, chipSerial(), mgmt::Applet::Payment,
                                          manageRequest);
    }
    void personalise() {
        mgmt::ManageRequest personalisation;
        personalisation.keys = paymentKeys;
        personalisation.parameters = parameters();
        personalisation.lifecycle = Lifecycle::Operational;
        manage(personalisation);
    }
    apdu::ResponseApdu send(const apdu::CommandApdu& command) {
        EXPECT_TRUE(channel->transmit(mgmt::selectApplet(mgmt::Applet::Payment)).ok());
        return sendSelected(command);
    }
    apdu::ResponseApdu sendSelected(const apdu::CommandApdu& command) {
        return channel->transmit(command);
    }
    PurchaseStart begin(const PurchaseRequest& purchase) {
        const apdu::ResponseApdu answer = send(beginPurchase(purchase));
        EXPECT_EQ(answer.sw, kOk);
        return PurchaseStart::parse(answer.data);
    }
    // BEGIN, the card data, a PIN when asked for, SEAL: the seal.
    Bytes purchase(const PurchaseRequest& purchase) {
        const PurchaseStart start = begin(purchase);
        EXPECT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kOk);
        if (start.cvm == Cvm::OnlinePin) {
            EXPECT_EQ(sendSelected(putPin("1234")).sw, kOk);
        }
        const apdu::ResponseApdu sealed = sendSelected(seal());
        EXPECT_EQ(sealed.sw, kOk);
        return sealed.data;
    }
    SealedPurchase open(ByteView sealed) {
        return openSealedPurchase(paymentKeys.channelKey, chipSerial(), sealed);
    }
    nlohmann::json savedState() {
        std::ifstream in(sim::paymentStateFile(chipSerial(), options.stateDir));
        return nlohmann::json::parse(in);
    }

    sim::CardOptions options;
    std::unique_ptr<testing::VirtualCardChannel> channel;
    mgmt::PaymentKeys paymentKeys = keys();
};

std::vector<apdu::CommandApdu> everyCommand() {
    return {beginPurchase(request(100)), putCardData(encoded(cardObjects())), putPin("1234"),
            seal(), generateToken("00000000")};
}

TEST_F(PaymentPurchaseTest, AnInstalledAppletRefusesEveryCommand) {
    for (const apdu::CommandApdu& command : everyCommand()) {
        EXPECT_EQ(send(command).sw, kConditionsNotSatisfied) << int(command.ins);
    }
}

TEST_F(PaymentPurchaseTest, ALockedAppletRefusesEveryCommand) {
    personalise();
    ASSERT_EQ(send(beginPurchase(request(100))).sw, kOk) << "a context that SEAL could use";
    mgmt::ManageRequest lock;
    lock.lifecycle = Lifecycle::Locked;
    manage(lock);
    for (const apdu::CommandApdu& command : everyCommand()) {
        EXPECT_EQ(send(command).sw, kConditionsNotSatisfied) << int(command.ins);
    }
    apdu::CommandApdu malformed = beginPurchase(request(100));
    malformed.data.pop_back();
    EXPECT_EQ(send(malformed).sw, kConditionsNotSatisfied) << "the lifecycle comes first";
}

// Each check in its order, each refusal changing nothing: no purchase number is spent, an
// earlier context stays usable, and nothing counts toward the day.
TEST_F(PaymentPurchaseTest, BeginPurchaseRefusesInOrderAndARefusalChangesNothing) {
    personalise();
    const PurchaseStart first = begin(request(100));
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kOk);

    PurchaseRequest foreignAid = request(100001);
    foreignAid.aid = fromHex("A000000004101001");
    apdu::CommandApdu malformed = beginPurchase(foreignAid);
    malformed.data.resize(malformed.data.size() - 1);
    EXPECT_EQ(sendSelected(malformed).sw, kWrongData) << "malformed before the AID";
    PurchaseRequest noReference = request(100);
    noReference.orderReference.clear();
    EXPECT_EQ(sendSelected(beginPurchase(noReference)).sw, kWrongData);
    EXPECT_EQ(sendSelected(beginPurchase(foreignAid)).sw, sw::kAidNotAllowed)
        << "the AID before the limits";
    EXPECT_EQ(sendSelected(beginPurchase(request(160000))).sw, sw::kOverTransactionLimit)
        << "the per-transaction limit before the daily one";

    const SealedPurchase sealed = open(sendSelected(seal()).data);
    EXPECT_EQ(sealed.purchaseNumber, first.purchaseNumber) << "the first context survived";
    EXPECT_EQ(sealed.request.amount, 100U);

    ASSERT_EQ(open(purchase(request(100000))).request.amount, 100000U);
    EXPECT_EQ(send(beginPurchase(request(49901))).sw, sw::kOverDailyLimit) << "100 + 100000";
    EXPECT_EQ(begin(request(49900)).purchaseNumber, first.purchaseNumber + 2)
        << "refusals spent no number; the day's total is exactly at its limit";
}

TEST_F(PaymentPurchaseTest, ThePurchaseNumberIsOnDiskWhenAnswered) {
    personalise();
    const PurchaseStart start = begin(request(100));
    EXPECT_EQ(start.purchaseNumber, 1U);
    EXPECT_EQ(start.unpredictableNumber.size(), kUnpredictableNumberSize);
    EXPECT_EQ(savedState().at("purchase_number"), 1);
    restart();
    EXPECT_EQ(begin(request(100)).purchaseNumber, 2U);
}

TEST_F(PaymentPurchaseTest, OnlinePinIsAskedOnlyAboveTheCvmLimit) {
    personalise();
    EXPECT_EQ(begin(request(30000)).cvm, Cvm::None) << "at the limit";
    EXPECT_EQ(begin(request(30001)).cvm, Cvm::OnlinePin) << "one fen above";
}

TEST_F(PaymentPurchaseTest, PutCardDataTakesAtMost2048BytesOfWellFormedObjects) {
    personalise();
    EXPECT_EQ(send(putCardData(encoded(cardObjects()))).sw, kConditionsNotSatisfied)
        << "no purchase context";
    begin(request(100));
    EXPECT_EQ(sendSelected(putCardData(fromHex("5A08621234"))).sw, kWrongData) << "truncated";
    const Bytes chunk = tlv::Tlv::primitive(0xDF7F, Bytes(251, 0x11)).encode();
    ASSERT_EQ(chunk.size(), 255U);
    for (int i = 0; i < 8; ++i) {
        ASSERT_EQ(sendSelected(putCardData(chunk)).sw, kOk);
    }
    EXPECT_EQ(sendSelected(putCardData(fromHex("DF7F03112233"))).sw, kOk) << "2046 bytes";
    EXPECT_EQ(sendSelected(putCardData(fromHex("C300"))).sw, kOk) << "2048 bytes";
    EXPECT_EQ(sendSelected(putCardData(fromHex("C300"))).sw, sw::kCardDataFull) << "2050 bytes";
}

TEST_F(PaymentPurchaseTest, PutPinNeedsAnOnlinePinContextWithAPanAndFourToTwelveDigits) {
    personalise();
    EXPECT_EQ(send(putPin("1234")).sw, kConditionsNotSatisfied) << "no context";
    begin(request(30000));
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kOk);
    EXPECT_EQ(sendSelected(putPin("1234")).sw, kConditionsNotSatisfied) << "no CVM asked";
    begin(request(30001));
    EXPECT_EQ(sendSelected(putPin("1234")).sw, kConditionsNotSatisfied) << "no PAN yet";
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kOk);
    for (const char* pin : {"123", "1234567890123", "12a4", "12 4"}) {
        EXPECT_EQ(sendSelected(putPin(pin)).sw, kWrongData) << pin;
    }
    EXPECT_EQ(sendSelected(seal()).sw, kConditionsNotSatisfied) << "no PIN block yet";
}

// The block is an ISO 9564-1 format 4 block of the PIN and the PAN under the PIN key,
// opened here with crypto's decipher; a second PUT PIN replaces the first.
TEST_F(PaymentPurchaseTest, ThePinBlockOpensToTheLastPinUnderThePinKey) {
    personalise();
    begin(request(50000));
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kOk);
    ASSERT_EQ(sendSelected(putPin("1234")).sw, kOk);
    ASSERT_EQ(sendSelected(putPin("987654321012")).sw, kOk);
    const SealedPurchase sealed = open(sendSelected(seal()).data);
    ASSERT_TRUE(sealed.pinBlock.has_value());
    EXPECT_EQ(crypto::decipherFormat4(paymentKeys.pinKey, *sealed.pinBlock, kPan), "987654321012");
    EXPECT_THROW(crypto::decipherFormat4(crypto::randomBytes(16), *sealed.pinBlock, kPan),
                 crypto::PinBlockError);
}

TEST_F(PaymentPurchaseTest, SealNeedsTheArqcTheAtcThePanAndTheExpiry) {
    personalise();
    EXPECT_EQ(send(seal()).sw, kConditionsNotSatisfied) << "no context";
    const std::vector<tlv::Tlv> complete = cardObjects();
    const std::vector<std::uint32_t> needed{0x9F26, 0x9F27, 0x9F36, 0x5A, 0x5F24};
    for (const std::uint32_t missing : needed) {
        begin(request(100));
        std::vector<tlv::Tlv> objects{complete[0], complete[1]};
        for (const tlv::Tlv& inner : complete[2].children) {
            objects.push_back(inner);
        }
        std::erase_if(objects, [missing](const tlv::Tlv& object) { return object.tag == missing; });
        ASSERT_EQ(sendSelected(putCardData(encoded(objects))).sw, kOk);
        EXPECT_EQ(sendSelected(seal()).sw, kWrongData) << std::hex << missing;
        objects.assign(1, tlv::Tlv::primitive(missing, tlv::find(complete, missing)->value));
        ASSERT_EQ(sendSelected(putCardData(encoded(objects))).sw, kOk);
        EXPECT_EQ(sendSelected(seal()).sw, kOk) << "a refused SEAL kept the context";
    }
    begin(request(100));
    ASSERT_EQ(sendSelected(putCardData(fromHex("9F270140"))).sw, kOk) << "a TC, not an ARQC";
    EXPECT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kWrongData)
        << "a second 9F27 is refused";
    EXPECT_EQ(sendSelected(seal()).sw, kWrongData) << "the TC cannot be sealed";
    EXPECT_EQ(sendSelected(apdu::CommandApdu{0x80, ins::kSeal, 0, 0, {0x00}, 256}).sw,
              kWrongLength);
}

TEST_F(PaymentPurchaseTest, AnExpiredCardIsRefusedAndItsContextDropped) {
    personalise();
    begin(request(100, "261206"));
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects("261205")))).sw, kOk);
    EXPECT_EQ(sendSelected(seal()).sw, sw::kCardExpired);
    EXPECT_EQ(sendSelected(seal()).sw, kConditionsNotSatisfied) << "the context is gone";
    begin(request(100, "010101"));
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects("991231")))).sw, kOk);
    EXPECT_EQ(sendSelected(seal()).sw, sw::kCardExpired) << "99 is 1999, 01 is 2001";
    begin(request(100, "261206"));
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects("261206")))).sw, kOk);
    EXPECT_EQ(sendSelected(seal()).sw, kOk) << "valid through its last day";
}

TEST_F(PaymentPurchaseTest, TheSealedPurchaseHoldsExactlyWhatWasGiven) {
    personalise();
    PurchaseRequest given = request(12345);
    given.orderReference = crypto::randomBytes(kOrderReferenceSize);
    const PurchaseStart start = begin(given);
    const std::vector<tlv::Tlv> objects = cardObjects();
    ASSERT_EQ(sendSelected(putCardData(objects[2].encode())).sw, kOk);
    ASSERT_EQ(sendSelected(putCardData(encoded({objects[0], objects[1]}))).sw, kOk);
    const Bytes sealedBytes = sendSelected(seal()).data;
    const SealedPurchase sealed = open(sealedBytes);
    EXPECT_EQ(sealed.purchaseNumber, start.purchaseNumber);
    EXPECT_EQ(sealed.unpredictableNumber, start.unpredictableNumber);
    EXPECT_EQ(sealed.request.encode(), given.encode());
    EXPECT_EQ(encoded(sealed.cardData), encoded({objects[2], objects[0], objects[1]}))
        << "in the order received";
    EXPECT_FALSE(sealed.pinBlock.has_value()) << "no CVM";
    EXPECT_EQ(sealedBytes.size(), kSealNonceSize + sealed.encode().size() + kSealTagSize);
    EXPECT_EQ(sendSelected(seal()).sw, kConditionsNotSatisfied) << "one seal per context";
}

TEST_F(PaymentPurchaseTest, ATamperedSealOrAnotherChipIsATypedError) {
    personalise();
    const Bytes sealed = purchase(request(100));
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        Bytes tampered = sealed;
        tampered[i] ^= 0x01;
        try {
            open(tampered);
            ADD_FAILURE() << "byte " << i << " altered, and the seal opened";
        } catch (const SealError& error) {
            EXPECT_EQ(error.code(), SealErrorCode::NotAuthentic) << i;
        }
    }
    try {
        openSealedPurchase(paymentKeys.channelKey, fromHex("544C434800000002"), sealed);
        ADD_FAILURE() << "another chip's serial opened it";
    } catch (const SealError& error) {
        EXPECT_EQ(error.code(), SealErrorCode::NotAuthentic);
    }
    try {
        open(ByteView(sealed).first(kSealNonceSize + kSealTagSize - 1));
        ADD_FAILURE() << "a short seal opened";
    } catch (const SealError& error) {
        EXPECT_EQ(error.code(), SealErrorCode::TooShort);
    }
}

TEST_F(PaymentPurchaseTest, TheDailyTotalSurvivesARestartAndANewDateResetsIt) {
    personalise();
    purchase(request(100000));
    EXPECT_EQ(savedState().at("day_total"), 100000);
    EXPECT_EQ(savedState().at("day"), kToday);
    restart();
    EXPECT_EQ(send(beginPurchase(request(50001))).sw, sw::kOverDailyLimit);
    EXPECT_EQ(begin(request(100000, "261207")).cvm, Cvm::OnlinePin) << "a new day starts at 0";
    purchase(request(100000, "261207"));
    EXPECT_EQ(savedState().at("day_total"), 100000) << "the new day's own total";
}

TEST_F(PaymentPurchaseTest, AnEarlierDateIsRefusedAsOverTheDailyLimit) {
    personalise();
    purchase(request(100000));
    EXPECT_EQ(send(beginPurchase(request(100000, "261205"))).sw, sw::kOverDailyLimit)
        << "going back a day would start the total again at 0";
    EXPECT_EQ(sendSelected(beginPurchase(request(100, "991231"))).sw, sw::kOverDailyLimit)
        << "1999 is before 2026";
    EXPECT_EQ(savedState().at("day"), kToday);
    EXPECT_EQ(begin(request(49900)).cvm, Cvm::OnlinePin) << "today goes on";
    EXPECT_EQ(begin(request(100000, "261207")).cvm, Cvm::OnlinePin) << "a later day starts at 0";
}

// A MANAGE inside the session, with no SELECT between: the context checked against the old
// parameters is gone, so SEAL cannot go past the new limits.
TEST_F(PaymentPurchaseTest, AManageDropsThePurchaseContext) {
    personalise();
    gp::HostChannel host =
        testing::openManagementChannel(*channel, chipSerial(), mgmt::Applet::Payment);
    ASSERT_EQ(sendSelected(beginPurchase(request(100))).sw, kOk);
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kOk);
    mgmt::ManageRequest lower;
    lower.parameters = testing::testPaymentParameters(2);
    lower.parameters->perTransactionLimit = 50;
    ASSERT_EQ(host.unwrap(sendSelected(host.wrap(mgmt::manage(lower.encode())))).sw, kOk);
    EXPECT_EQ(sendSelected(seal()).sw, kConditionsNotSatisfied);
    EXPECT_EQ(sendSelected(beginPurchase(request(100))).sw, sw::kOverTransactionLimit);
}

TEST_F(PaymentPurchaseTest, OnlyCnyGoodsAndServicesAreBegun) {
    personalise();
    PurchaseRequest dollars = request(100);
    dollars.currency = 840;
    EXPECT_EQ(send(beginPurchase(dollars)).sw, kWrongData);
    PurchaseRequest cash = request(100);
    cash.type = 0x01;
    EXPECT_EQ(sendSelected(beginPurchase(cash)).sw, kWrongData);
    EXPECT_EQ(savedState().at("purchase_number"), 0) << "refusals spent no number";
}

TEST_F(PaymentPurchaseTest, ASealedCardObjectComesOnlyOnce) {
    personalise();
    begin(request(100));
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kOk);
    const std::vector<Bytes> repeats{
        tlv::Tlv::primitive(0x5A, fromHex("6212345678901299")).encode(),
        tlv::Tlv::primitive(0x5F24, fromHex("991231")).encode(),
        tlv::Tlv::constructedOf(0x70, {tlv::Tlv::primitive(0x9F26, Bytes(8, 0))}).encode(),
        tlv::Tlv::primitive(0x9F27, {0x40}).encode(),
        tlv::Tlv::primitive(0x9F36, fromHex("0012")).encode()};
    for (const Bytes& repeat : repeats) {
        EXPECT_EQ(sendSelected(putCardData(repeat)).sw, kWrongData) << toHex(repeat);
    }
    begin(request(100));
    const Bytes twice = concat(tlv::Tlv::primitive(0x9F36, fromHex("0011")).encode(),
                               tlv::Tlv::primitive(0x9F36, fromHex("0012")).encode());
    EXPECT_EQ(sendSelected(putCardData(twice)).sw, kWrongData) << "twice in one command";
    ASSERT_EQ(sendSelected(putCardData(encoded(cardObjects()))).sw, kOk);
    EXPECT_EQ(open(sendSelected(seal()).data).cardData.size(), 3U) << "refused data not kept";
}

TEST_F(PaymentPurchaseTest, TheLastPurchaseNumberIsNeverWrapped) {
    personalise();
    nlohmann::json state = savedState();
    state["purchase_number"] = std::numeric_limits<std::uint32_t>::max() - 1;
    std::ofstream(sim::paymentStateFile(chipSerial(), options.stateDir)) << state.dump();
    restart();
    EXPECT_EQ(begin(request(100)).purchaseNumber, std::numeric_limits<std::uint32_t>::max());
    EXPECT_EQ(sendSelected(beginPurchase(request(100))).sw, kConditionsNotSatisfied);
    EXPECT_EQ(savedState().at("purchase_number"), std::numeric_limits<std::uint32_t>::max());
}

// The applet drops the context on MANAGE, so this drives PaymentPurchase alone: SEAL runs
// BEGIN PURCHASE's checks again against the state as it is when sealing.
TEST(PurchaseSeal, SealChecksTheLimitsAgainstTheCurrentState) {
    sim::PaymentState state;
    state.lifecycle = Lifecycle::Operational;
    state.parameters = parameters();
    state.keys = keys();
    sim::PaymentPurchase chip(chipSerial(), state,
                              [&state](sim::PaymentState next) { state = std::move(next); });
    const auto sealAfter = [&](const std::function<void()>& change) {
        EXPECT_EQ(chip.process(beginPurchase(request(100)))->sw, kOk);
        EXPECT_EQ(chip.process(putCardData(encoded(cardObjects())))->sw, kOk);
        change();
        return chip.process(seal())->sw;
    };
    EXPECT_EQ(sealAfter([&] { state.parameters->perTransactionLimit = 99; }),
              sw::kOverTransactionLimit);
    state.parameters = parameters();
    EXPECT_EQ(sealAfter([&] { state.parameters->allowedAids.clear(); }), sw::kAidNotAllowed);
    state.parameters = parameters();
    EXPECT_EQ(sealAfter([&] {
                  state.dayTotal = 150000;
                  state.day = fromHex(kToday);
              }),
              sw::kOverDailyLimit);
    state.dayTotal = 0;
    EXPECT_EQ(sealAfter([&] { state.day = fromHex("261207"); }), sw::kOverDailyLimit)
        << "a later day counted since BEGIN PURCHASE";
    EXPECT_EQ(state.dayTotal, 0U) << "no refused seal was counted";
}

TEST(PurchaseSeal, EachSealDrawsItsOwnNonce) {
    const Bytes key = crypto::randomBytes(mgmt::kChannelKeySize);
    SealedPurchase content{1, fromHex("01020304"), request(100), cardObjects(), std::nullopt};
    const Bytes first = sealPurchase(key, chipSerial(), content);
    const Bytes second = sealPurchase(key, chipSerial(), content);
    EXPECT_NE(toHex(ByteView(first).first(kSealNonceSize)),
              toHex(ByteView(second).first(kSealNonceSize)));
    EXPECT_EQ(openSealedPurchase(key, chipSerial(), second).encode(), content.encode());
    const Bytes nonce(kSealNonceSize, 0x07);
    const Bytes fixed = detail::sealPurchaseWithNonce(key, chipSerial(), content, nonce);
    EXPECT_EQ(toHex(ByteView(fixed).first(kSealNonceSize)), toHex(nonce));
}

// ISO 9564-1 8.1: 4 to 12 decimal digits, nothing else.
TEST(PinRule, AValidPinIsFourToTwelveAsciiDigits) {
    EXPECT_TRUE(isValidPin("1234"));
    EXPECT_TRUE(isValidPin("123456789012"));
    EXPECT_FALSE(isValidPin("123"));
    EXPECT_FALSE(isValidPin("1234567890123"));
    EXPECT_FALSE(isValidPin(""));
    EXPECT_FALSE(isValidPin("12a4"));
    EXPECT_FALSE(isValidPin("12 34"));
    EXPECT_FALSE(
        isValidPin(std::string_view("12\0"
                                    "4",
                                    4)));
}

TEST(PurchaseTrace, APutPinIsTracedWithoutItsDigits) {
    const std::string traced = sim::tracedApdu(putPin("123456").encode());
    EXPECT_EQ(traced, "80 46 00 00 <PIN>");
    const Bytes other = beginPurchase(request(100)).encode();
    EXPECT_EQ(sim::tracedApdu(other), toHex(other, true));
}

TEST(PurchaseTrace, APutCardDataIsTracedWithoutThePan) {
    const std::string traced =
        sim::tracedApdu(putCardData(fromHex("5A086212345678901234")).encode());
    EXPECT_EQ(traced.rfind("80 42 00 00 ", 0), 0U) << traced;
    EXPECT_EQ(traced.find("62 12 34"), std::string::npos) << traced;
    EXPECT_EQ(traced.find("5A"), std::string::npos) << traced;
}

// Codes from tests/unit/vectors/otp_vectors.json (make_otp_vectors.py, Python's hmac, checked
// there against RFC 6287 Appendix C): OCRA-1:HOTP-SHA1-8:C-QN08 under the RFC's 20-byte seed.
TEST_F(PaymentPurchaseTest, GenerateTokenAnswersTheOcraCodeAndNeverReusesACounter) {
    personalise();
    EXPECT_EQ(send(generateToken("1234567")).sw, kWrongData);
    EXPECT_EQ(sendSelected(generateToken("1234567a")).sw, kWrongData);
    const apdu::ResponseApdu first = sendSelected(generateToken("00000000"));
    ASSERT_EQ(first.sw, kOk);
    const TokenAnswer zero = TokenAnswer::parse(first.data);
    EXPECT_EQ(zero.counter, 0U) << "refused challenges spent no counter";
    EXPECT_EQ(zero.code, "23223685");
    EXPECT_EQ(savedState().at("token_counter"), 1);
    restart();
    const TokenAnswer one = TokenAnswer::parse(send(generateToken("12345678")).data);
    EXPECT_EQ(one.counter, 1U) << "the counter survived the restart";
    EXPECT_EQ(one.code, "95100279");
    EXPECT_EQ(TokenAnswer::parse(sendSelected(generateToken("12345678")).data).counter, 2U);
}

// The request's strict layout: each object once, canonical, n fields in BCD, a real date.
TEST(PurchaseLayout, TheRequestIsParsedStrictly) {
    const Bytes good = request(100).encode();
    EXPECT_EQ(PurchaseRequest::parse(good).encode(), good);
    EXPECT_EQ(toHex(ByteView(good).first(9)), "9F0206000000000100") << "n12, EMV Book 3 4.3";
    const std::vector<Bytes> malformed{
        concat(good, fromHex("9C0100")),                                   // a tag twice
        concat(good, fromHex("9F370401020304")),                           // a tag of no request
        concat(fromHex("00"), good),                                       // padding
        concat(fromHex("9F020600000000010A"), ByteView(good).subspan(9)),  // not BCD
    };
    for (const Bytes& data : malformed) {
        EXPECT_THROW(PurchaseRequest::parse(data), PurchaseFormatError) << toHex(data);
    }
    PurchaseRequest dollars = request(100);
    dollars.currency = 840;
    EXPECT_THROW(PurchaseRequest::parse(dollars.encode()), PurchaseFormatError) << "5F2A 0840";
    PurchaseRequest refund = request(100);
    refund.type = 0x20;
    EXPECT_THROW(PurchaseRequest::parse(refund.encode()), PurchaseFormatError) << "9C 20";
    PurchaseRequest badDate = request(100, "261301");
    EXPECT_THROW(PurchaseRequest::parse(badDate.encode()), PurchaseFormatError) << "month 13";
}

// An ApduChannel over the same transport code as VirtualCardChannel that counts the rounds.
class CountingChannel : public apdu::ApduChannel {
  public:
    explicit CountingChannel(std::shared_ptr<sim::VirtualCard> card) : card_(std::move(card)) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        return apdu::completeExchange(command, [this](const apdu::CommandApdu& apdu) {
            ++rounds;
            return apdu::ResponseApdu::parse(card_->process(apdu.encode()));
        });
    }
    int rounds = 0;

  private:
    std::shared_ptr<sim::VirtualCard> card_;
};

TEST(PaymentPurchaseTransport, ALongSealComesThroughGetResponse) {
    const std::shared_ptr<sim::VirtualCard> chip = sim::makeCard("secure-chip");
    CountingChannel channel(chip);
    mgmt::ManageRequest personalisation;
    personalisation.keys = keys();
    personalisation.parameters = parameters();
    personalisation.lifecycle = Lifecycle::Operational;
    testing::manageWithTestKey(channel, chipSerial(), mgmt::Applet::Payment, personalisation);
    ASSERT_TRUE(channel.transmit(mgmt::selectApplet(mgmt::Applet::Payment)).ok());
    ASSERT_TRUE(channel.transmit(beginPurchase(request(100))).ok());
    ASSERT_TRUE(channel.transmit(putCardData(encoded(cardObjects()))).ok());
    const Bytes filler = tlv::Tlv::primitive(0xDF7F, Bytes(251, 0x22)).encode();
    ASSERT_TRUE(channel.transmit(putCardData(filler)).ok());
    ASSERT_TRUE(channel.transmit(putCardData(filler)).ok());
    channel.rounds = 0;
    const apdu::ResponseApdu sealed = channel.transmit(seal());
    ASSERT_EQ(sealed.sw, kOk);
    EXPECT_GT(sealed.data.size(), 512U);
    EXPECT_EQ(channel.rounds, 3) << "SEAL, then two GET RESPONSE rounds";
    const SealedPurchase opened =
        openSealedPurchase(personalisation.keys->channelKey, chipSerial(), sealed.data);
    EXPECT_EQ(opened.cardData.size(), 5U);
}

}  // namespace
}  // namespace taplink::chip::pay
