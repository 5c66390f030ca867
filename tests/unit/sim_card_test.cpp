// Unit tests for the virtual card model of taplink-sim: the ISO/IEC 7816-4 file system,
// the transport rules of VirtualCard (61xx chaining, T=0 6Cxx), the diagnostics applet,
// the card profiles and ATR construction. Cards are driven through VirtualCard::process,
// the entry point the simulator uses; no pcscd and no sockets are involved.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "applets/diag_applet.hpp"
#include "card/atr.hpp"
#include "card/file_system.hpp"
#include "card/virtual_card.hpp"
#include "cards/profiles.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::sim {
namespace {

constexpr std::uint8_t kInsSelect = 0xA4;
constexpr std::uint8_t kInsReadBinary = 0xB0;
constexpr std::uint8_t kInsReadRecord = 0xB2;
constexpr std::uint8_t kInsGetResponse = 0xC0;

Bytes counting(std::size_t length, std::uint8_t start) {
    Bytes bytes(length);
    for (std::size_t i = 0; i < length; ++i) {
        bytes[i] = static_cast<std::uint8_t>((start + i) & 0xFFU);
    }
    return bytes;
}

Bytes fidBytes(std::uint16_t fid) {
    return Bytes{static_cast<std::uint8_t>(fid >> 8U), static_cast<std::uint8_t>(fid & 0xFFU)};
}

CommandApdu command(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2,
                    Bytes data = {}, std::optional<std::size_t> le = std::nullopt) {
    CommandApdu apdu;
    apdu.cla = cla;
    apdu.ins = ins;
    apdu.p1 = p1;
    apdu.p2 = p2;
    apdu.data = std::move(data);
    apdu.le = le;
    return apdu;
}

CommandApdu selectFid(std::uint8_t p1, std::uint16_t fid, std::uint8_t p2 = 0x00) {
    return command(0x00, kInsSelect, p1, p2, fidBytes(fid), 256);
}

CommandApdu selectParent(std::uint8_t p2 = 0x00) {
    return command(0x00, kInsSelect, 0x03, p2, {}, 256);
}

CommandApdu selectAid(const Bytes& aid, std::uint8_t p2 = 0x00) {
    return command(0x00, kInsSelect, 0x04, p2, aid, 256);
}

CommandApdu selectPath(const std::vector<std::uint16_t>& fids, std::uint8_t p2 = 0x00) {
    Bytes path;
    for (const std::uint16_t fid : fids) {
        const Bytes bytes = fidBytes(fid);
        path.insert(path.end(), bytes.begin(), bytes.end());
    }
    return command(0x00, kInsSelect, 0x08, p2, std::move(path), 256);
}

CommandApdu readBinary(std::uint8_t p1, std::uint8_t p2, std::optional<std::size_t> le) {
    return command(0x00, kInsReadBinary, p1, p2, {}, le);
}

CommandApdu readRecord(std::uint8_t record, std::uint8_t p2, std::optional<std::size_t> le = 256) {
    return command(0x00, kInsReadRecord, record, p2, {}, le);
}

CommandApdu getResponse(std::optional<std::size_t> le) {
    return command(0x00, kInsGetResponse, 0x00, 0x00, {}, le);
}

CommandApdu diagPattern(std::size_t length, std::optional<std::size_t> le) {
    return command(diag::kCla, diag::kInsPattern, static_cast<std::uint8_t>(length >> 8U),
                   static_cast<std::uint8_t>(length & 0xFFU), {}, le);
}

CommandApdu diagEcho(Bytes data, std::optional<std::size_t> le) {
    return command(diag::kCla, diag::kInsEcho, 0x00, 0x00, std::move(data), le);
}

// P2 of READ RECORD: record number in P1 of the EF with this SFI (0 = current EF).
std::uint8_t recordP2(std::uint8_t sfi) {
    return static_cast<std::uint8_t>((unsigned{sfi} << 3U) | 0x04U);
}

// P1 of READ BINARY addressing an EF by SFI.
std::uint8_t sfiP1(std::uint8_t sfi) {
    return static_cast<std::uint8_t>(0x80U | sfi);
}

ResponseApdu sendRaw(VirtualCard& card, const Bytes& raw) {
    return ResponseApdu::parse(card.process(raw));
}

ResponseApdu send(VirtualCard& card, const CommandApdu& apdu) {
    return sendRaw(card, apdu.encode());
}

// The status word as four hex digits, so that failures read like a card trace.
std::string statusOf(const ResponseApdu& response) {
    return toHex(Bytes{response.sw1(), response.sw2()});
}

// Follows 61xx with GET RESPONSE (Le = xx, 00 = 256) and returns every data byte together
// with the final response's status word.
ResponseApdu collect(VirtualCard& card, const ResponseApdu& first) {
    ResponseApdu all{first.data, first.sw};
    for (int guard = 0; all.sw1() == apdu::sw::kMoreDataSw1 && guard < 1000; ++guard) {
        const std::size_t le = all.sw2() == 0 ? apdu::kMaxShortLe : all.sw2();
        const ResponseApdu next = send(card, getResponse(le));
        all.data.insert(all.data.end(), next.data.begin(), next.data.end());
        all.sw = next.sw;
    }
    return all;
}

Bytes diagFci() {
    const Bytes aid = diagAid();
    Bytes fci{0x6F, static_cast<std::uint8_t>(aid.size() + 2), 0x84,
              static_cast<std::uint8_t>(aid.size())};
    fci.insert(fci.end(), aid.begin(), aid.end());
    return fci;
}

Bytes plainDfFci(std::uint16_t fid) {
    return concat(fromHex("6F048302"), fidBytes(fid));
}

ElementaryFile transparentEf(std::uint16_t fid, std::uint8_t sfi, Bytes content) {
    return ElementaryFile{fid, sfi, false, std::move(content), {}};
}

// Records what the card tells it; answers CLA 90 INS 01 with the configured response.
class RecordingApplet : public Applet {
  public:
    RecordingApplet() = default;

    void onSelect() override { ++selects; }
    void onReset() override { ++resets; }
    void onDeselect() override { ++deselects; }
    std::optional<ResponseApdu> process(const CommandApdu& apdu, DedicatedFile& /*df*/) override {
        if (apdu.cla == 0x90 && apdu.ins == 0x01) {
            return reply;
        }
        return std::nullopt;
    }

    int selects = 0;
    int resets = 0;
    int deselects = 0;
    ResponseApdu reply{{}, 0x9000};
};

Bytes appAid() {
    return fromHex("A000000999010203");
}
Bytes otherAppAid() {
    return fromHex("A000000999010204");
}

// A tree the profiles do not have: plain (AID-less) DFs two levels deep, a DF with its
// own FCI, and two applications sharing an AID prefix.
//   MF
//   +- DF 4000 (plain)           +- EF 4001 (SFI 01, "4000/4001")
//   |  +- DF 4100 (plain)        +- EF 4101 (SFI 01, "4100/4101")
//   +- DF 6000 (FCI 6F 03 A5 01 99)
//   +- DF 7000 (AID appAid(), recording applet)
//   +- DF 7100 (AID otherAppAid())
DedicatedFile customTree(std::shared_ptr<RecordingApplet> applet) {
    DedicatedFile inner;
    inner.fid = 0x4100;
    inner.efs.push_back(transparentEf(0x4101, 0x01, fromHex("41004101")));

    DedicatedFile outer;
    outer.fid = 0x4000;
    outer.efs.push_back(transparentEf(0x4001, 0x01, fromHex("40004001")));
    outer.dfs.push_back(std::move(inner));

    DedicatedFile withFci;
    withFci.fid = 0x6000;
    withFci.fci = fromHex("6F03A50199");

    DedicatedFile app;
    app.fid = 0x7000;
    app.aid = appAid();
    app.applet = std::move(applet);

    DedicatedFile otherApp;
    otherApp.fid = 0x7100;
    otherApp.aid = otherAppAid();

    DedicatedFile mf;
    mf.dfs.push_back(std::move(outer));
    mf.dfs.push_back(std::move(withFci));
    mf.dfs.push_back(std::move(app));
    mf.dfs.push_back(std::move(otherApp));
    return mf;
}

std::unique_ptr<VirtualCard> customCard(std::shared_ptr<RecordingApplet> applet, bool t0) {
    return std::make_unique<VirtualCard>(t0 ? "custom-t0" : "custom-t1", atrT1(Bytes{}),
                                         customTree(std::move(applet)), t0);
}

// ---------------------------------------------------------------------------------------
// Profiles

TEST(SimProfilesTest, ProfileNamesListTheTestCardsAndTheCityCards) {
    EXPECT_EQ(profileNames(),
              (std::vector<std::string>{"iso-t1", "iso-t0", "city-3des", "city-3des-00", "city-sm4",
                                        "bank-3des", "bank-sm4", "bank-dual", "secure-chip"}));
}

TEST(SimProfilesTest, MakeCardBuildsEveryListedProfileUnderItsName) {
    for (const std::string& name : profileNames()) {
        const auto card = makeCard(name);
        ASSERT_NE(card, nullptr) << name;
        EXPECT_EQ(card->profile(), name);
    }
}

TEST(SimProfilesTest, MakeCardThrowsInvalidArgumentForUnknownProfile) {
    EXPECT_THROW(makeCard("iso-t2"), std::invalid_argument);
    EXPECT_THROW(makeCard(""), std::invalid_argument);
    EXPECT_THROW(makeCard("ISO-T1"), std::invalid_argument);
}

TEST(SimProfilesTest, IsoT1CardHasT1AtrAndIsoT0CardHasT0Atr) {
    EXPECT_EQ(makeCard("iso-t1")->atr(), atrT1(historicalBytes("TAPLINK-T1")));
    EXPECT_EQ(makeCard("iso-t0")->atr(), atrT0(historicalBytes("TAPLINK-T0")));
}

TEST(SimProfilesTest, EfDirHoldsOneRecordNamingTheDiagApplication) {
    const auto card = makeCard("iso-t1");
    const ResponseApdu record = send(*card, readRecord(1, recordP2(0x1E)));
    EXPECT_EQ(statusOf(record), "9000");
    Bytes expected{0x61, 0x19, 0x4F, 0x09};
    const Bytes aid = diagAid();
    expected.insert(expected.end(), aid.begin(), aid.end());
    const std::string label = "TAPLINK DIAG";
    expected.push_back(0x50);
    expected.push_back(static_cast<std::uint8_t>(label.size()));
    expected.insert(expected.end(), label.begin(), label.end());
    EXPECT_EQ(toHex(record.data), toHex(expected));

    EXPECT_EQ(statusOf(send(*card, readRecord(2, recordP2(0x1E)))), "6A83");
}

TEST(SimProfilesTest, MfEf2F02IsSixtyFourCountingBytes) {
    const auto card = makeCard("iso-t1");
    const ResponseApdu read = send(*card, readBinary(sfiP1(0x02), 0x00, 256));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(read.data, counting(64, 0x00));
}

TEST(SimProfilesTest, DiagEf0101IsThreeHundredCountingBytes) {
    const auto card = makeCard("iso-t1");
    ASSERT_EQ(statusOf(send(*card, selectAid(diagAid(), 0x0C))), "9000");
    const ResponseApdu read = send(*card, readBinary(sfiP1(0x01), 0x00, 300));  // extended Le
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(read.data, counting(300, 0x00));
}

TEST(SimProfilesTest, ExtendedLeOfAllBytesReadsTheWholeEfWithoutWarning) {
    const auto card = makeCard("iso-t1");
    ASSERT_EQ(statusOf(send(*card, selectAid(diagAid(), 0x0C))), "9000");
    const ResponseApdu read = send(*card, readBinary(sfiP1(0x01), 0x00, 65536));  // Le 0000
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(read.data, counting(300, 0x00));
}

TEST(SimProfilesTest, DiagEf0102HoldsThreeRecordsOfTwentyThreeBytes) {
    const auto card = makeCard("iso-t1");
    ASSERT_EQ(statusOf(send(*card, selectAid(diagAid(), 0x0C))), "9000");
    const std::uint8_t starts[] = {0x10, 0x20, 0x30};
    for (std::uint8_t record = 1; record <= 3; ++record) {
        const ResponseApdu read = send(*card, readRecord(record, recordP2(0x02)));
        EXPECT_EQ(statusOf(read), "9000") << "record " << int{record};
        EXPECT_EQ(read.data, counting(23, starts[record - 1])) << "record " << int{record};
    }
    EXPECT_EQ(statusOf(send(*card, readRecord(4, recordP2(0x02)))), "6A83");
}

// ---------------------------------------------------------------------------------------
// ATR

// ISO/IEC 7816-4 clause 12.1.1: category 00, COMPACT-TLV objects, status indicator last.
TEST(AtrTest, HistoricalBytesAreCategory00IssuerDataThenStatusIndicator) {
    EXPECT_EQ(toHex(historicalBytes("AB")), "00524142009000");  // 52: tag 5, length 2
    EXPECT_EQ(toHex(historicalBytes("")), "00009000");
}

TEST(AtrTest, T1AtrHasDocumentedInterfaceBytesAndHistoricalBytes) {
    const Bytes historical = historicalBytes("TAPLINK-T1");  // 15 bytes
    const Bytes atr = atrT1(historical);
    ASSERT_EQ(atr.size(), 6 + historical.size() + 1);
    EXPECT_EQ(toHex(Bytes(atr.begin(), atr.begin() + 6)), "3B8F8131FE45");
    EXPECT_EQ(Bytes(atr.begin() + 6, atr.end() - 1), historical);
}

TEST(AtrTest, T1AtrTckMakesXorOfT0ThroughTckZeroForEveryHistoricalLength) {
    for (std::size_t length = 0; length <= 15; ++length) {
        const Bytes atr = atrT1(counting(length, 0xA5));
        ASSERT_EQ(atr.size(), 7 + length);
        EXPECT_EQ(atr[1] & 0x0FU, length) << "K in T0";
        std::uint8_t check = 0;
        for (std::size_t i = 1; i < atr.size(); ++i) {
            check ^= atr[i];
        }
        EXPECT_EQ(check, 0) << "historical length " << length << ": " << toHex(atr, true);
    }
}

TEST(AtrTest, T1AtrWithoutHistoricalBytes) {
    // TCK = 80 ^ 81 ^ 31 ^ FE ^ 45 = 8B
    EXPECT_EQ(toHex(atrT1(Bytes{})), "3B808131FE458B");
}

TEST(AtrTest, T0AtrHasNoInterfaceBytesNoTd1AndNoTck) {
    const Bytes historical = historicalBytes("TAPLINK-T0");
    const Bytes atr = atrT0(historical);
    ASSERT_EQ(atr.size(), 2 + historical.size());
    EXPECT_EQ(atr[0], 0x3B);
    EXPECT_EQ(atr[1], historical.size());
    EXPECT_EQ(atr[1] & 0xF0U, 0U) << "Y1 must announce no TA1/TB1/TC1/TD1";
    EXPECT_EQ(Bytes(atr.begin() + 2, atr.end()), historical);
    EXPECT_EQ(toHex(atrT0(Bytes{})), "3B00");
}

TEST(AtrTest, FifteenHistoricalBytesAreAccepted) {
    EXPECT_EQ(atrT0(counting(15, 0)).size(), 17U);
    EXPECT_EQ(atrT1(counting(15, 0)).size(), 22U);
}

TEST(AtrTest, MoreThanFifteenHistoricalBytesThrowInvalidArgument) {
    EXPECT_THROW(atrT0(counting(16, 0)), std::invalid_argument);
    EXPECT_THROW(atrT1(counting(16, 0)), std::invalid_argument);
    EXPECT_THROW(historicalBytes("ELEVEN-CHAR"), std::invalid_argument);
    EXPECT_NO_THROW(atrT1(historicalBytes("TEN-CHARS!")));
}

// ---------------------------------------------------------------------------------------
// File system: SELECT

class FileSystemTest : public ::testing::Test {
  protected:
    std::shared_ptr<VirtualCard> card_ = makeCard("iso-t1");

    ResponseApdu send(const CommandApdu& apdu) { return taplink::sim::send(*card_, apdu); }
    void enterDiag() { ASSERT_EQ(statusOf(send(selectAid(diagAid(), 0x0C))), "9000"); }
};

TEST_F(FileSystemTest, SelectMfByFid3F00ReturnsFciWithTag83) {
    const ResponseApdu response = send(selectFid(0x00, 0x3F00));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), "6F0483023F00");
}

TEST_F(FileSystemTest, SelectMfByFidFromInsideApplicationReturnsToMf) {
    enterDiag();
    ASSERT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "9000");
    EXPECT_EQ(statusOf(send(selectFid(0x00, 0x3F00))), "9000");
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "6A82");
}

TEST_F(FileSystemTest, SelectChildDfByFidWithP1_00ReturnsApplicationFciWithTag84) {
    const ResponseApdu response = send(selectFid(0x00, 0x5000));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), toHex(diagFci()));
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "9000");
}

TEST_F(FileSystemTest, SelectChildDfWithP1_01ReturnsApplicationFci) {
    const ResponseApdu response = send(selectFid(0x01, 0x5000));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), toHex(diagFci()));
}

TEST_F(FileSystemTest, SelectChildDfWithP1_01DoesNotSelectAnEf) {
    EXPECT_EQ(statusOf(send(selectFid(0x01, 0x2F02))), "6A82");
    EXPECT_EQ(statusOf(send(readBinary(0x00, 0x00, 1))), "6986");
}

TEST_F(FileSystemTest, SelectEfByFidWithP1_00MakesItTheCurrentEf) {
    const ResponseApdu response = send(selectFid(0x00, 0x2F02));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_TRUE(response.data.empty());
    const ResponseApdu read = send(readBinary(0x00, 0x00, 4));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(toHex(read.data), "00010203");
}

TEST_F(FileSystemTest, SelectEfUnderCurrentDfWithP1_02MakesItTheCurrentEf) {
    enterDiag();
    const ResponseApdu response = send(selectFid(0x02, 0x0101));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_TRUE(response.data.empty());
    const ResponseApdu read = send(readBinary(0x01, 0x00, 4));  // offset 0x0100
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(toHex(read.data), "00010203");
}

TEST_F(FileSystemTest, SelectEfWithP1_02DoesNotSelectADf) {
    EXPECT_EQ(statusOf(send(selectFid(0x02, 0x5000))), "6A82");
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "6A82") << "still at the MF";
}

TEST_F(FileSystemTest, SelectEfOfAnotherDfByFidIsNotFound) {
    EXPECT_EQ(statusOf(send(selectFid(0x00, 0x0101))), "6A82");
    EXPECT_EQ(statusOf(send(selectFid(0x02, 0x0101))), "6A82");
}

TEST_F(FileSystemTest, SelectUnknownFidReturns6A82WithoutData) {
    for (const std::uint8_t p1 : std::initializer_list<std::uint8_t>{0x00, 0x01, 0x02}) {
        const ResponseApdu response = send(selectFid(p1, 0x1234));
        EXPECT_EQ(statusOf(response), "6A82") << "P1 " << int{p1};
        EXPECT_TRUE(response.data.empty());
    }
}

TEST_F(FileSystemTest, FailedSelectKeepsCurrentDf) {
    enterDiag();
    EXPECT_EQ(statusOf(send(selectFid(0x00, 0x1234))), "6A82");
    EXPECT_EQ(statusOf(send(selectAid(fromHex("A0000000031010")))), "6A82");
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "9000");
}

TEST_F(FileSystemTest, SelectParentFromApplicationReturnsMfFci) {
    enterDiag();
    const ResponseApdu response = send(selectParent());
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), "6F0483023F00");
    // SFI 02 is the transparent EF 2F02 in the MF, the record EF 0102 in DF 5000.
    const ResponseApdu read = send(readBinary(sfiP1(0x02), 0, 2));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(toHex(read.data), "0001");
}

TEST_F(FileSystemTest, SelectParentAtMfStaysAtMf) {
    const ResponseApdu response = send(selectParent());
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), "6F0483023F00");
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x02), 0, 2))), "9000");
}

TEST_F(FileSystemTest, SelectByFullAidReturnsFciWithTag84) {
    const ResponseApdu response = send(selectAid(diagAid()));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), toHex(diagFci()));
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "9000");
}

TEST_F(FileSystemTest, SelectByPartialAidPrefixSelectsTheApplication) {
    const Bytes aid = diagAid();
    const Bytes prefix(aid.begin(), aid.begin() + 5);
    const ResponseApdu response = send(selectAid(prefix));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), toHex(diagFci())) << "the FCI names the full AID";
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "9000");
}

TEST_F(FileSystemTest, SelectByUnknownAidReturns6A82) {
    const ResponseApdu response = send(selectAid(fromHex("A0000000031010")));
    EXPECT_EQ(statusOf(response), "6A82");
    EXPECT_TRUE(response.data.empty());
}

TEST_F(FileSystemTest, SelectByAidLongerThanTheApplicationsAidReturns6A82) {
    EXPECT_EQ(statusOf(send(selectAid(concat(diagAid(), Bytes{0x02})))), "6A82");
}

TEST_F(FileSystemTest, SelectByAidWithMismatchInLastByteReturns6A82) {
    Bytes aid = diagAid();
    aid.back() = 0x02;
    EXPECT_EQ(statusOf(send(selectAid(aid))), "6A82");
}

TEST_F(FileSystemTest, SelectByPathToApplicationDfReturnsItsFci) {
    const ResponseApdu response = send(selectPath({0x5000}));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), toHex(diagFci()));
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "9000");
}

TEST_F(FileSystemTest, SelectByPathToEfSelectsItsDfAndTheEf) {
    const ResponseApdu response = send(selectPath({0x5000, 0x0101}));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_TRUE(response.data.empty());
    const ResponseApdu read = send(readBinary(0x00, 0x10, 2));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(toHex(read.data), "1011");
    // The current DF is now DF 5000, where SFI 02 is the record EF 0102.
    EXPECT_EQ(statusOf(send(readRecord(1, recordP2(0x02)))), "9000");
}

TEST_F(FileSystemTest, SelectByPathToEfInMf) {
    enterDiag();
    EXPECT_EQ(statusOf(send(selectPath({0x2F02}))), "9000");
    const ResponseApdu read = send(readBinary(0x00, 0x3E, 2));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(toHex(read.data), "3E3F");
}

TEST_F(FileSystemTest, SelectByPathNotFoundReturns6A82) {
    EXPECT_EQ(statusOf(send(selectPath({0x5000, 0x0999}))), "6A82");
    EXPECT_EQ(statusOf(send(selectPath({0x0101}))), "6A82") << "paths start at the MF";
    EXPECT_EQ(statusOf(send(selectPath({0x2F02, 0x0101}))), "6A82") << "an EF is no DF";
    EXPECT_EQ(statusOf(send(selectPath({0x4444}))), "6A82");
}

TEST_F(FileSystemTest, SelectWithP2_0CReturnsNoData) {
    const std::vector<CommandApdu> selects = {
        selectFid(0x00, 0x5000, 0x0C), selectFid(0x00, 0x3F00, 0x0C),
        selectFid(0x01, 0x5000, 0x0C), selectParent(0x0C),
        selectAid(diagAid(), 0x0C),    selectPath({0x5000}, 0x0C),
    };
    for (const CommandApdu& apdu : selects) {
        const ResponseApdu response = send(apdu);
        EXPECT_EQ(statusOf(response), "9000") << toHex(apdu.encode());
        EXPECT_TRUE(response.data.empty()) << toHex(apdu.encode());
    }
    // ... and it still selects.
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 1))), "9000");
}

TEST_F(FileSystemTest, SelectWithUnsupportedP1Returns6A86) {
    EXPECT_EQ(statusOf(send(command(0x00, kInsSelect, 0x09, 0x00, fidBytes(0x5000), 256))), "6A86");
}

// ---------------------------------------------------------------------------------------
// File system: READ BINARY

TEST_F(FileSystemTest, ReadBinaryBySfiReadsFromOffsetInP2) {
    const ResponseApdu read = send(readBinary(sfiP1(0x02), 0x10, 4));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(toHex(read.data), "10111213");
}

TEST_F(FileSystemTest, ReadBinaryBySfiMakesTheEfCurrent) {
    ASSERT_EQ(statusOf(send(readBinary(sfiP1(0x02), 0x00, 1))), "9000");
    const ResponseApdu read = send(readBinary(0x00, 0x20, 2));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(toHex(read.data), "2021");
}

TEST_F(FileSystemTest, ReadBinaryUsesP1AndP2AsOffsetIntoCurrentEf) {
    enterDiag();
    ASSERT_EQ(statusOf(send(selectFid(0x00, 0x0101, 0x0C))), "9000");
    const ResponseApdu read = send(readBinary(0x01, 0x28, 4));  // offset 0x0128 = 296
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(toHex(read.data), "28292A2B");
}

TEST_F(FileSystemTest, ReadBinaryWithLe00OfShortEfReturnsWholeEfWith9000) {
    const ResponseApdu read = send(readBinary(sfiP1(0x02), 0x00, 256));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(read.data.size(), 64U);
}

TEST_F(FileSystemTest, ReadBinaryUpToTheLastByteExactlyReturns9000) {
    const ResponseApdu read = send(readBinary(sfiP1(0x02), 0x30, 0x10));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(read.data, counting(16, 0x30));
}

TEST_F(FileSystemTest, ReadBinaryFewerBytesThanNonZeroLeReturnsDataWith6282) {
    const ResponseApdu read = send(readBinary(sfiP1(0x02), 0x30, 0x20));
    EXPECT_EQ(statusOf(read), "6282");
    EXPECT_EQ(read.data, counting(16, 0x30));
}

TEST_F(FileSystemTest, ReadBinaryOffsetBeyondEndReturns6B00) {
    ResponseApdu read = send(readBinary(sfiP1(0x02), 0x41, 1));
    EXPECT_EQ(statusOf(read), "6B00");
    EXPECT_TRUE(read.data.empty());
    read = send(readBinary(0x00, 0xFF, 1));  // current EF 2F02 (64 bytes)
    EXPECT_EQ(statusOf(read), "6B00");
    read = send(readBinary(0x7F, 0xFF, 1));
    EXPECT_EQ(statusOf(read), "6B00");
}

TEST_F(FileSystemTest, ReadBinaryWithoutCurrentEfReturns6986) {
    const ResponseApdu read = send(readBinary(0x00, 0x00, 1));
    EXPECT_EQ(statusOf(read), "6986");
    EXPECT_TRUE(read.data.empty());
}

TEST_F(FileSystemTest, SelectingADfClearsTheCurrentEf) {
    ASSERT_EQ(statusOf(send(selectFid(0x00, 0x2F02, 0x0C))), "9000");
    ASSERT_EQ(statusOf(send(selectFid(0x00, 0x3F00, 0x0C))), "9000");
    EXPECT_EQ(statusOf(send(readBinary(0x00, 0x00, 1))), "6986");
}

TEST_F(FileSystemTest, ReadBinaryOnRecordEfReturns6981) {
    ResponseApdu read = send(readBinary(sfiP1(0x1E), 0x00, 1));
    EXPECT_EQ(statusOf(read), "6981");
    EXPECT_TRUE(read.data.empty());
    ASSERT_EQ(statusOf(send(selectFid(0x00, 0x2F00, 0x0C))), "9000");
    read = send(readBinary(0x00, 0x00, 1));
    EXPECT_EQ(statusOf(read), "6981");
}

TEST_F(FileSystemTest, ReadBinaryWithUnknownSfiReturns6A82) {
    const ResponseApdu read = send(readBinary(sfiP1(0x05), 0x00, 1));
    EXPECT_EQ(statusOf(read), "6A82");
    EXPECT_TRUE(read.data.empty());
}

// ---------------------------------------------------------------------------------------
// File system: READ RECORD

TEST_F(FileSystemTest, ReadRecordBySfiReturnsTheRecord) {
    enterDiag();
    const ResponseApdu read = send(readRecord(2, recordP2(0x02)));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(read.data, counting(23, 0x20));
}

TEST_F(FileSystemTest, ReadRecordOfCurrentEfWithP2_04) {
    enterDiag();
    ASSERT_EQ(statusOf(send(selectFid(0x02, 0x0102, 0x0C))), "9000");
    const ResponseApdu read = send(readRecord(3, 0x04));
    EXPECT_EQ(statusOf(read), "9000");
    EXPECT_EQ(read.data, counting(23, 0x30));
}

TEST_F(FileSystemTest, ReadRecordBySfiMakesTheEfCurrent) {
    ASSERT_EQ(statusOf(send(readRecord(1, recordP2(0x1E)))), "9000");
    EXPECT_EQ(statusOf(send(readRecord(1, 0x04))), "9000");
}

TEST_F(FileSystemTest, ReadRecordMissingRecordReturns6A83) {
    enterDiag();
    ResponseApdu read = send(readRecord(4, recordP2(0x02)));
    EXPECT_EQ(statusOf(read), "6A83");
    EXPECT_TRUE(read.data.empty());
    read = send(readRecord(0xFF, recordP2(0x02)));
    EXPECT_EQ(statusOf(read), "6A83");
}

TEST_F(FileSystemTest, ReadRecordWithRecordNumberZeroReturns6A86) {
    enterDiag();
    const ResponseApdu read = send(readRecord(0, recordP2(0x02)));
    EXPECT_EQ(statusOf(read), "6A86");
    EXPECT_TRUE(read.data.empty());
}

TEST_F(FileSystemTest, ReadRecordWithP2NotAddressingRecordNumberReturns6A86) {
    enterDiag();
    for (const std::uint8_t p2 :
         std::initializer_list<std::uint8_t>{0x10, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17, 0x00}) {
        const ResponseApdu read = send(readRecord(1, p2));
        EXPECT_EQ(statusOf(read), "6A86") << "P2 " << int{p2};
        EXPECT_TRUE(read.data.empty());
    }
}

TEST_F(FileSystemTest, ReadRecordOnTransparentEfReturns6981) {
    const ResponseApdu read = send(readRecord(1, recordP2(0x02)));  // MF: EF 2F02
    EXPECT_EQ(statusOf(read), "6981");
    EXPECT_TRUE(read.data.empty());
}

TEST_F(FileSystemTest, ReadRecordWithoutCurrentEfReturns6986) {
    EXPECT_EQ(statusOf(send(readRecord(1, 0x04))), "6986");
}

TEST_F(FileSystemTest, ReadRecordWithUnknownSfiReturns6A82) {
    EXPECT_EQ(statusOf(send(readRecord(1, recordP2(0x01)))), "6A82");  // SFI 01 is in DF 5000
}

// ---------------------------------------------------------------------------------------
// File system: a tree with plain DFs, a configured FCI and two applications.

class FileSystemTreeTest : public ::testing::Test {
  protected:
    std::shared_ptr<RecordingApplet> applet_ = std::make_shared<RecordingApplet>();
    std::unique_ptr<VirtualCard> card_ = customCard(applet_, false);

    ResponseApdu send(const CommandApdu& apdu) { return taplink::sim::send(*card_, apdu); }
};

TEST_F(FileSystemTreeTest, SelectPlainDfReturnsFciWithTag83) {
    const ResponseApdu response = send(selectFid(0x01, 0x4000));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), toHex(plainDfFci(0x4000)));
}

TEST_F(FileSystemTreeTest, SelectDfWithConfiguredFciReturnsIt) {
    const ResponseApdu response = send(selectFid(0x00, 0x6000));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), "6F03A50199");
}

TEST_F(FileSystemTreeTest, SelectChildDfOnlyLooksUnderTheCurrentDf) {
    EXPECT_EQ(statusOf(send(selectFid(0x01, 0x4100))), "6A82");
    ASSERT_EQ(statusOf(send(selectFid(0x01, 0x4000))), "9000");
    const ResponseApdu response = send(selectFid(0x01, 0x4100));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), toHex(plainDfFci(0x4100)));
}

TEST_F(FileSystemTreeTest, SelectByPathThroughTwoLevels) {
    const ResponseApdu response = send(selectPath({0x4000, 0x4100}));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), toHex(plainDfFci(0x4100)));
    const ResponseApdu read = send(readBinary(sfiP1(0x01), 0, 4));
    EXPECT_EQ(toHex(read.data), "41004101");
}

TEST_F(FileSystemTreeTest, SelectByPathToEfTwoLevelsDown) {
    ASSERT_EQ(statusOf(send(selectPath({0x4000, 0x4100, 0x4101}))), "9000");
    EXPECT_EQ(toHex(send(readBinary(0x00, 0x00, 4)).data), "41004101");
}

TEST_F(FileSystemTreeTest, SelectParentWalksUpOneLevelAtATime) {
    ASSERT_EQ(statusOf(send(selectPath({0x4000, 0x4100}, 0x0C))), "9000");
    ResponseApdu response = send(selectParent());
    EXPECT_EQ(toHex(response.data), toHex(plainDfFci(0x4000)));
    EXPECT_EQ(toHex(send(readBinary(sfiP1(0x01), 0, 4)).data), "40004001");
    response = send(selectParent());
    EXPECT_EQ(toHex(response.data), "6F0483023F00");
    EXPECT_EQ(statusOf(send(readBinary(sfiP1(0x01), 0, 4))), "6A82");
}

TEST_F(FileSystemTreeTest, SelectByPartialAidPicksTheFirstMatchingApplication) {
    const Bytes aid = appAid();
    const Bytes prefix(aid.begin(), aid.end() - 1);
    const ResponseApdu response = send(selectAid(prefix));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), "6F0A8408" + toHex(appAid()));
    const ResponseApdu other = send(selectAid(otherAppAid()));
    EXPECT_EQ(toHex(other.data), "6F0A8408" + toHex(otherAppAid()));
}

TEST_F(FileSystemTreeTest, SelectTellsTheAppletEveryTimeItsDfIsSelected) {
    EXPECT_EQ(applet_->selects, 0);
    ASSERT_EQ(statusOf(send(selectAid(appAid()))), "9000");
    EXPECT_EQ(applet_->selects, 1);
    ASSERT_EQ(statusOf(send(selectAid(appAid(), 0x0C))), "9000");
    EXPECT_EQ(applet_->selects, 2) << "re-selecting starts a new session too";
    ASSERT_EQ(statusOf(send(selectFid(0x00, 0x3F00, 0x0C))), "9000");
    ASSERT_EQ(statusOf(send(selectFid(0x01, 0x7000, 0x0C))), "9000");
    EXPECT_EQ(applet_->selects, 3);
}

TEST(FileSystemDirectTest, ProcessLeavesOtherInstructionsToTheCaller) {
    FileSystem files(customTree(nullptr));
    EXPECT_FALSE(files.process(command(0x00, 0xCA, 0x00, 0x00, {}, 256)).has_value());
    EXPECT_FALSE(files.process(command(0x00, kInsGetResponse, 0x00, 0x00, {}, 256)).has_value());
    EXPECT_TRUE(files.process(readBinary(0x00, 0x00, 1)).has_value());
}

TEST(FileSystemDirectTest, ConstructorMakesTheRootTheMfWithFid3F00) {
    DedicatedFile root = customTree(nullptr);
    root.fid = 0x1234;
    FileSystem files(std::move(root));
    EXPECT_EQ(files.currentDf().fid, 0x3F00);
    const auto response = files.process(selectFid(0x00, 0x3F00));
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(toHex(response->data), "6F0483023F00");
}

TEST(FileSystemDirectTest, ResetGoesBackToTheMf) {
    FileSystem files(customTree(nullptr));
    ASSERT_EQ(files.process(selectPath({0x4000, 0x4100}))->sw, 0x9000);
    EXPECT_EQ(files.currentDf().fid, 0x4100);
    files.reset();
    EXPECT_EQ(files.currentDf().fid, 0x3F00);
    EXPECT_EQ(files.process(readBinary(0x00, 0x00, 1))->sw, 0x6986);
}

// ---------------------------------------------------------------------------------------
// Virtual card: transport rules

class VirtualCardTest : public ::testing::Test {
  protected:
    std::shared_ptr<VirtualCard> t1_ = makeCard("iso-t1");
    std::shared_ptr<VirtualCard> t0_ = makeCard("iso-t0");

    void SetUp() override {
        for (VirtualCard* card : {t1_.get(), t0_.get()}) {
            ASSERT_EQ(statusOf(send(*card, selectAid(diagAid(), 0x0C))), "9000");
        }
    }
};

TEST_F(VirtualCardTest, T1DataWithinLeComesInOneResponse) {
    const ResponseApdu response = send(*t1_, diagPattern(100, 256));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(response.data, counting(100, 0));
}

TEST_F(VirtualCardTest, T1DataEqualToLeComesInOneResponse) {
    const ResponseApdu response = send(*t1_, diagPattern(256, 256));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(response.data, counting(256, 0));
}

TEST_F(VirtualCardTest, T1Pattern700WithLe256ChainsThroughGetResponse) {
    const ResponseApdu first = send(*t1_, diagPattern(700, 256));
    EXPECT_EQ(statusOf(first), "6100") << "444 bytes remain: 256 or more is 00";
    ASSERT_EQ(first.data.size(), 256U);

    const ResponseApdu second = send(*t1_, getResponse(256));
    EXPECT_EQ(statusOf(second), "61BC") << "188 bytes remain";
    ASSERT_EQ(second.data.size(), 256U);

    const ResponseApdu third = send(*t1_, getResponse(0xBC));
    EXPECT_EQ(statusOf(third), "9000");
    ASSERT_EQ(third.data.size(), 188U);

    Bytes all = concat(concat(first.data, second.data), third.data);
    EXPECT_EQ(all, counting(700, 0));

    EXPECT_EQ(statusOf(send(*t1_, getResponse(256))), "6985") << "nothing left";
}

TEST_F(VirtualCardTest, T1ChainedResponseReassemblesWithCollect) {
    const ResponseApdu all = collect(*t1_, send(*t1_, diagPattern(1000, 0x80)));
    EXPECT_EQ(statusOf(all), "9000");
    EXPECT_EQ(all.data, counting(1000, 0));
}

TEST_F(VirtualCardTest, T1SwOf61xxCountsRemainingBytesBelow256Exactly) {
    const ResponseApdu first = send(*t1_, diagPattern(300, 100));
    EXPECT_EQ(statusOf(first), "61C8");
    EXPECT_EQ(first.data, counting(100, 0));
}

TEST_F(VirtualCardTest, T1GetResponseWithSmallerLeChainsAgain) {
    ASSERT_EQ(statusOf(send(*t1_, diagPattern(50, 10))), "6128");
    const ResponseApdu second = send(*t1_, getResponse(16));
    EXPECT_EQ(statusOf(second), "6118");
    EXPECT_EQ(second.data, counting(16, 10));
    const ResponseApdu third = send(*t1_, getResponse(0x18));
    EXPECT_EQ(statusOf(third), "9000");
    EXPECT_EQ(third.data, counting(24, 26));
}

TEST_F(VirtualCardTest, T1GetResponseWithLargerLeReturnsTheRest) {
    ASSERT_EQ(statusOf(send(*t1_, diagPattern(50, 10))), "6128");
    const ResponseApdu rest = send(*t1_, getResponse(256));
    EXPECT_EQ(statusOf(rest), "9000");
    EXPECT_EQ(rest.data, counting(40, 10));
}

TEST_F(VirtualCardTest, T1CommandWithoutLeGetsAll61xx) {
    const ResponseApdu first = send(*t1_, diagPattern(10, std::nullopt));
    EXPECT_EQ(statusOf(first), "610A");
    EXPECT_TRUE(first.data.empty());
    const ResponseApdu rest = send(*t1_, getResponse(10));
    EXPECT_EQ(statusOf(rest), "9000");
    EXPECT_EQ(rest.data, counting(10, 0));
}

TEST_F(VirtualCardTest, T1ExtendedLeDeliversEverythingAtOnce) {
    const ResponseApdu response = send(*t1_, diagPattern(700, 65536));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(response.data, counting(700, 0));
}

TEST_F(VirtualCardTest, T1Case4EchoReturnsDataDirectly) {
    const ResponseApdu response = send(*t1_, diagEcho(fromHex("0102030405"), 256));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(toHex(response.data), "0102030405");
}

TEST_F(VirtualCardTest, T1Case2LeLargerThanDataIsNot6Cxx) {
    const ResponseApdu response = send(*t1_, diagPattern(10, 20));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(response.data, counting(10, 0));
}

TEST_F(VirtualCardTest, T0Case4EchoAlwaysAnswers61xxWithoutData) {
    const ResponseApdu first = send(*t0_, diagEcho(fromHex("0102030405"), 5));
    EXPECT_EQ(statusOf(first), "6105");
    EXPECT_TRUE(first.data.empty());
    const ResponseApdu rest = send(*t0_, getResponse(5));
    EXPECT_EQ(statusOf(rest), "9000");
    EXPECT_EQ(toHex(rest.data), "0102030405");
}

TEST_F(VirtualCardTest, T0Case4SelectByAidAnswers61xxThenFciViaGetResponse) {
    const ResponseApdu first = send(*t0_, selectAid(diagAid()));
    EXPECT_EQ(statusOf(first), "610D");
    EXPECT_TRUE(first.data.empty());
    const ResponseApdu fci = send(*t0_, getResponse(0x0D));
    EXPECT_EQ(statusOf(fci), "9000");
    EXPECT_EQ(toHex(fci.data), toHex(diagFci()));
}

TEST_F(VirtualCardTest, T0Case4With300BytesChainsAll) {
    const Bytes data = counting(300, 7);
    const ResponseApdu first = send(*t0_, diagEcho(data, 65536));
    EXPECT_EQ(statusOf(first), "6100");
    EXPECT_TRUE(first.data.empty());
    const ResponseApdu all = collect(*t0_, first);
    EXPECT_EQ(statusOf(all), "9000");
    EXPECT_EQ(all.data, data);
}

TEST_F(VirtualCardTest, T0Case2LeLargerThanDataGives6CxxWithoutData) {
    const ResponseApdu wrongLe = send(*t0_, diagPattern(10, 20));
    EXPECT_EQ(statusOf(wrongLe), "6C0A");
    EXPECT_TRUE(wrongLe.data.empty());
    const ResponseApdu retry = send(*t0_, diagPattern(10, 10));
    EXPECT_EQ(statusOf(retry), "9000");
    EXPECT_EQ(retry.data, counting(10, 0));
}

TEST_F(VirtualCardTest, T0Case2Le00WithShortDataGives6Cxx) {
    const ResponseApdu response = send(*t0_, readBinary(sfiP1(0x01), 0x00, 256));
    EXPECT_EQ(statusOf(response), "9000") << "EF 0101 has 300 bytes: 256 fit Le 00";
    EXPECT_EQ(response.data, counting(256, 0));

    ASSERT_EQ(statusOf(send(*t0_, selectFid(0x00, 0x3F00, 0x0C))), "9000");
    const ResponseApdu shortEf = send(*t0_, readBinary(sfiP1(0x02), 0x00, 256));
    EXPECT_EQ(statusOf(shortEf), "6C40");
    EXPECT_TRUE(shortEf.data.empty());
}

TEST_F(VirtualCardTest, T0ReadBinaryPastEndOfFileWithLargerLeGives6Cxx) {
    ASSERT_EQ(statusOf(send(*t0_, selectFid(0x00, 0x3F00, 0x0C))), "9000");
    const ResponseApdu response = send(*t0_, readBinary(sfiP1(0x02), 0x30, 0x20));
    EXPECT_EQ(statusOf(response), "6C10");
    EXPECT_TRUE(response.data.empty());
}

TEST_F(VirtualCardTest, T0Case2ExactLeGivesDataDirectly) {
    const ResponseApdu response = send(*t0_, readRecord(1, recordP2(0x02), 23));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_EQ(response.data, counting(23, 0x10));
}

TEST_F(VirtualCardTest, T0Pattern700WithLe256ChainsThroughGetResponse) {
    const ResponseApdu first = send(*t0_, diagPattern(700, 256));
    EXPECT_EQ(statusOf(first), "6100");
    ASSERT_EQ(first.data.size(), 256U);
    const ResponseApdu second = send(*t0_, getResponse(256));
    EXPECT_EQ(statusOf(second), "61BC");
    ASSERT_EQ(second.data.size(), 256U);
    const ResponseApdu third = send(*t0_, getResponse(0xBC));
    EXPECT_EQ(statusOf(third), "9000");
    EXPECT_EQ(concat(concat(first.data, second.data), third.data), counting(700, 0));
}

TEST_F(VirtualCardTest, T0CommandWithoutLeGets61xx) {
    const ResponseApdu first = send(*t0_, diagPattern(10, std::nullopt));
    EXPECT_EQ(statusOf(first), "610A");
    EXPECT_TRUE(first.data.empty());
}

TEST_F(VirtualCardTest, GetResponseWithoutPendingDataGives6985) {
    for (VirtualCard* card : {t1_.get(), t0_.get()}) {
        ResponseApdu response = send(*card, getResponse(256));
        EXPECT_EQ(statusOf(response), "6985") << card->profile();
        EXPECT_TRUE(response.data.empty());
        ASSERT_EQ(statusOf(send(*card, diagPattern(10, 10))), "9000");
        response = send(*card, getResponse(10));
        EXPECT_EQ(statusOf(response), "6985") << card->profile() << ": nothing was chained";
    }
}

TEST_F(VirtualCardTest, GetResponseWithNonZeroP1P2Gives6A86AndDropsPendingData) {
    ASSERT_EQ(statusOf(send(*t1_, diagPattern(300, 256))), "612C");
    const ResponseApdu wrong = send(*t1_, command(0x00, kInsGetResponse, 0x01, 0x00, {}, 256));
    EXPECT_EQ(statusOf(wrong), "6A86");
    EXPECT_TRUE(wrong.data.empty());
    EXPECT_EQ(statusOf(send(*t1_, getResponse(256))), "6985");
}

TEST_F(VirtualCardTest, PendingDataIsDiscardedByAnotherCommand) {
    for (VirtualCard* card : {t1_.get(), t0_.get()}) {
        ASSERT_EQ(statusOf(send(*card, diagPattern(700, 256))), "6100") << card->profile();
        const ResponseApdu echo = send(*card, diagEcho({}, std::nullopt));
        EXPECT_EQ(statusOf(echo), "9000");
        EXPECT_EQ(statusOf(send(*card, getResponse(256))), "6985") << card->profile();
    }
}

TEST_F(VirtualCardTest, PendingDataIsDiscardedByAFailingCommand) {
    ASSERT_EQ(statusOf(send(*t1_, diagPattern(700, 256))), "6100");
    ASSERT_EQ(statusOf(send(*t1_, selectFid(0x00, 0x1234))), "6A82");
    EXPECT_EQ(statusOf(send(*t1_, getResponse(256))), "6985");
}

TEST_F(VirtualCardTest, NewChainedResponseReplacesPendingData) {
    ASSERT_EQ(statusOf(send(*t1_, diagPattern(700, 256))), "6100");
    ASSERT_EQ(statusOf(send(*t1_, diagEcho(fromHex("AABBCC"), 1))), "6102");
    const ResponseApdu rest = send(*t1_, getResponse(256));
    EXPECT_EQ(statusOf(rest), "9000");
    EXPECT_EQ(toHex(rest.data), "BBCC");
}

TEST_F(VirtualCardTest, PendingDataIsDiscardedByAMalformedApdu) {
    ASSERT_EQ(statusOf(send(*t1_, diagPattern(700, 256))), "6100");
    EXPECT_EQ(statusOf(sendRaw(*t1_, fromHex("00C000"))), "6700");
    EXPECT_EQ(statusOf(send(*t1_, getResponse(256))), "6985");
}

TEST_F(VirtualCardTest, PendingDataIsDiscardedByReset) {
    ASSERT_EQ(statusOf(send(*t1_, diagPattern(700, 256))), "6100");
    t1_->reset();
    EXPECT_EQ(statusOf(send(*t1_, getResponse(256))), "6985");
}

TEST_F(VirtualCardTest, ResetGoesBackToTheMf) {
    for (VirtualCard* card : {t1_.get(), t0_.get()}) {
        ASSERT_EQ(statusOf(send(*card, readBinary(sfiP1(0x01), 0x00, 1))), "9000");
        card->reset();
        const ResponseApdu read = send(*card, readBinary(sfiP1(0x01), 0x00, 1));
        EXPECT_EQ(statusOf(read), "6A82") << card->profile() << ": EF 0101 is in DF 5000";
        EXPECT_TRUE(read.data.empty());
        const ResponseApdu mfEf = send(*card, readBinary(sfiP1(0x02), 0x00, 1));
        EXPECT_EQ(statusOf(mfEf), "9000") << card->profile();
        EXPECT_EQ(toHex(mfEf.data), "00");
    }
}

TEST_F(VirtualCardTest, ResetForgetsTheCurrentEf) {
    ASSERT_EQ(statusOf(send(*t1_, selectFid(0x02, 0x0101, 0x0C))), "9000");
    ASSERT_EQ(statusOf(send(*t1_, readBinary(0x00, 0x00, 1))), "9000");
    t1_->reset();
    EXPECT_EQ(statusOf(send(*t1_, readBinary(0x00, 0x00, 1))), "6986");
}

TEST_F(VirtualCardTest, ResetTwiceIsHarmless) {
    t1_->reset();
    t1_->reset();
    EXPECT_EQ(toHex(send(*t1_, selectFid(0x00, 0x3F00)).data), "6F0483023F00");
}

TEST_F(VirtualCardTest, MalformedApdusGive6700) {
    const std::vector<Bytes> malformed = {
        Bytes{},
        fromHex("00"),
        fromHex("00A4"),
        fromHex("00A404"),                // 3 bytes
        fromHex("00A404000501020304"),    // Lc 5, only 4 data bytes
        fromHex("00A40400020102030405"),  // Lc 2, 3 bytes too many
    };
    for (const Bytes& bytes : malformed) {
        for (VirtualCard* card : {t1_.get(), t0_.get()}) {
            const Bytes raw = card->process(bytes);
            EXPECT_EQ(toHex(raw), "6700") << toHex(bytes) << " on " << card->profile();
        }
    }
    // Extended-length marker without a complete length, and a wrong extended Lc.
    for (const char* hex : {"00A404000001", "00A40400000005F054", "00A4040000000000"}) {
        EXPECT_EQ(toHex(t1_->process(fromHex(hex))), "6700") << hex;
    }
}

TEST_F(VirtualCardTest, WellFormedEdgeCasesAreNotRejectedAsMalformed) {
    // Case 1 (header only) and case 2S with Le 00.
    EXPECT_EQ(statusOf(sendRaw(*t1_, fromHex("80100000"))), "9000");
    EXPECT_EQ(statusOf(sendRaw(*t1_, fromHex("8012000500"))), "9000");
}

TEST_F(VirtualCardTest, ClaFFGives6E00) {
    for (VirtualCard* card : {t1_.get(), t0_.get()}) {
        for (const char* hex : {"FFCA000000", "FFB0000010", "FF820000"}) {
            const Bytes raw = card->process(fromHex(hex));
            EXPECT_EQ(toHex(raw), "6E00") << hex << " on " << card->profile();
        }
    }
}

TEST_F(VirtualCardTest, ClaFFDoesNotSelectEvenWithAValidSelectBody) {
    const Bytes raw = concat(fromHex("FFA4040009"), diagAid());
    ASSERT_EQ(toHex(t1_->process(raw)), "6E00");
    ASSERT_EQ(statusOf(send(*t1_, selectFid(0x00, 0x3F00, 0x0C))), "9000");
    EXPECT_EQ(toHex(t1_->process(concat(raw, Bytes{0x00}))), "6E00");
    EXPECT_EQ(statusOf(send(*t1_, readBinary(sfiP1(0x01), 0, 1))), "6A82") << "still at the MF";
}

TEST_F(VirtualCardTest, UnknownInstructionGives6D00) {
    EXPECT_EQ(toHex(t1_->process(fromHex("00CA9F7F00"))), "6D00");
    EXPECT_EQ(toHex(t1_->process(fromHex("80990000"))), "6D00") << "unknown diag INS";
    EXPECT_EQ(toHex(t1_->process(fromHex("0010000000"))), "6D00") << "diag INS 10 needs CLA 80";
    ASSERT_EQ(statusOf(send(*t1_, selectFid(0x00, 0x3F00, 0x0C))), "9000");
    EXPECT_EQ(toHex(t1_->process(fromHex("0022000000"))), "6D00");
}

TEST_F(VirtualCardTest, DiagCommandsAreUnknownOutsideTheApplication) {
    ASSERT_EQ(statusOf(send(*t1_, selectFid(0x00, 0x3F00, 0x0C))), "9000");
    const ResponseApdu response = send(*t1_, diagPattern(16, 16));
    EXPECT_EQ(statusOf(response), "6D00");
    EXPECT_TRUE(response.data.empty());
}

TEST_F(VirtualCardTest, DiagPatternOfZeroBytesGives6A86WithoutData) {
    for (VirtualCard* card : {t1_.get(), t0_.get()}) {
        const ResponseApdu response = send(*card, diagPattern(0, 256));
        EXPECT_EQ(statusOf(response), "6A86") << card->profile();
        EXPECT_TRUE(response.data.empty());
    }
}

TEST_F(VirtualCardTest, DiagPatternByteIsIndexModulo256) {
    const ResponseApdu response = send(*t1_, diagPattern(0x0102, 0x0102));
    EXPECT_EQ(statusOf(response), "9000");
    ASSERT_EQ(response.data.size(), 258U);
    EXPECT_EQ(response.data[0], 0x00);
    EXPECT_EQ(response.data[255], 0xFF);
    EXPECT_EQ(response.data[256], 0x00);
    EXPECT_EQ(response.data[257], 0x01);
}

TEST_F(VirtualCardTest, DiagEchoOfEmptyDataGives9000WithoutData) {
    const ResponseApdu response = send(*t0_, diagEcho({}, std::nullopt));
    EXPECT_EQ(statusOf(response), "9000");
    EXPECT_TRUE(response.data.empty());
}

TEST_F(VirtualCardTest, ErrorResponsesCarryNoData) {
    const std::vector<CommandApdu> failing = {
        selectFid(0x00, 0x1234),
        selectAid(fromHex("A000000003")),
        readBinary(sfiP1(0x02), 0xFF, 1),  // SFI 02 in DF 5000 is a record EF
        readBinary(sfiP1(0x05), 0x00, 256),
        readRecord(9, recordP2(0x02)),
        readRecord(0, recordP2(0x02)),
        diagPattern(0, 256),
        command(0x80, 0x99, 0x00, 0x00, fromHex("0102"), 256),
    };
    for (VirtualCard* card : {t1_.get(), t0_.get()}) {
        for (const CommandApdu& apdu : failing) {
            const Bytes raw = card->process(apdu.encode());
            EXPECT_EQ(raw.size(), 2U)
                << toHex(apdu.encode()) << " on " << card->profile() << " -> " << toHex(raw);
        }
    }
}

TEST_F(VirtualCardTest, T1WarningStatusKeepsItsData) {
    ASSERT_EQ(statusOf(send(*t1_, selectFid(0x00, 0x3F00, 0x0C))), "9000");
    const ResponseApdu response = send(*t1_, readBinary(sfiP1(0x02), 0x3C, 0x10));
    EXPECT_EQ(statusOf(response), "6282");
    EXPECT_EQ(toHex(response.data), "3C3D3E3F");
}

TEST(VirtualCardCustomTest, ChainedWarningResponseEndsWithTheWarningStatus) {
    auto applet = std::make_shared<RecordingApplet>();
    applet->reply = ResponseApdu{counting(300, 0), 0x6283};
    const auto card = customCard(applet, false);
    ASSERT_EQ(statusOf(send(*card, selectAid(appAid(), 0x0C))), "9000");
    const ResponseApdu first = send(*card, command(0x90, 0x01, 0x00, 0x00, {}, 256));
    EXPECT_EQ(statusOf(first), "612C");
    EXPECT_EQ(first.data.size(), 256U);
    const ResponseApdu rest = send(*card, getResponse(0x2C));
    EXPECT_EQ(statusOf(rest), "6283");
    EXPECT_EQ(rest.data, counting(44, 0));
}

TEST(VirtualCardCustomTest, CardReportsItsProfileAndAtr) {
    const auto card = customCard(nullptr, true);
    EXPECT_EQ(card->profile(), "custom-t0");
    EXPECT_EQ(toHex(card->atr()), "3B808131FE458B");
}

// The applet of the DF selected before a reset must hear of it (it was once asked after
// the file system had already gone back to the MF).
TEST(VirtualCardCustomTest, ResetTellsTheSelectedApplet) {
    auto applet = std::make_shared<RecordingApplet>();
    const auto card = customCard(applet, false);
    ASSERT_EQ(statusOf(send(*card, selectAid(appAid(), 0x0C))), "9000");
    card->reset();
    EXPECT_EQ(applet->resets, 1);
}

// Selecting another application ends this one's security status; re-selecting it does not.
TEST(VirtualCardCustomTest, SelectingAnotherApplicationDeselectsTheFirst) {
    auto applet = std::make_shared<RecordingApplet>();
    const auto card = customCard(applet, false);
    ASSERT_EQ(statusOf(send(*card, selectAid(appAid(), 0x0C))), "9000");
    ASSERT_EQ(statusOf(send(*card, selectAid(appAid(), 0x0C))), "9000");
    EXPECT_EQ(applet->deselects, 0);
    ASSERT_EQ(statusOf(send(*card, selectAid(otherAppAid(), 0x0C))), "9000");
    EXPECT_EQ(applet->deselects, 1);
}

// Every way out of an application ends its security status: SELECT parent, SELECT of the MF,
// and SELECT by path of an EF elsewhere.
TEST(VirtualCardCustomTest, LeavingAnApplicationByAnyRouteDeselectsIt) {
    auto applet = std::make_shared<RecordingApplet>();
    const auto card = customCard(applet, false);
    const std::vector<CommandApdu> exits{
        CommandApdu{0x00, 0xA4, 0x03, 0x0C, {}, std::nullopt},                    // parent
        CommandApdu{0x00, 0xA4, 0x00, 0x0C, fromHex("3F00"), std::nullopt},       // the MF
        CommandApdu{0x00, 0xA4, 0x08, 0x0C, fromHex("40004001"), std::nullopt}};  // EF by path
    for (std::size_t i = 0; i < exits.size(); ++i) {
        ASSERT_EQ(statusOf(send(*card, selectAid(appAid(), 0x0C))), "9000");
        ASSERT_EQ(statusOf(send(*card, exits[i])), "9000") << toHex(exits[i].encode());
        EXPECT_EQ(applet->deselects, static_cast<int>(i + 1)) << toHex(exits[i].encode());
    }
}

// A fault inside an application (its storage failing) is 6F00, and the card goes on.
TEST(VirtualCardCustomTest, AnAppletFaultIsAnsweredWith6F00) {
    class FailingApplet : public Applet {
      public:
        std::optional<ResponseApdu> process(const CommandApdu& /*command*/,
                                            DedicatedFile& /*df*/) override {
            throw std::runtime_error("storage failed");
        }
    };
    DedicatedFile app;
    app.fid = 0x7000;
    app.aid = appAid();
    app.applet = std::make_shared<FailingApplet>();
    DedicatedFile mf;
    mf.dfs.push_back(std::move(app));
    VirtualCard card("failing", atrT1(Bytes{}), std::move(mf), false);
    ASSERT_EQ(statusOf(send(card, selectAid(appAid(), 0x0C))), "9000");
    EXPECT_EQ(toHex(card.process(fromHex("9001000000"))), "6F00");
    EXPECT_EQ(statusOf(send(card, selectAid(appAid(), 0x0C))), "9000");
}

// A reset reaches every application, selected or not.
TEST(VirtualCardCustomTest, ResetReachesAppletsThatAreNotSelected) {
    auto applet = std::make_shared<RecordingApplet>();
    const auto card = customCard(applet, false);
    ASSERT_EQ(statusOf(send(*card, selectAid(otherAppAid(), 0x0C))), "9000");
    card->reset();
    EXPECT_EQ(applet->resets, 1);
}

// ISO/IEC 7816-4 clause 11.1.1: SELECT with P1 00 and no data selects the MF.
TEST(VirtualCardCustomTest, SelectWithoutDataSelectsTheMf) {
    auto applet = std::make_shared<RecordingApplet>();
    const auto card = customCard(applet, false);
    ASSERT_EQ(statusOf(send(*card, selectAid(appAid(), 0x0C))), "9000");
    const ResponseApdu mf = send(*card, CommandApdu{0x00, 0xA4, 0x00, 0x00, {}, 256});
    EXPECT_EQ(statusOf(mf), "9000");
    EXPECT_EQ(toHex(mf.data), "6F0483023F00");
}

// An error status word (not 9000/62xx/63xx) never goes out with data, whatever the applet
// put in its answer.
TEST(VirtualCardCustomTest, ErrorStatusFromAppletIsDeliveredWithoutData) {
    auto applet = std::make_shared<RecordingApplet>();
    applet->reply = ResponseApdu{fromHex("DEAD"), 0x6A80};
    const auto card = customCard(applet, false);
    ASSERT_EQ(statusOf(send(*card, selectAid(appAid(), 0x0C))), "9000");
    EXPECT_EQ(toHex(card->process(fromHex("9001000000"))), "6A80");
}

// FF C0 is a reader pseudo-APDU, not GET RESPONSE: it must not hand out pending data.
TEST_F(VirtualCardTest, ClaFFGetResponseGives6E00) {
    ASSERT_EQ(statusOf(send(*t1_, diagPattern(700, 256))), "6100");
    EXPECT_EQ(toHex(t1_->process(fromHex("FFC0000000"))), "6E00");
    EXPECT_EQ(toHex(t1_->process(fromHex("FFC0000000"))), "6E00");
}

}  // namespace
}  // namespace taplink::sim
