// The byte layouts and keys of the chip's management channel (chip/chip_management.hpp) and
// the TSM key file (protocol/tsm_keys.hpp): the management keys against vectors computed by
// the openssl command line, the MANAGE data and status answer both ways with their strict
// refusals, the lifecycle rule, and the command bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "chip_management.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::chip::mgmt {
namespace {

Bytes testMaster() {
    return protocol::testTsmMasterKey().master;
}

Bytes chipSerial() {
    return fromHex("544C434800000001");  // taplink-sim's default chip
}

// Vectors from the openssl command line (OpenSSL 3's HKDF, not TapLink's code), for the test
// master 40..5F, chip 544C434800000001 and info = "TapLink SCP03 v1" || role || AID || serial:
//   M=404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F
//   INFO=$(printf 'TapLink SCP03 v1' | xxd -p | tr -d '\n')45F05441504C494E4B53414D544C434800000001
//   openssl kdf -keylen 16 -kdfopt digest:SHA256 -kdfopt hexkey:$M -kdfopt hexinfo:$INFO HKDF
// with role 45 ('E'), 4D ('M'), 44 ('D'); the payment AID F05441504C494E4B504159 for the last.
TEST(ChipManagementKeys, DeriveAsHkdfSha256OfTheDocumentedInfo) {
    const gp::StaticKeys sam =
        deriveManagementKeys(testMaster(), appletAid(Applet::LoadSam), chipSerial());
    EXPECT_EQ(toHex(sam.enc), "DEAE54B7D35ABA74E0538AC0785DF3CF");
    EXPECT_EQ(toHex(sam.mac), "2E08478DD147421F368E07DCD131FB39");
    EXPECT_EQ(toHex(sam.dek), "97671F80F5597EE40D7D5DD0CA8E0A83");
    const gp::StaticKeys payment =
        deriveManagementKeys(testMaster(), appletAid(Applet::Payment), chipSerial());
    EXPECT_EQ(toHex(payment.enc), "6FD7E9ED2F794F74EAD1F0F380B937D6");
}

TEST(ChipManagementKeys, EachChipAndAppletHasItsOwnKeys) {
    const Bytes aid = appletAid(Applet::LoadSam);
    const gp::StaticKeys one = deriveManagementKeys(testMaster(), aid, chipSerial());
    EXPECT_NE(one.enc, deriveManagementKeys(testMaster(), aid, fromHex("544C434800000002")).enc);
    EXPECT_NE(one.enc, deriveManagementKeys(crypto::randomBytes(32), aid, chipSerial()).enc);
    EXPECT_THROW(deriveManagementKeys(Bytes(16, 0x40), aid, chipSerial()), ManagementFormatError);
    EXPECT_THROW(deriveManagementKeys(testMaster(), aid, {}), ManagementFormatError);
}

TEST(ChipManagementKeys, DiversificationDataIsTheSerialRightAlignedInTenBytes) {
    EXPECT_EQ(toHex(diversificationData(chipSerial())), "0000544C434800000001");
    EXPECT_EQ(toHex(diversificationData(fromHex("0102030405060708090A0B0C"))),
              "030405060708090A0B0C");
}

TEST(ChipManagementApplets, HaveTheirAidsNamesAndNumbers) {
    EXPECT_EQ(toHex(appletAid(Applet::LoadSam)), "F05441504C494E4B53414D");
    EXPECT_EQ(toHex(appletAid(Applet::Payment)), "F05441504C494E4B504159");
    EXPECT_EQ(appletName(Applet::Payment), "payment");
    EXPECT_EQ(appletFromName("load-sam"), Applet::LoadSam);
    EXPECT_EQ(appletFromName("pay"), std::nullopt);
    EXPECT_EQ(appletFromNumber(2), Applet::Payment);
    EXPECT_EQ(appletFromNumber(3), std::nullopt);
}

TEST(ChipManagementLifecycle, OnlyTheDocumentedTransitionsAreAllowed) {
    using L = Lifecycle;
    EXPECT_TRUE(isAllowedTransition(L::Installed, L::Operational));
    EXPECT_TRUE(isAllowedTransition(L::Installed, L::Locked));
    EXPECT_TRUE(isAllowedTransition(L::Operational, L::Locked));
    EXPECT_TRUE(isAllowedTransition(L::Locked, L::Operational));
    for (const L from : {L::Installed, L::Operational, L::Locked}) {
        EXPECT_FALSE(isAllowedTransition(from, L::Installed));
        EXPECT_FALSE(isAllowedTransition(from, from)) << "no move is no transition";
    }
}

// A MANAGE may also ask for the state the applet is in: a no-op, so a lost job can re-run.
TEST(ChipManagementLifecycle, TheCurrentStateIsAnAcceptedTarget) {
    using L = Lifecycle;
    EXPECT_TRUE(isAcceptedLifecycleTarget(L::Operational, L::Operational));
    EXPECT_TRUE(isAcceptedLifecycleTarget(L::Locked, L::Locked));
    EXPECT_TRUE(isAcceptedLifecycleTarget(L::Installed, L::Locked));
    EXPECT_TRUE(isAcceptedLifecycleTarget(L::Locked, L::Operational));
    EXPECT_FALSE(isAcceptedLifecycleTarget(L::Operational, L::Installed));
    EXPECT_FALSE(isAcceptedLifecycleTarget(L::Locked, L::Installed));
}

PaymentParameters someParameters(std::uint32_t version) {
    return testing::testPaymentParameters(version);
}

PaymentKeys someKeys() {
    return PaymentKeys{Bytes(32, 0x11), Bytes(16, 0x22), Bytes(20, 0x33)};
}

TEST(ChipManagementData, ParametersGoUpOrRepeatTheVeryCurrentOnes) {
    EXPECT_TRUE(isAcceptedParameterUpdate(std::nullopt, someParameters(1)));
    EXPECT_FALSE(isAcceptedParameterUpdate(std::nullopt, someParameters(0)));
    const std::optional<PaymentParameters> current = someParameters(3);
    EXPECT_TRUE(isAcceptedParameterUpdate(current, someParameters(4)));
    EXPECT_TRUE(isAcceptedParameterUpdate(current, someParameters(3))) << "the same: a no-op";
    EXPECT_FALSE(isAcceptedParameterUpdate(current, someParameters(2))) << "a rollback";
    PaymentParameters other = someParameters(3);
    other.cvmLimit += 1;
    EXPECT_FALSE(isAcceptedParameterUpdate(current, other)) << "other content, same version";
    other = someParameters(3);
    std::swap(other.allowedAids[0], other.allowedAids[1]);
    EXPECT_FALSE(isAcceptedParameterUpdate(current, other)) << "other bytes, same version";
}

// ISO/IEC 7816-5: RID (5) || PIX (0..11), the same bounds for the keys and the parameters.
TEST(ChipManagementData, AidsAreFiveToSixteenBytes) {
    EXPECT_EQ(kMinAidSize, 5U);
    EXPECT_EQ(kMaxAidSize, 16U);
    const Bytes master(kMasterKeySize, 0x40);
    const Bytes serial = fromHex("01");
    EXPECT_NO_THROW(deriveManagementKeys(master, Bytes(kMinAidSize, 0xA0), serial));
    EXPECT_NO_THROW(deriveManagementKeys(master, Bytes(kMaxAidSize, 0xA0), serial));
    EXPECT_THROW(deriveManagementKeys(master, Bytes(kMinAidSize - 1, 0xA0), serial),
                 ManagementFormatError);
    EXPECT_THROW(deriveManagementKeys(master, Bytes(kMaxAidSize + 1, 0xA0), serial),
                 ManagementFormatError);
    EXPECT_THROW(deriveManagementKeys(Bytes(kMasterKeySize - 1, 0x40), Bytes(5, 0xA0), serial),
                 ManagementFormatError);
    PaymentParameters parameters = someParameters(1);
    parameters.allowedAids = {Bytes(kMaxAidSize, 0xA0)};
    EXPECT_EQ(PaymentParameters::parse(parameters.encode()).allowedAids, parameters.allowedAids);
    parameters.allowedAids = {Bytes(kMaxAidSize + 1, 0xA0)};
    EXPECT_THROW(PaymentParameters::parse(parameters.encode()), ManagementFormatError);
}

TEST(ChipManagementData, TheManageDataHasItsDocumentedBytes) {
    ManageRequest request;
    request.lifecycle = Lifecycle::Locked;
    EXPECT_EQ(toHex(request.encode()), "C00103");
    request.parameters = someParameters(7);
    EXPECT_EQ(toHex(request.encode()),
              "C132"
              "DF010400000007"
              "E1144F08A0000003330101014F08A000000333010102"
              "DF0304000186A0DF04040007A120DF050400007530"
              "C00103");
    EXPECT_EQ(toHex(ManageRequest{}.encode()), "");
    ManageRequest activate;
    activate.lifecycle = Lifecycle::Operational;
    activate.allowanceKey = concat(fromHex("04"), Bytes(64, 0x0A));
    EXPECT_EQ(toHex(activate.encode()), "C34104" + toHex(Bytes(64, 0x0A)) + "C00102");
    EXPECT_EQ(ManageRequest::parse(activate.encode()).allowanceKey, activate.allowanceKey);
    EXPECT_THROW(ManageRequest::parse(concat(fromHex("C341"), Bytes(65, 0x05))),
                 ManagementFormatError)
        << "a point starts 04";
    activate.allowanceKey = Bytes{};
    EXPECT_THROW(activate.encode(), ManagementFormatError) << "a server without its key";
}

TEST(ChipManagementData, AManageRequestReadsBackAsWritten) {
    ManageRequest request;
    request.lifecycle = Lifecycle::Operational;
    request.parameters = someParameters(1);
    request.keys = someKeys();
    const ManageRequest back = ManageRequest::parse(request.encode());
    EXPECT_EQ(back.lifecycle, Lifecycle::Operational);
    ASSERT_TRUE(back.parameters && back.keys);
    EXPECT_EQ(back.parameters->allowedAids, request.parameters->allowedAids);
    EXPECT_EQ(back.parameters->dailyLimit, 500000U);
    EXPECT_EQ(back.keys->tokenSeed, Bytes(20, 0x33));
    EXPECT_FALSE(ManageRequest::parse({}).lifecycle.has_value());
    // Any order.
    const Bytes keysLast =
        concat(fromHex("C00102"), tlv::Tlv::primitive(0xC2, someKeys().encode()).encode());
    const ManageRequest reordered = ManageRequest::parse(keysLast);
    EXPECT_TRUE(reordered.keys.has_value());
}

TEST(ChipManagementData, MalformedManageDataIsRefused) {
    for (const char* data : {
             "C00102C00103",    // C0 twice
             "C00101",          // back to installed
             "C00104",          // no such state
             "C0020202",        // two bytes
             "C40100",          // unknown tag
             "C30104",          // an allowance key that is not a 65-byte point
             "00C00102",        // padding
             "C0810102",        // a long-form length for a short value
             "C002",            // truncated
             "C1054F03010203",  // parameters without their fields
         }) {
        EXPECT_THROW(ManageRequest::parse(fromHex(data)), ManagementFormatError) << data;
    }
    PaymentKeys shortKey = someKeys();
    shortKey.pinKey.pop_back();
    EXPECT_THROW(shortKey.encode(), ManagementFormatError);
    PaymentParameters noAids = someParameters(1);
    noAids.allowedAids.clear();
    EXPECT_THROW(noAids.encode(), ManagementFormatError);
    PaymentParameters nineAids = someParameters(1);
    nineAids.allowedAids.assign(9, fromHex("A000000333010101"));
    EXPECT_THROW(nineAids.encode(), ManagementFormatError);
}

TEST(ChipManagementData, TheStatusAnswerReadsBackAsWritten) {
    AppletStatus status;
    status.lifecycle = Lifecycle::Operational;
    status.chipSerial = chipSerial();
    status.sequenceCounter = 0x000102;
    status.parametersVersion = 3;
    status.keysPresent = true;
    EXPECT_EQ(toHex(status.encode()),
              "800102"
              "8108544C434800000001"
              "8203000102"
              "840400000003"
              "850101");
    const AppletStatus back = AppletStatus::parse(status.encode());
    EXPECT_EQ(back.sequenceCounter, 0x000102U);
    EXPECT_EQ(back.parametersVersion, 3U);
    EXPECT_EQ(back.keysPresent, true);
    const AppletStatus plain = AppletStatus::parse(fromHex("8001018108544C434800000001"));
    EXPECT_EQ(plain.lifecycle, Lifecycle::Installed);
    EXPECT_FALSE(plain.sequenceCounter || plain.parametersVersion || plain.keysPresent);
    EXPECT_THROW(AppletStatus::parse(fromHex("8108544C434800000001")), ManagementFormatError);
    EXPECT_THROW(AppletStatus::parse(fromHex("8001028108544C434800000001850102")),
                 ManagementFormatError);
}

TEST(ChipManagementCommands, HaveTheirDocumentedBytes) {
    EXPECT_EQ(toHex(selectApplet(Applet::Payment).encode()), "00A404000BF05441504C494E4B50415900");
    EXPECT_EQ(toHex(getStatus().encode()), "8030000000");
    EXPECT_EQ(toHex(manage(fromHex("C00103")).encode()), "80E2000003C0010300");
}

// --- The TSM key file.

TEST(TsmKeys, AWellFormedFileReads) {
    const protocol::TsmMasterKey key =
        protocol::parseTsmKeys(R"({"format":"taplink-tsm-keys/1","keyVersion":"31","master":")" +
                               toHex(Bytes(32, 0xAB)) + R"("})");
    EXPECT_EQ(key.keyVersion, 0x31);
    EXPECT_EQ(key.master, Bytes(32, 0xAB));
}

TEST(TsmKeys, AnythingElseIsRefused) {
    const std::string master = toHex(Bytes(32, 0xAB));
    for (const std::string& text : std::vector<std::string>{
             "not json",
             R"({"format":"taplink-tsm-keys/2","keyVersion":"30","master":")" + master + "\"}",
             R"({"format":"taplink-tsm-keys/1","keyVersion":48,"master":")" + master + "\"}",
             R"({"format":"taplink-tsm-keys/1","keyVersion":"300","master":")" + master + "\"}",
             R"({"format":"taplink-tsm-keys/1","keyVersion":"30","master":"ABCD"})",
             R"({"format":"taplink-tsm-keys/1","keyVersion":"30","master":"XY"})",
             R"({"format":"taplink-tsm-keys/1","keyVersion":"30"})",
             R"({"format":"taplink-tsm-keys/1","keyVersion":"30","master":")" + master +
                 R"(","extra":1})",
         }) {
        EXPECT_THROW(protocol::parseTsmKeys(text), protocol::TsmKeysError) << text;
    }
    EXPECT_THROW(protocol::readTsmKeys("/nonexistent/tsm-keys.json"), protocol::TsmKeysError);
}

TEST(TsmKeys, TheTestKeyIsThePublishedValue) {
    const protocol::TsmMasterKey key = protocol::testTsmMasterKey();
    EXPECT_EQ(key.keyVersion, 0x30);
    EXPECT_EQ(toHex(key.master),
              "404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F");
}

}  // namespace
}  // namespace taplink::chip::mgmt
