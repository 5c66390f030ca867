// A city card load completed by the secure chip, through the real pcscd + vpcd test bed:
// the card in the contactless slot, the chip in the SAM slot. The test plays the server:
// it seals a load authorization (holding the card's load key) to the chip's SAM key; the
// daemon-side drivers never see a key.
#include <gtest/gtest.h>

#include <chrono>

#include "cards/profiles.hpp"
#include "chip_management.hpp"
#include "epurse_terminal.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

using cards::epurse::EpurseCard;
using testing::EpurseTerminal;

constexpr int kCardSlot = 0;
constexpr int kChipSlot = 1;
constexpr std::uint32_t kInitialBalance = 1000;
constexpr std::uint32_t kAmount = 5000;

class ChipLoadOnTheTestBed : public ::testing::Test {
  protected:
    testbed::TestBed bed{testbed::oneReader({{kChipSlot, "secure-chip"}})};
    pcsc::Context context = pcsc::Context::establish();
    pcsc::CardConnection chipConnection =
        pcsc::CardConnection::connect(context, bed.readerName(kChipSlot));
    chip::LoadSam sam{chipConnection};
    chip::sam::ChipInfo info;

    void SetUp() override {
        bed.sim().insert(kCardSlot, "city-3des", {{"balance", kInitialBalance}});
        ASSERT_TRUE(bed.waitForCard(kCardSlot, true));
        testing::activateLoadSam(chipConnection);  // the TSM's activate job
        info = sam.info();
    }

    // What the server does: the card's load key, bound to card, amount and terminal.
    Bytes authorizationFor(ByteView cardSerial, std::uint32_t amount) const {
        chip::sam::LoadAuthorization authorization;
        authorization.algorithmId = 0x01;  // city-3des answers 01
        authorization.cardSerial = Bytes(cardSerial.begin(), cardSerial.end());
        authorization.amount = amount;
        authorization.terminalId = EpurseTerminal::terminalId();
        authorization.nonce = crypto::randomBytes(chip::sam::kNonceSize);
        authorization.expiry = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch() + std::chrono::minutes(5))
                .count());
        authorization.keyIndex = 0x01;
        authorization.keyVersion = 0x01;
        authorization.dlk = crypto::epurse::diversify(
            crypto::epurse::Suite::TripleDes,
            sim::testIssuerKeys(crypto::epurse::Suite::TripleDes).load, cardSerial);
        return chip::sam::sealLoadAuthorization(info.samPublicKey, info.chipSerial, authorization);
    }

    // The envelope with the server's allowance signature, as taplinkd relays it.
    void importSigned(const Bytes& envelope) {
        sam.importAuthorization(envelope, testing::signTestAllowance(info.chipSerial, envelope));
    }

    // INITIALIZE FOR LOAD, MAC2 from the chip, CREDIT FOR LOAD; the card's balance after.
    std::uint32_t creditWithTheChip() {
        auto cardConnection = connectCard();
        EpurseCard purse(cardConnection);
        EXPECT_TRUE(purse.select());
        const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
        purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                         sam.computeLoadMac2(sim::defaultCitySerial(), init, kAmount,
                                             EpurseTerminal::terminalId(), EpurseTerminal::date(),
                                             EpurseTerminal::time()));
        return purse.readBalance();
    }

    pcsc::CardConnection connectCard() {
        return pcsc::CardConnection::connect(context, bed.readerName(kCardSlot));
    }
};

TEST_F(ChipLoadOnTheTestBed, Mac2FromTheChipCompletesTheLoad) {
    importSigned(authorizationFor(sim::defaultCitySerial(), kAmount));
    auto cardConnection = connectCard();
    EpurseCard purse(cardConnection);
    ASSERT_TRUE(purse.select());
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    const Bytes mac2 =
        sam.computeLoadMac2(sim::defaultCitySerial(), init, kAmount, EpurseTerminal::terminalId(),
                            EpurseTerminal::date(), EpurseTerminal::time());
    const Bytes tac = purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(), mac2);

    const EpurseTerminal server(crypto::epurse::Suite::TripleDes, sim::defaultCitySerial());
    EXPECT_EQ(tac, server.expectedLoadTac(init, kAmount));
    EXPECT_EQ(purse.readBalance(), kInitialBalance + kAmount);
}

// Over pcscd, as any local program could send it: an envelope without the allowance signature,
// or signed by another key, is refused before the chip opens it, and the signed one still
// loads (nothing was used up).
TEST_F(ChipLoadOnTheTestBed, OnlyTheServersAllowanceIsImported) {
    const Bytes envelope = authorizationFor(sim::defaultCitySerial(), kAmount);
    const auto statusOf = [&](const Bytes& data) {
        return chipConnection
            .transmit(apdu::CommandApdu{chip::sam::kCla, chip::sam::ins::kImportAuthorization, 0x00,
                                        0x00, data, std::nullopt})
            .sw;
    };
    EXPECT_EQ(statusOf(envelope), chip::sam::sw::kWrongLength) << "unsigned";
    const crypto::PkeyPtr stranger = crypto::generateKey("EC", crypto::kP256Group);
    Bytes forged = envelope;
    const Bytes forgedSignature = crypto::signSha256(
        stranger.get(), chip::sam::encodeAllowanceStatement(info.chipSerial, envelope), "test");
    forged.insert(forged.end(), forgedSignature.begin(), forgedSignature.end());
    EXPECT_EQ(statusOf(forged), chip::sam::sw::kAllowanceSignatureInvalid) << "another key";

    importSigned(envelope);
    EXPECT_EQ(creditWithTheChip(), kInitialBalance + kAmount);
}

TEST_F(ChipLoadOnTheTestBed, AnAuthorizationWorksOnce) {
    const Bytes envelope = authorizationFor(sim::defaultCitySerial(), kAmount);
    importSigned(envelope);
    const std::uint32_t loaded = creditWithTheChip();
    try {
        importSigned(envelope);
        FAIL() << "a used authorization was taken again";
    } catch (const chip::LoadSamError& error) {
        EXPECT_EQ(error.statusWord(), chip::sam::sw::kAuthorizationUsed);
    }
    EXPECT_EQ(loaded, kInitialBalance + kAmount);
}

TEST_F(ChipLoadOnTheTestBed, AuthorizationForAnotherCardGivesNoMac2) {
    importSigned(authorizationFor(fromHex("00000000000000000099"), kAmount));
    auto cardConnection = connectCard();
    EpurseCard purse(cardConnection);
    ASSERT_TRUE(purse.select());
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    try {
        sam.computeLoadMac2(sim::defaultCitySerial(), init, kAmount, EpurseTerminal::terminalId(),
                            EpurseTerminal::date(), EpurseTerminal::time());
        FAIL() << "the chip computed MAC2 for a card it was not authorized for";
    } catch (const chip::LoadSamError& error) {
        EXPECT_EQ(error.statusWord(), chip::sam::sw::kWrongData);
    }
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

TEST_F(ChipLoadOnTheTestBed, PivPinStatusEndsWhenTheSamIsSelected) {
    chip::PivChip piv(chipConnection);
    ASSERT_TRUE(piv.select());
    piv.verifyPin("123456");
    ASSERT_TRUE(sam.select());
    ASSERT_TRUE(piv.select());
    EXPECT_THROW(piv.signDigest(Bytes(32, 0xAB)), chip::PinRequiredError);
}

}  // namespace
}  // namespace taplink
