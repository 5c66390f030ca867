// The secure chip's load SAM, in process (no pcscd): the daemon's driver (chip/load_sam.hpp)
// against taplink-sim's applet, with a simulated city card taking the SAM's MAC2. Covers a
// whole load in both suites, every refusal (reuse, binding, expiry, tampering, another
// chip, lifecycle, MAC1), persistence of keys and used nonces, and SM2 signatures checked by
// OpenSSL. The lifecycle moves only through the management channel (chip_management_test.cpp
// covers the channel itself).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "applets/load_sam_applet.hpp"
#include "card/atr.hpp"
#include "cards/profiles.hpp"
#include "chip_management.hpp"
#include "epurse_terminal.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/signatures.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::chip {
namespace {

namespace mgmt = chip::mgmt;

using crypto::epurse::Suite;
using testing::EpurseTerminal;

using testing::VirtualCardChannel;

constexpr std::uint32_t kInitialBalance = 1000;   // 10.00 yuan
constexpr std::uint32_t kAmount = 5000;           // 50.00 yuan
constexpr std::uint64_t kStartTime = 1800000000;  // the test chip's clock starts here
constexpr std::uint64_t kValidity = 300;          // seconds an authorization is valid

Bytes chipSerial() {
    return fromHex("544C434800000001");  // "TLCH", 1: the chip profile's default
}

Bytes otherCardSerial() {
    return fromHex("00000000000000000043");
}

// A chip with only the load SAM application under its MF.
std::shared_ptr<sim::VirtualCard> makeChip(ByteView serial, const std::string& stateDir,
                                           sim::ChipClock clock) {
    sim::DedicatedFile mf;
    mf.dfs.push_back(
        sim::loadSamApplication(serial, stateDir, protocol::testTsmMasterKey(), std::move(clock)));
    return std::make_shared<sim::VirtualCard>("test-chip", sim::atrT1(sim::historicalBytes("SAM")),
                                              std::move(mf), false);
}

sim::CardOptions cityCard(Bytes serial = {}) {
    sim::CardOptions options;
    options.balance = kInitialBalance;
    options.serial = std::move(serial);
    return options;
}

// What the TSM does: C0 <target> in the management channel, with the allowance key (C3) when
// the target is operational, as activate and unlock do; the SAM stays selected.
void manageLifecycle(apdu::ApduChannel& channel, sam::Lifecycle target) {
    testing::manageWithTestKey(channel, chipSerial(), mgmt::Applet::LoadSam,
                               testing::samLifecycleRequest(target));
}

// The envelope with the server's allowance signature for the test chip, as taplinkd relays
// it from the authorization's data script.
void importSigned(LoadSam& sam, ByteView envelope) {
    sam.importAuthorization(envelope, testing::signTestAllowance(chipSerial(), envelope));
}

// IMPORT LOAD AUTHORIZATION with data of the test's choosing; its status word.
std::uint16_t importRaw(sim::VirtualCard& chip, ByteView data) {
    const Bytes answer =
        chip.process(apdu::CommandApdu{sam::kCla, sam::ins::kImportAuthorization, 0x00, 0x00,
                                       Bytes(data.begin(), data.end()), std::nullopt}
                         .encode());
    return static_cast<std::uint16_t>((answer.at(answer.size() - 2) << 8U) | answer.back());
}

// The status word of a refused MANAGE; 9000 if it was not refused.
std::uint16_t manageRefusal(apdu::ApduChannel& channel, sam::Lifecycle target) {
    try {
        manageLifecycle(channel, target);
    } catch (const mgmt::ManagementRefused& error) {
        return error.statusWord();
    }
    return sam::sw::kOk;
}

// The status word of a refused driver call; 9000 if it was not refused.
std::uint16_t refusal(const std::function<void()>& call) {
    try {
        call();
    } catch (const LoadSamError& error) {
        return error.statusWord();
    }
    return sam::sw::kOk;
}

std::string uniqueStateDir(const std::string& name) {
    std::string dir =
        ::testing::TempDir() + "/load-sam-" + name + "-" + toHex(crypto::randomBytes(4));
    std::filesystem::create_directories(dir);
    return dir;
}

// --- OpenSSL on the test's side: SM2 verification, the way a server would do it.

using crypto::MdCtxPtr;
using crypto::PkeyCtxPtr;
using crypto::PkeyPtr;

// EVP_DigestVerify with SM3 and the default SM2 ID "1234567812345678".
bool sm2Verifies(ByteView publicPoint, ByteView message, ByteView signature) {
    const PkeyPtr key = crypto::publicKeyFromPoint("SM2", "SM2", publicPoint);
    if (!key) {
        return false;
    }
    const PkeyCtxPtr keyContext(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    const std::string id = "1234567812345678";
    if (!keyContext ||
        EVP_PKEY_CTX_set1_id(keyContext.get(), id.data(), static_cast<int>(id.size())) <= 0) {
        return false;
    }
    const MdCtxPtr digestContext(EVP_MD_CTX_new());
    EVP_MD_CTX_set_pkey_ctx(digestContext.get(), keyContext.get());
    return EVP_DigestVerifyInit(digestContext.get(), nullptr, EVP_sm3(), nullptr, key.get()) == 1 &&
           EVP_DigestVerify(digestContext.get(), signature.data(), signature.size(), message.data(),
                            message.size()) == 1;
}

Bytes sm3(ByteView data) {
    Bytes digest(32);
    unsigned int length = 0;
    EXPECT_EQ(EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sm3(), nullptr), 1);
    return digest;
}

// e = SM3(Z || M), Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GM/T 0003.2 5.5),
// written out from the standard's curve parameters, independently of OpenSSL's SM2 code.
Bytes sm2MessageDigest(ByteView publicPoint, ByteView message) {
    Bytes z = fromHex("0080");  // ENTL: 16-byte ID = 128 bits
    const std::string id = "1234567812345678";
    z.insert(z.end(), id.begin(), id.end());
    for (const char* parameter :
         {"FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
          "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
          "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
          "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"}) {
        const Bytes value = fromHex(parameter);
        z.insert(z.end(), value.begin(), value.end());
    }
    z.insert(z.end(), publicPoint.begin() + 1, publicPoint.end());
    return sm3(concat(sm3(z), message));
}

// The SubjectPublicKeyInfo (DER) of a P-256 point, as a server would hold the chip's key.
Bytes p256Spki(ByteView point) {
    const PkeyPtr key = crypto::publicKeyFromPoint("EC", crypto::kP256Group, point);
    EXPECT_TRUE(key);
    const int length = i2d_PUBKEY(key.get(), nullptr);
    Bytes der(static_cast<std::size_t>(length));
    unsigned char* cursor = der.data();
    EXPECT_EQ(i2d_PUBKEY(key.get(), &cursor), length);
    return der;
}

// --- A chip with the load SAM and a city card, as the daemon sees them during a top-up.

class LoadSamTest : public ::testing::TestWithParam<std::string> {
  protected:
    Suite suite() const { return GetParam() == "city-sm4" ? Suite::Sm4 : Suite::TripleDes; }
    // What the card answers in INITIALIZE FOR LOAD (sim/src/cards/profiles.hpp).
    std::uint8_t cardAlgorithmId() const {
        if (GetParam() == "city-3des-00") {
            return 0x00;
        }
        return crypto::epurse::algorithmIdOf(suite());
    }

    std::uint64_t now = kStartTime;
    std::shared_ptr<sim::VirtualCard> chipCard = makeChip(chipSerial(), {}, [this] { return now; });
    VirtualCardChannel chipChannel{chipCard};
    LoadSam sam{chipChannel};

    std::shared_ptr<sim::VirtualCard> card = sim::makeCard(GetParam(), cityCard());
    VirtualCardChannel cardChannel{card};
    cards::epurse::EpurseCard purse{cardChannel};
    EpurseTerminal terminal{suite(), sim::defaultCitySerial()};

    void SetUp() override {
        manageLifecycle(chipChannel, sam::Lifecycle::Operational);
        ASSERT_TRUE(purse.select().has_value());
    }

    // What the server authorizes: this card, kAmount, the test terminal, valid kValidity s.
    sam::LoadAuthorization authorization() const {
        sam::LoadAuthorization authorization;
        authorization.algorithmId = cardAlgorithmId();
        authorization.cardSerial = sim::defaultCitySerial();
        authorization.amount = kAmount;
        authorization.terminalId = EpurseTerminal::terminalId();
        authorization.onlineAtc = loadsDone;  // a new card starts at 0; each load moves it on
        authorization.nonce = crypto::randomBytes(sam::kNonceSize);
        authorization.expiry = now + kValidity;
        authorization.keyIndex = 0x01;
        authorization.keyVersion = 0x01;
        authorization.dlk = crypto::epurse::diversify(suite(), sim::testIssuerKeys(suite()).load,
                                                      sim::defaultCitySerial());
        return authorization;
    }

    Bytes seal(const sam::LoadAuthorization& authorization) {
        return sam::sealLoadAuthorization(sam.info().samPublicKey, chipSerial(), authorization);
    }

    cards::epurse::LoadInitialization initializeLoad(
        std::uint32_t amount = kAmount, const Bytes& terminalId = EpurseTerminal::terminalId()) {
        return purse.initializeLoad(0x01, amount, terminalId);
    }

    Bytes mac2(const cards::epurse::LoadInitialization& init, std::uint32_t amount = kAmount,
               const Bytes& terminalId = EpurseTerminal::terminalId(),
               const Bytes& cardSerial = sim::defaultCitySerial()) {
        return sam.computeLoadMac2(cardSerial, init, amount, terminalId, EpurseTerminal::date(),
                                   EpurseTerminal::time());
    }

    std::uint16_t mac2Refusal(const cards::epurse::LoadInitialization& init,
                              std::uint32_t amount = kAmount,
                              const Bytes& terminalId = EpurseTerminal::terminalId(),
                              const Bytes& cardSerial = sim::defaultCitySerial()) {
        return refusal([&] { mac2(init, amount, terminalId, cardSerial); });
    }

    // The whole load with MAC2 from the SAM; returns the TAC.
    Bytes loadWith(const sam::LoadAuthorization& authorization) {
        importSigned(sam, seal(authorization));
        const auto init = initializeLoad(authorization.amount);
        Bytes tac = purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(), mac2(init));
        ++loadsDone;
        return tac;
    }

    std::uint16_t loadsDone = 0;
};

TEST_P(LoadSamTest, Mac2FromTheSamLoadsTheCard) {
    importSigned(sam, seal(authorization()));
    const auto init = initializeLoad();
    const Bytes fromSam = mac2(init);
    EXPECT_EQ(fromSam, terminal.mac2(init, kAmount)) << "the SAM's MAC2 is not the server's";

    const Bytes tac = purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(), fromSam);
    EXPECT_EQ(tac, terminal.expectedLoadTac(init, kAmount));
    EXPECT_EQ(purse.readBalance(), kInitialBalance + kAmount);
}

TEST_P(LoadSamTest, AnAuthorizationGivesOneMac2) {
    const auto once = authorization();
    const Bytes envelope = seal(once);
    importSigned(sam, envelope);
    const auto init = initializeLoad();
    mac2(init);
    EXPECT_EQ(mac2Refusal(init), sam::sw::kConditionsNotSatisfied) << "nothing is imported now";
    EXPECT_EQ(refusal([&] { importSigned(sam, envelope); }), sam::sw::kAuthorizationUsed);
    // Sealed again (another ephemeral key), the same authorization is still the used one.
    EXPECT_EQ(refusal([&] { importSigned(sam, seal(once)); }), sam::sw::kAuthorizationUsed);
}

TEST_P(LoadSamTest, AnotherCardGetsNoMac2AndTheAuthorizationStaysForTheRightOne) {
    importSigned(sam, seal(authorization()));
    auto other = sim::makeCard(GetParam(), cityCard(otherCardSerial()));
    VirtualCardChannel otherChannel(other);
    cards::epurse::EpurseCard otherPurse(otherChannel);
    ASSERT_TRUE(otherPurse.select().has_value());
    const auto otherInit = otherPurse.initializeLoad(0x01, kAmount, EpurseTerminal::terminalId());
    EXPECT_EQ(mac2Refusal(otherInit, kAmount, EpurseTerminal::terminalId(), otherCardSerial()),
              sam::sw::kWrongData);
    // The other card's INITIALIZE FOR LOAD under this card's serial: MAC1 gives it away.
    // (Covered by the MAC1 test; here the right card still loads.)
    const auto init = initializeLoad();
    EXPECT_EQ(mac2(init), terminal.mac2(init, kAmount));
}

TEST_P(LoadSamTest, AnotherAmountIsRefused) {
    importSigned(sam, seal(authorization()));
    const auto init = initializeLoad(kAmount + 1);
    EXPECT_EQ(mac2Refusal(init, kAmount + 1), sam::sw::kWrongData);
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

TEST_P(LoadSamTest, AnotherTerminalIsRefused) {
    importSigned(sam, seal(authorization()));
    const Bytes otherTerminal = fromHex("665544332211");
    const auto init = initializeLoad(kAmount, otherTerminal);
    EXPECT_EQ(mac2Refusal(init, kAmount, otherTerminal), sam::sw::kWrongData);
}

// The chip's clock is not to be trusted to forget: set back, it must not revive a spent nonce.
TEST_P(LoadSamTest, ASpentAuthorizationStaysSpentWhenTheClockGoesBack) {
    const auto first = authorization();
    const Bytes envelope = seal(first);
    loadWith(first);
    now += 2 * kValidity;       // past the first one's expiry
    loadWith(authorization());  // another load saves the chip's state
    now = kStartTime;           // the clock set back
    EXPECT_EQ(refusal([&] { importSigned(sam, envelope); }), sam::sw::kAuthorizationUsed);
}

TEST_P(LoadSamTest, AnotherKeyVersionIsRefused) {
    auto authorized = authorization();
    authorized.keyVersion = 0x02;
    importSigned(sam, seal(authorized));
    EXPECT_EQ(mac2Refusal(initializeLoad()), sam::sw::kWrongData);
}

// 00 and 01 are both triple DES, but the server authorized the byte this card sent.
TEST_P(LoadSamTest, AnAuthorizationForAnotherAlgorithmIdIsRefused) {
    auto other = authorization();
    other.algorithmId = cardAlgorithmId() == 0x00 ? 0x01 : 0x00;
    importSigned(sam, seal(other));
    const auto init = initializeLoad();
    EXPECT_EQ(init.algorithmId, cardAlgorithmId());
    EXPECT_EQ(mac2Refusal(init), sam::sw::kWrongData);
}

// An authorization names the card's online ATC, which every load moves on: once one load
// has used an ATC, no other authorization for it can ever produce a valid MAC2.
TEST_P(LoadSamTest, AnAuthorizationForAnotherOnlineAtcIsRefused) {
    auto ahead = authorization();
    ahead.onlineAtc = static_cast<std::uint16_t>(loadsDone + 1U);
    importSigned(sam, seal(ahead));
    EXPECT_EQ(mac2Refusal(initializeLoad()), sam::sw::kWrongData);

    const auto stale = authorization();
    loadWith(authorization());
    importSigned(sam, seal(stale));
    EXPECT_EQ(mac2Refusal(initializeLoad()), sam::sw::kWrongData) << "ATC used by a load";
}

TEST_P(LoadSamTest, AnExpiredAuthorizationIsRefused) {
    auto stale = authorization();
    stale.expiry = now;  // expires this second
    EXPECT_EQ(refusal([&] { importSigned(sam, seal(stale)); }), sam::sw::kAuthorizationExpired);

    importSigned(sam, seal(authorization()));
    const auto init = initializeLoad();
    now += kValidity;  // the chip's clock reaches the expiry between import and MAC2
    EXPECT_EQ(mac2Refusal(init), sam::sw::kAuthorizationExpired);
    EXPECT_EQ(mac2Refusal(init), sam::sw::kConditionsNotSatisfied) << "an expired one is dropped";
}

TEST_P(LoadSamTest, ATamperedEnvelopeImportsNothing) {
    const Bytes envelope = seal(authorization());
    for (const std::size_t position :
         {std::size_t{10}, sam::kEcPointSize + 5, sam::kEnvelopeSize - 1}) {
        Bytes tampered = envelope;
        tampered[position] ^= 0x01U;  // ephemeral key, ciphertext, tag
        EXPECT_EQ(refusal([&] { importSigned(sam, tampered); }), sam::sw::kEnvelopeInvalid)
            << "byte " << position;
    }
    Bytes truncated = envelope;
    truncated.pop_back();
    EXPECT_EQ(importRaw(*chipCard, truncated), sam::sw::kWrongLength);
    EXPECT_EQ(mac2Refusal(initializeLoad()), sam::sw::kConditionsNotSatisfied);
}

// The chip takes only what the server's allowance key signed for it: no signature, another
// key, another envelope, another chip's serial or a flipped bit are refused before the
// envelope is opened, and nothing is imported or used up.
TEST_P(LoadSamTest, OnlyAnEnvelopeTheAllowanceKeySignedForThisChipImports) {
    const Bytes envelope = seal(authorization());
    const Bytes statement = sam::encodeAllowanceStatement(chipSerial(), envelope);
    const crypto::PkeyPtr stranger = crypto::generateKey("EC", crypto::kP256Group);
    const Bytes good = testing::signTestAllowance(chipSerial(), envelope);
    Bytes flipped = good;
    flipped[flipped.size() / 2] ^= 0x01U;
    const Bytes otherEnvelope = seal(authorization());
    for (const Bytes& signature :
         {crypto::signSha256(stranger.get(), statement, "test"),
          testing::signTestAllowance(chipSerial(), otherEnvelope),
          testing::signTestAllowance(fromHex("544C434800000002"), envelope), flipped,
          Bytes(sam::kMinAllowanceSignatureSize, 0x30)}) {
        EXPECT_EQ(importRaw(*chipCard, concat(envelope, signature)),
                  sam::sw::kAllowanceSignatureInvalid)
            << toHex(signature);
    }
    EXPECT_EQ(importRaw(*chipCard, envelope), sam::sw::kWrongLength) << "unsigned";
    EXPECT_EQ(importRaw(*chipCard, concat(envelope, Bytes(sam::kMaxAllowanceSignatureSize + 1))),
              sam::sw::kWrongLength);
    EXPECT_EQ(mac2Refusal(initializeLoad()), sam::sw::kConditionsNotSatisfied) << "none imported";

    EXPECT_EQ(importRaw(*chipCard, concat(envelope, good)), sam::sw::kOk);
    const auto init = initializeLoad();
    EXPECT_EQ(mac2(init), terminal.mac2(init, kAmount));
}

TEST_P(LoadSamTest, AnEnvelopeForAnotherChipDoesNotOpen) {
    auto otherChip = makeChip(fromHex("544C434800000002"), {}, sim::hostClock);
    VirtualCardChannel otherChannel(otherChip);
    LoadSam otherSam(otherChannel);
    ASSERT_TRUE(otherSam.select());
    const sam::ChipInfo other = otherSam.info();
    EXPECT_NE(other.samPublicKey, sam.info().samPublicKey);

    const Bytes toOtherKey =
        sam::sealLoadAuthorization(other.samPublicKey, other.chipSerial, authorization());
    EXPECT_EQ(refusal([&] { importSigned(sam, toOtherKey); }), sam::sw::kEnvelopeInvalid);
    // Our key, but bound (HKDF info) to another chip's serial.
    const Bytes toOtherSerial =
        sam::sealLoadAuthorization(sam.info().samPublicKey, other.chipSerial, authorization());
    EXPECT_EQ(refusal([&] { importSigned(sam, toOtherSerial); }), sam::sw::kEnvelopeInvalid);
    EXPECT_EQ(mac2Refusal(initializeLoad()), sam::sw::kConditionsNotSatisfied);
}

TEST_P(LoadSamTest, AMac1ThatDoesNotVerifyUsesTheAuthorizationUp) {
    const Bytes envelope = seal(authorization());
    importSigned(sam, envelope);
    auto init = initializeLoad();
    init.mac1[0] ^= 0x01U;
    EXPECT_EQ(mac2Refusal(init), sam::sw::kMac1Invalid);
    init.mac1[0] ^= 0x01U;
    EXPECT_EQ(mac2Refusal(init), sam::sw::kConditionsNotSatisfied) << "no second try";
    EXPECT_EQ(refusal([&] { importSigned(sam, envelope); }), sam::sw::kAuthorizationUsed);
}

TEST_P(LoadSamTest, AnAuthorizationWithoutTheCardsKeyGetsNoMac2) {
    // Anyone can seal to the chip's public key; only the issuer's DLK makes MAC1 verify.
    auto forged = authorization();
    forged.dlk = crypto::randomBytes(sam::kDlkSize);
    importSigned(sam, seal(forged));
    EXPECT_EQ(mac2Refusal(initializeLoad()), sam::sw::kMac1Invalid);
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

TEST_P(LoadSamTest, TheServerMaySealToTheSpki) {
    const Bytes spki = p256Spki(sam.info().samPublicKey);
    importSigned(sam, sam::sealLoadAuthorization(spki, chipSerial(), authorization()));
    const auto init = initializeLoad();
    EXPECT_EQ(mac2(init), terminal.mac2(init, kAmount));
}

TEST_P(LoadSamTest, AResetForgetsTheImportedAuthorization) {
    importSigned(sam, seal(authorization()));
    chipCard->reset();
    ASSERT_TRUE(sam.select());
    EXPECT_EQ(mac2Refusal(initializeLoad()), sam::sw::kConditionsNotSatisfied);
}

TEST_P(LoadSamTest, TwoLoadsNeedTwoAuthorizations) {
    loadWith(authorization());
    loadWith(authorization());
    EXPECT_EQ(purse.readBalance(), kInitialBalance + 2 * kAmount);
}

INSTANTIATE_TEST_SUITE_P(BothSuites, LoadSamTest,
                         ::testing::Values("city-3des", "city-3des-00", "city-sm4"));

// --- Lifecycle

class LoadSamLifecycleTest : public ::testing::Test {
  protected:
    std::shared_ptr<sim::VirtualCard> chipCard = makeChip(chipSerial(), {}, sim::hostClock);
    VirtualCardChannel channel{chipCard};
    LoadSam sam{channel};

    void SetUp() override { ASSERT_TRUE(sam.select()); }

    Bytes someEnvelope() {
        sam::LoadAuthorization authorization;
        authorization.cardSerial = sim::defaultCitySerial();
        authorization.amount = kAmount;
        authorization.terminalId = EpurseTerminal::terminalId();
        authorization.nonce = crypto::randomBytes(sam::kNonceSize);
        authorization.expiry = sim::hostClock() + kValidity;
        authorization.dlk = Bytes(sam::kDlkSize, 0x11);
        return sam::sealLoadAuthorization(sam.info().samPublicKey, chipSerial(), authorization);
    }

    std::uint16_t mac2Refusal() {
        cards::epurse::LoadInitialization init;
        init.random = Bytes(4);
        init.mac1 = Bytes(4);
        return refusal([&] {
            sam.computeLoadMac2(sim::defaultCitySerial(), init, kAmount,
                                EpurseTerminal::terminalId(), EpurseTerminal::date(),
                                EpurseTerminal::time());
        });
    }
};

TEST_F(LoadSamLifecycleTest, AnInstalledChipImportsAndComputesNothing) {
    const sam::ChipInfo info = sam.info();
    EXPECT_EQ(info.lifecycle, sam::Lifecycle::Installed);
    EXPECT_EQ(info.chipSerial, chipSerial());
    EXPECT_EQ(refusal([&] { importSigned(sam, someEnvelope()); }),
              sam::sw::kConditionsNotSatisfied);
    EXPECT_EQ(mac2Refusal(), sam::sw::kConditionsNotSatisfied);
    EXPECT_FALSE(sam.sm2Sign(fromHex("00")).empty()) << "the device key signs before operation";
}

TEST_F(LoadSamLifecycleTest, ThePlainSetLifecycleIsRefusedAndChangesNothing) {
    for (const char* command : {"80320200", "80320300", "80320100", "80320400"}) {
        EXPECT_EQ(chipCard->process(fromHex(command)), fromHex("6982")) << command;
        EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Installed) << command;
    }
    EXPECT_EQ(refusal([&] { importSigned(sam, someEnvelope()); }),
              sam::sw::kConditionsNotSatisfied);
}

TEST_F(LoadSamLifecycleTest, TheLifecycleMovesOnlyAlongTheAllowedTransitions) {
    manageLifecycle(channel, sam::Lifecycle::Operational);
    EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Operational);
    EXPECT_EQ(manageRefusal(channel, sam::Lifecycle::Operational), sam::sw::kOk)
        << "the same state again is a no-op (a re-run job)";
    manageLifecycle(channel, sam::Lifecycle::Locked);
    EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Locked);
    EXPECT_EQ(manageRefusal(channel, sam::Lifecycle::Locked), sam::sw::kOk);
    EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Locked);
    manageLifecycle(channel, sam::Lifecycle::Operational);  // unlocked by the TSM
    EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Operational);
    importSigned(sam, someEnvelope());
}

// Operational means able to load, which needs the key allowances are checked with: the TSM
// sets it (C3) with the activation or before it. C3 must be a point on P-256. A new key
// replaces the old one and drops an authorization imported under it.
TEST_F(LoadSamLifecycleTest, OperationalNeedsTheAllowanceKeyWhichTheTsmMayReplace) {
    const auto manage = [&](const mgmt::ManageRequest& request) {
        try {
            return testing::manageWithTestKey(channel, chipSerial(), mgmt::Applet::LoadSam,
                                              request);
        } catch (const mgmt::ManagementRefused& error) {
            ADD_FAILURE() << "refused: " << error.what();
            throw;
        }
    };
    const auto refusedWith = [&](const mgmt::ManageRequest& request) {
        try {
            testing::manageWithTestKey(channel, chipSerial(), mgmt::Applet::LoadSam, request);
        } catch (const mgmt::ManagementRefused& error) {
            return error.statusWord();
        }
        return sam::sw::kOk;
    };
    mgmt::ManageRequest activate;
    activate.lifecycle = sam::Lifecycle::Operational;
    EXPECT_EQ(refusedWith(activate), sam::sw::kConditionsNotSatisfied) << "no allowance key";
    mgmt::ManageRequest offCurve;
    offCurve.allowanceKey = concat(fromHex("04"), Bytes(64, 0x01));
    EXPECT_EQ(refusedWith(offCurve), sam::sw::kWrongData);
    EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Installed);

    mgmt::ManageRequest setKey;
    setKey.allowanceKey = crypto::uncompressedPoint(testing::testAllowanceKey());
    EXPECT_EQ(manage(setKey).keysPresent, true);
    EXPECT_EQ(manage(activate).lifecycle, sam::Lifecycle::Operational) << "the key is held";
    const Bytes envelope = someEnvelope();
    importSigned(sam, envelope);

    const crypto::PkeyPtr next = crypto::generateKey("EC", crypto::kP256Group);
    mgmt::ManageRequest rotate;
    rotate.allowanceKey = crypto::uncompressedPoint(next.get());
    manage(rotate);
    EXPECT_EQ(mac2Refusal(), sam::sw::kConditionsNotSatisfied) << "the new key drops the import";
    EXPECT_EQ(refusal([&] { importSigned(sam, envelope); }), sam::sw::kAllowanceSignatureInvalid);
    sam.importAuthorization(
        envelope, crypto::signSha256(
                      next.get(), sam::encodeAllowanceStatement(chipSerial(), envelope), "test"));
}

TEST_F(LoadSamLifecycleTest, ALockedChipAnswersOnlyGetChipInfo) {
    manageLifecycle(channel, sam::Lifecycle::Operational);
    importSigned(sam, someEnvelope());
    manageLifecycle(channel, sam::Lifecycle::Locked);
    EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Locked);
    EXPECT_EQ(mac2Refusal(), sam::sw::kConditionsNotSatisfied) << "the lock drops it";
    EXPECT_EQ(refusal([&] { importSigned(sam, someEnvelope()); }),
              sam::sw::kConditionsNotSatisfied);
    EXPECT_EQ(refusal([&] { sam.sm2Sign(fromHex("00")); }), sam::sw::kConditionsNotSatisfied);
    EXPECT_EQ(chipCard->process(fromHex("80320200")), fromHex("6982"));
    EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Locked);
}

TEST_F(LoadSamLifecycleTest, ErrorsCarryTheStatusWordAndPlainWords) {
    try {
        importSigned(sam, someEnvelope());
        FAIL() << "an installed chip imported an authorization";
    } catch (const LoadSamError& error) {
        EXPECT_EQ(error.statusWord(), 0x6985);
        EXPECT_EQ(error.operation(), "IMPORT LOAD AUTHORIZATION");
        EXPECT_NE(std::string(error.what()).find("wrong lifecycle state"), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("SW 6985"), std::string::npos);
    }
    EXPECT_EQ(chipCard->process(fromHex("803A000000")), fromHex("6D00"));
}

// --- SM2

TEST(LoadSamSm2, SignaturesVerifyWithOpenSslAndTheDefaultId) {
    auto chipCard = makeChip(chipSerial(), {}, sim::hostClock);
    VirtualCardChannel channel(chipCard);
    LoadSam sam(channel);
    ASSERT_TRUE(sam.select());
    const Bytes publicPoint = sam.info().sm2PublicKey;
    const Bytes message = fromHex("5441504C494E4B20726573756C74");  // "TAPLINK result"
    const Bytes signature = sam.sm2Sign(message);

    EXPECT_TRUE(sm2Verifies(publicPoint, message, signature));
    EXPECT_FALSE(sm2Verifies(publicPoint, fromHex("00"), signature));

    // The same check with Z computed from GM/T 0003's formula and ID 1234567812345678:
    // EVP_PKEY_verify on the SM2 key takes e = SM3(Z || M) directly.
    const PkeyPtr key = crypto::publicKeyFromPoint("SM2", "SM2", publicPoint);
    ASSERT_TRUE(key);
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    ASSERT_EQ(EVP_PKEY_verify_init(context.get()), 1);
    const Bytes e = sm2MessageDigest(publicPoint, message);
    EXPECT_EQ(
        EVP_PKEY_verify(context.get(), signature.data(), signature.size(), e.data(), e.size()), 1);

    // A message longer than a short APDU goes as an extended one.
    const Bytes longMessage(300, 0x5A);
    EXPECT_TRUE(sm2Verifies(publicPoint, longMessage, sam.sm2Sign(longMessage)));
}

// --- Persistence

TEST(LoadSamPersistence, KeysLifecycleAndUsedNoncesSurviveTheChip) {
    const std::string dir = uniqueStateDir("persist");
    EpurseTerminal terminal(Suite::TripleDes, sim::defaultCitySerial());
    sam::LoadAuthorization authorization;
    authorization.algorithmId = 0x01;
    authorization.cardSerial = sim::defaultCitySerial();
    authorization.amount = kAmount;
    authorization.terminalId = EpurseTerminal::terminalId();
    authorization.nonce = crypto::randomBytes(sam::kNonceSize);
    authorization.expiry = sim::hostClock() + kValidity;
    authorization.keyIndex = 0x01;
    authorization.keyVersion = 0x01;
    authorization.dlk = crypto::epurse::diversify(
        Suite::TripleDes, sim::testIssuerKeys(Suite::TripleDes).load, sim::defaultCitySerial());

    sam::ChipInfo before;
    Bytes envelope;
    {
        auto chipCard = makeChip(chipSerial(), dir, sim::hostClock);
        VirtualCardChannel channel(chipCard);
        LoadSam sam(channel);
        manageLifecycle(channel, sam::Lifecycle::Operational);
        before = sam.info();
        envelope = sam::sealLoadAuthorization(before.samPublicKey, chipSerial(), authorization);
        importSigned(sam, envelope);

        auto card = sim::makeCard("city-3des", cityCard());
        VirtualCardChannel cardChannel(card);
        cards::epurse::EpurseCard purse(cardChannel);
        ASSERT_TRUE(purse.select().has_value());
        const auto init = purse.initializeLoad(0x01, kAmount, EpurseTerminal::terminalId());
        const Bytes mac2 = sam.computeLoadMac2(sim::defaultCitySerial(), init, kAmount,
                                               EpurseTerminal::terminalId(), EpurseTerminal::date(),
                                               EpurseTerminal::time());
        purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(), mac2);
    }

    const std::filesystem::path stateFile = sim::loadSamStateFile(chipSerial(), dir);
    EXPECT_EQ(stateFile, std::filesystem::path(dir) / ("chip-" + toHex(chipSerial())) / "sam.json");
    ASSERT_TRUE(std::filesystem::exists(stateFile));
    EXPECT_EQ(std::filesystem::status(stateFile).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

    auto again = makeChip(chipSerial(), dir, sim::hostClock);
    VirtualCardChannel channel(again);
    LoadSam sam(channel);
    ASSERT_TRUE(sam.select());
    const sam::ChipInfo after = sam.info();
    EXPECT_EQ(after.samPublicKey, before.samPublicKey);
    EXPECT_EQ(after.sm2PublicKey, before.sm2PublicKey);
    EXPECT_EQ(after.lifecycle, sam::Lifecycle::Operational);
    EXPECT_EQ(refusal([&] { importSigned(sam, envelope); }), sam::sw::kAuthorizationUsed);
    std::filesystem::remove_all(dir);
}

// A chip activated before the SAM checked allowances has no key in its state: it stays
// operational but imports nothing until the TSM sets one (unlock carries it).
TEST(LoadSamPersistence, AChipSavedWithoutAnAllowanceKeyImportsNothingUntilTheTsmSetsOne) {
    const std::string dir = uniqueStateDir("legacy");
    {
        auto chipCard = makeChip(chipSerial(), dir, sim::hostClock);
        VirtualCardChannel channel(chipCard);
        manageLifecycle(channel, sam::Lifecycle::Operational);
    }
    const std::string stateFile = sim::loadSamStateFile(chipSerial(), dir);
    nlohmann::json state = nlohmann::json::parse(std::ifstream(stateFile));
    EXPECT_EQ(state.at("allowance_key"),
              toHex(crypto::uncompressedPoint(testing::testAllowanceKey())));
    state.erase("allowance_key");
    std::ofstream(stateFile) << state.dump();

    auto chipCard = makeChip(chipSerial(), dir, sim::hostClock);
    VirtualCardChannel channel(chipCard);
    LoadSam sam(channel);
    ASSERT_TRUE(sam.select());
    EXPECT_EQ(sam.info().lifecycle, sam::Lifecycle::Operational);
    const mgmt::AppletStatus status =
        testing::manageWithTestKey(channel, chipSerial(), mgmt::Applet::LoadSam, {});
    EXPECT_EQ(status.keysPresent, false) << "the TSM's status read still answers";
    ASSERT_TRUE(sam.select());
    sam::LoadAuthorization authorization;
    authorization.cardSerial = sim::defaultCitySerial();
    authorization.terminalId = EpurseTerminal::terminalId();
    authorization.nonce = crypto::randomBytes(sam::kNonceSize);
    authorization.expiry = sim::hostClock() + kValidity;
    authorization.dlk = Bytes(sam::kDlkSize, 0x11);
    const Bytes envelope =
        sam::sealLoadAuthorization(sam.info().samPublicKey, chipSerial(), authorization);
    EXPECT_EQ(refusal([&] { importSigned(sam, envelope); }), sam::sw::kConditionsNotSatisfied);
    manageLifecycle(channel, sam::Lifecycle::Operational);  // the TSM's unlock
    importSigned(sam, envelope);
    std::filesystem::remove_all(dir);
}

TEST(LoadSamPersistence, WithoutAStateDirEachChipHasItsOwnKeys) {
    auto first = makeChip(chipSerial(), {}, sim::hostClock);
    auto second = makeChip(chipSerial(), {}, sim::hostClock);
    VirtualCardChannel firstChannel(first);
    VirtualCardChannel secondChannel(second);
    LoadSam firstSam(firstChannel);
    LoadSam secondSam(secondChannel);
    ASSERT_TRUE(firstSam.select());
    ASSERT_TRUE(secondSam.select());
    EXPECT_NE(firstSam.info().samPublicKey, secondSam.info().samPublicKey);
    EXPECT_THROW(sim::makeLoadSamApplet(Bytes{}, {}, protocol::testTsmMasterKey()),
                 std::invalid_argument);
}

TEST(LoadSamDriver, AChipWithoutTheApplicationIsNotASam) {
    VirtualCardChannel channel(sim::makeCard("iso-t1"));
    LoadSam sam(channel);
    EXPECT_FALSE(sam.select());
}

// --- Layouts

sam::LoadAuthorization sampleAuthorization() {
    sam::LoadAuthorization authorization;
    authorization.algorithmId = 0x04;
    authorization.cardSerial = fromHex("00000000000000000042");
    authorization.amount = 5000;
    authorization.terminalId = fromHex("112233445566");
    authorization.onlineAtc = 7;
    authorization.nonce = fromHex("000102030405060708090A0B0C0D0E0F");
    authorization.expiry = 0x0000000069000000;
    authorization.keyIndex = 0x01;
    authorization.keyVersion = 0x02;
    authorization.dlk = fromHex("A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
    return authorization;
}

TEST(LoadSamProtocol, TheAuthorizationHasItsFixedLayout) {
    const Bytes encoded = sampleAuthorization().encode();
    EXPECT_EQ(toHex(encoded),
              "01"                                // version
              "04"                                // suite: SM4
              "00000000000000000042"              // card serial
              "00001388"                          // amount 5000
              "112233445566"                      // terminal
              "0007"                              // online ATC
              "000102030405060708090A0B0C0D0E0F"  // nonce
              "0000000069000000"                  // expiry
              "01"                                // key index
              "02"                                // key version
              "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
    EXPECT_EQ(encoded.size(), sam::kAuthorizationSize);
    const auto parsed = sam::LoadAuthorization::parse(encoded);
    EXPECT_EQ(parsed.encode(), encoded);
    EXPECT_EQ(parsed.expiry, 0x69000000U);
    EXPECT_EQ(parsed.suite(), Suite::Sm4);
}

// JR/T 0025 e-purse: algorithm id 00 and 01 are both triple DES; the byte itself is kept.
TEST(LoadSamProtocol, TheSuiteByteIsTheCardsAlgorithmId) {
    for (const std::uint8_t algorithmId : {std::uint8_t{0x00}, std::uint8_t{0x01}}) {
        auto authorization = sampleAuthorization();
        authorization.algorithmId = algorithmId;
        const Bytes encoded = authorization.encode();
        EXPECT_EQ(encoded[1], algorithmId);
        const auto parsed = sam::LoadAuthorization::parse(encoded);
        EXPECT_EQ(parsed.algorithmId, algorithmId);
        EXPECT_EQ(parsed.suite(), Suite::TripleDes);
    }
    auto unknown = sampleAuthorization();
    unknown.algorithmId = 0x02;
    EXPECT_THROW(unknown.encode(), sam::LoadSamFormatError);
}

TEST(LoadSamProtocol, MalformedAuthorizationsAreFormatErrors) {
    const Bytes good = sampleAuthorization().encode();
    EXPECT_THROW(sam::LoadAuthorization::parse(ByteView(good).first(sam::kAuthorizationSize - 1)),
                 sam::LoadSamFormatError);
    EXPECT_THROW(sam::LoadAuthorization::parse(concat(good, fromHex("00"))),
                 sam::LoadSamFormatError);
    Bytes version = good;
    version[0] = 0x02;
    EXPECT_THROW(sam::LoadAuthorization::parse(version), sam::LoadSamFormatError);
    Bytes suiteByte = good;
    suiteByte[1] = 0x02;
    EXPECT_THROW(sam::LoadAuthorization::parse(suiteByte), sam::LoadSamFormatError);
    auto shortNonce = sampleAuthorization();
    shortNonce.nonce.pop_back();
    EXPECT_THROW(shortNonce.encode(), sam::LoadSamFormatError);
}

TEST(LoadSamProtocol, TheEnvelopeIsPointCiphertextTag) {
    auto chipCard = makeChip(chipSerial(), {}, sim::hostClock);
    VirtualCardChannel channel(chipCard);
    LoadSam sam(channel);
    ASSERT_TRUE(sam.select());
    const Bytes key = sam.info().samPublicKey;
    const Bytes first = sam::sealLoadAuthorization(key, chipSerial(), sampleAuthorization());
    const Bytes second = sam::sealLoadAuthorization(key, chipSerial(), sampleAuthorization());
    EXPECT_EQ(first.size(), 147U);
    EXPECT_EQ(first[0], 0x04);
    EXPECT_NE(first, second) << "a fresh ephemeral key each time";
    const auto parts = sam::splitEnvelope(first);
    EXPECT_EQ(parts.ephemeralPublicKey.size(), 65U);
    EXPECT_EQ(parts.ciphertext.size(), 66U);
    EXPECT_EQ(parts.tag.size(), 16U);
    EXPECT_THROW(sam::splitEnvelope(ByteView(first).first(144)), sam::LoadSamFormatError);

    EXPECT_THROW(sam::sealLoadAuthorization(Bytes(65, 0x04), chipSerial(), sampleAuthorization()),
                 sam::LoadSamFormatError)
        << "not a point on the curve";
    EXPECT_THROW(
        sam::sealLoadAuthorization(ByteView(key).first(33), chipSerial(), sampleAuthorization()),
        sam::LoadSamFormatError);
    EXPECT_EQ(sam::deriveEnvelopeKey(Bytes(32, 1), chipSerial()).key.size(), 32U);
    EXPECT_EQ(sam::deriveEnvelopeKey(Bytes(32, 1), chipSerial()).iv.size(), 12U);
}

TEST(LoadSamProtocol, TheEnvelopeKeyIsHkdfSha256WithoutSaltOverLabelAndSerial) {
    // Checked against OpenSSL's other HKDF interface (EVP_PKEY_HKDF), no salt.
    const Bytes ikm(32, 0x0B);
    const sam::EnvelopeKey key = sam::deriveEnvelopeKey(ikm, chipSerial());
    const Bytes serial = chipSerial();
    Bytes info(sam::kEnvelopeKdfLabel.begin(), sam::kEnvelopeKdfLabel.end());
    info.insert(info.end(), serial.begin(), serial.end());
    Bytes expected(44);
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
    ASSERT_EQ(EVP_PKEY_derive_init(context.get()), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_hkdf_md(context.get(), EVP_sha256()), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set1_hkdf_key(context.get(), ikm.data(), static_cast<int>(ikm.size())),
              1);
    ASSERT_EQ(
        EVP_PKEY_CTX_add1_hkdf_info(context.get(), info.data(), static_cast<int>(info.size())), 1);
    std::size_t length = expected.size();
    ASSERT_EQ(EVP_PKEY_derive(context.get(), expected.data(), &length), 1);
    EXPECT_EQ(concat(key.key, key.iv), expected);
}

TEST(LoadSamProtocol, CommandsHaveTheirDocumentedBytes) {
    EXPECT_EQ(toHex(sam::selectApplication().encode()), "00A404000BF05441504C494E4B53414D00");
    EXPECT_EQ(toHex(sam::getChipInfo().encode()), "8030000000");
    EXPECT_EQ(toHex(sam::setLifecycle(sam::Lifecycle::Operational).encode()), "80320200");
    EXPECT_EQ(toHex(sam::importLoadAuthorization(Bytes(147, 0xAA), Bytes(70, 0x30)).encode())
                  .substr(0, 10),
              "80340000D9");  // 147 + 70
    EXPECT_THROW(sam::importLoadAuthorization(Bytes(147, 0xAA), Bytes(73, 0x30)),
                 sam::LoadSamFormatError);
    EXPECT_THROW(sam::importLoadAuthorization(Bytes(146, 0xAA), Bytes(70, 0x30)),
                 sam::LoadSamFormatError);
    // The statement the allowance key signs: "TLC1", the serial's length, serial, envelope.
    EXPECT_EQ(toHex(sam::encodeAllowanceStatement(chipSerial(), Bytes(147, 0xAA))),
              "544C4331"
              "08"
              "544C434800000001" +
                  std::string(294, 'A'));
    EXPECT_THROW(sam::encodeAllowanceStatement({}, Bytes(147, 0xAA)), sam::LoadSamFormatError);
    EXPECT_THROW(sam::encodeAllowanceStatement(chipSerial(), Bytes(146, 0xAA)),
                 sam::LoadSamFormatError);
    EXPECT_EQ(toHex(sam::sm2Sign(fromHex("01")).encode()), "80380000010100");

    sam::LoadMac2Request request;
    request.cardSerial = sim::defaultCitySerial();
    request.initialization.balance = 1000;
    request.initialization.onlineAtc = 7;
    request.initialization.keyVersion = 1;
    request.initialization.algorithmId = 1;
    request.initialization.random = fromHex("01020304");
    request.initialization.mac1 = fromHex("A1A2A3A4");
    request.amount = kAmount;
    request.terminalId = EpurseTerminal::terminalId();
    request.date = EpurseTerminal::date();
    request.time = EpurseTerminal::time();
    EXPECT_EQ(toHex(sam::computeLoadMac2(request).encode()),
              "803600002B"
              "00000000000000000042"
              "000003E80007010101020304A1A2A3A4"  // INITIALIZE FOR LOAD answer
              "00001388"
              "112233445566"
              "20261121"
              "195000"
              "04");
    EXPECT_EQ(sam::LoadMac2Request::parse(request.encode()).encode(), request.encode());
    EXPECT_THROW(sam::LoadMac2Request::parse(Bytes(42)), sam::LoadSamFormatError);
}

TEST(LoadSamProtocol, ChipInfoIsStrict) {
    sam::ChipInfo info;
    info.lifecycle = sam::Lifecycle::Operational;
    info.chipSerial = chipSerial();
    info.samPublicKey = concat(fromHex("04"), Bytes(64, 0x01));
    info.sm2PublicKey = concat(fromHex("04"), Bytes(64, 0x02));
    const Bytes encoded = info.encode();
    EXPECT_EQ(toHex(ByteView(encoded).first(3)), "800102");
    const auto parsed = sam::ChipInfo::parse(encoded);
    EXPECT_EQ(parsed.encode(), encoded);
    EXPECT_THROW(sam::ChipInfo::parse(ByteView(encoded).first(encoded.size() - 1)),
                 sam::LoadSamFormatError);
    Bytes badState = encoded;
    badState[2] = 0x09;
    EXPECT_THROW(sam::ChipInfo::parse(badState), sam::LoadSamFormatError);
    EXPECT_THROW(sam::ChipInfo::parse(fromHex("800102")), sam::LoadSamFormatError);
}

}  // namespace
}  // namespace taplink::chip
