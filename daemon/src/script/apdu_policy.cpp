#include "script/apdu_policy.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/gp/scp03_commands.hpp"

namespace taplink::script {

namespace {

namespace epurse = cards::epurse;
namespace sam = chip::sam;

constexpr std::uint8_t kClaInterindustry = 0x00;

bool matches(const std::optional<std::uint8_t>& wanted, const std::optional<std::uint8_t>& given) {
    return !wanted || (given && *given == *wanted);
}

std::vector<ApduRule> cardRules() {
    return {
        {"SELECT", kClaInterindustry, apdu::kInsSelect, {}, {}, {}, false, false, {}, false},
        {"READ BINARY",
         kClaInterindustry,
         apdu::kInsReadBinary,
         {},
         {},
         {},
         false,
         false,
         {},
         false},
        {"READ RECORD",
         kClaInterindustry,
         apdu::kInsReadRecord,
         {},
         {},
         {},
         false,
         false,
         {},
         false},
        {"GET BALANCE", epurse::kCla, epurse::kInsGetBalance, {}, {}, {}, false, false, {}, false},
        // P1 00 is load; 01 would be purchase, which a recharge script must never start.
        {"INITIALIZE FOR LOAD",
         epurse::kCla,
         epurse::kInsInitialize,
         epurse::kP1Load,
         {},
         {},
         false,
         false,
         {},
         false},
        {"CREDIT FOR LOAD",
         epurse::kCla,
         epurse::kInsCreditForLoad,
         {},
         {},
         {},
         true,
         false,
         {},
         false},
        {"GET TRANSACTION PROVE",
         epurse::kCla,
         epurse::kInsGetTransactionProve,
         {},
         {},
         {},
         false,
         false,
         {},
         false},
    };
}

// SELECT by DF name (P1 04), first occurrence (P2 00) of exactly this AID (ISO/IEC 7816-4
// 11.2.2): only the chip's applications a scheme may use, never PIV.
ApduRule selectByName(std::string_view name, Bytes aid) {
    return {name, kClaInterindustry, apdu::kInsSelect, 0x04, 0x00, std::move(aid), false, false, {},
            false};
}

std::vector<ApduRule> chipRules() {
    return {
        // SELECT by DF name (P1 04), first occurrence (P2 00), of the load SAM only: the PIV
        // application holds the device key and PIN and is no business of a script.
        selectByName("SELECT load SAM", sam::applicationId()),
        {"GET CHIP INFO", sam::kCla, sam::ins::kGetChipInfo, {}, {}, {}, false, false, {}, false},
        {"IMPORT LOAD AUTHORIZATION",
         sam::kCla,
         sam::ins::kImportAuthorization,
         {},
         {},
         {},
         false,
         false,
         {},
         false},
        {"COMPUTE LOAD MAC2",
         sam::kCla,
         sam::ins::kComputeLoadMac2,
         {},
         {},
         {},
         false,
         false,
         {},
         false},
    };
}

// The TSM's management session (docs/scripts.md, "Chip management"; docs/chip.md): SELECT
// of one of the two managed applets, then SCP03 (GlobalPlatform Card Spec 2.3 Amd D 7.1:
// INITIALIZE UPDATE 80 50, EXTERNAL AUTHENTICATE 84 82) and the applets' MANAGE 84 E2,
// which only works inside the channel. No lifecycle command in the clear, no load command,
// no PIV: a management script can only relay what the TSM wrapped with the chip's keys.
std::vector<ApduRule> tsmChipRules() {
    namespace mgmt = chip::mgmt;
    constexpr std::uint8_t kClaGpSecure = gp::kClaGp | gp::kClaSecureMessaging;  // 84
    return {
        selectByName("SELECT load SAM", mgmt::appletAid(mgmt::Applet::LoadSam)),
        selectByName("SELECT payment applet", mgmt::appletAid(mgmt::Applet::Payment)),
        {"INITIALIZE UPDATE",
         gp::kClaGp,
         gp::kInsInitializeUpdate,
         {},
         0x00,
         {},
         false,
         false,
         {},
         false},
        {"EXTERNAL AUTHENTICATE",
         kClaGpSecure,
         gp::kInsExternalAuthenticate,
         {},
         {},
         {},
         false,
         false,
         {},
         false},
        {"MANAGE", kClaGpSecure, mgmt::ins::kManage, 0x00, 0x00, {}, false, false, {}, false},
    };
}

// EMV Book 3 6.3.2 (CLA 80 proprietary, 04 secure messaging) and 6.5 (INS); Book 1 9.3.1.3
// (GET RESPONSE). P1 of GENERATE AC: Book 3 6.5.5.2 table 12, bit 5 (CDA) never set.
constexpr std::uint8_t kClaEmv = 0x80;
constexpr std::uint8_t kClaSecureMessaging = 0x04;
constexpr std::uint8_t kInsGetProcessingOptions = 0xA8;
constexpr std::uint8_t kInsGetData = 0xCA;
constexpr std::uint8_t kInsGenerateAc = 0xAE;
constexpr std::uint8_t kInsExternalAuthenticate = 0x82;
constexpr std::uint8_t kInsPutData = 0xDA;
constexpr std::uint8_t kInsGetResponse = 0xC0;
constexpr std::uint8_t kP1Arqc = 0x80;
constexpr std::uint8_t kP1Tc = 0x40;
constexpr std::uint8_t kP1Aac = 0x00;
constexpr std::uint8_t kSelectByName = 0x04;
constexpr std::array<std::uint8_t, 2> kP1P2EcBalance = {0x9F, 0x79};
constexpr std::size_t kPutBalanceLength = 10;

// The EMV commands both bank schemes send (no money moves with any of them by itself).
std::vector<ApduRule> bankCardCommonRules() {
    constexpr std::string_view kGenerateAc = "GENERATE AC";
    return {
        {"SELECT",
         kClaInterindustry,
         apdu::kInsSelect,
         kSelectByName,
         0x00,
         {},
         false,
         false,
         {},
         false},
        {"GET PROCESSING OPTIONS",
         kClaEmv,
         kInsGetProcessingOptions,
         0x00,
         0x00,
         {},
         false,
         false,
         {},
         false},
        {"READ RECORD",
         kClaInterindustry,
         apdu::kInsReadRecord,
         {},
         {},
         {},
         false,
         false,
         {},
         false},
        {"GET DATA", kClaEmv, kInsGetData, {}, {}, {}, false, false, {}, false},
        {kGenerateAc, kClaEmv, kInsGenerateAc, kP1Arqc, 0x00, {}, false, false, {}, false},
        {kGenerateAc, kClaEmv, kInsGenerateAc, kP1Tc, 0x00, {}, false, false, {}, false},
        {kGenerateAc, kClaEmv, kInsGenerateAc, kP1Aac, 0x00, {}, false, false, {}, false},
        {"EXTERNAL AUTHENTICATE",
         kClaInterindustry,
         kInsExternalAuthenticate,
         0x00,
         0x00,
         {},
         false,
         false,
         {},
         false},
        // The kernel fetches a case 4 answer that came with a warning (62xx/63xx).
        {"GET RESPONSE",
         kClaInterindustry,
         kInsGetResponse,
         0x00,
         0x00,
         {},
         false,
         false,
         {},
         false},
    };
}

std::vector<ApduRule> bankCardRules() {
    std::vector<ApduRule> rules = bankCardCommonRules();
    // The issuer script's write of the EC balance and nothing else (not the limit 9F77,
    // 9F78 or 9F6D): P1-P2 9F 79, data n12 balance (6) || MAC (4) (JR/T 0025.13,
    // docs/bank-cards.md step 9). Money; only ever inside the issuer's script.
    rules.push_back({"PUT DATA 9F79 (secure messaging)",
                     kClaSecureMessaging,
                     kInsPutData,
                     kP1P2EcBalance[0],
                     kP1P2EcBalance[1],
                     {},
                     true,
                     true,
                     kPutBalanceLength,
                     true});
    return rules;
}

// A purchase rule of the payment applet: CLA 80, P1 P2 00 00 (docs/chip.md, "Payment
// applet: purchase").
ApduRule purchaseRule(std::string_view name, std::uint8_t ins, bool engineStepOnly = false) {
    return {name, chip::pay::kCla, ins, 0x00, 0x00, {}, false, false, {}, false, engineStepOnly};
}

// The chip's side of a Tap & Pay purchase (docs/scripts.md, "Bank purchase"). Not GENERATE
// TOKEN (80 48): a purchase script has no business making one-time codes.
std::vector<ApduRule> purchaseChipRules() {
    namespace mgmt = chip::mgmt;
    namespace ins = chip::pay::ins;
    return {
        selectByName("SELECT payment applet", mgmt::appletAid(mgmt::Applet::Payment)),
        purchaseRule("BEGIN PURCHASE", ins::kBeginPurchase),
        purchaseRule("PUT CARD DATA", ins::kPutCardData, true),
        purchaseRule("SEAL", ins::kSeal),
        purchaseRule("PUT PIN", ins::kPutPin, true),
        {"GET RESPONSE",
         kClaInterindustry,
         kInsGetResponse,
         0x00,
         0x00,
         {},
         false,
         false,
         {},
         false},
    };
}

}  // namespace

std::string_view targetName(Target target) {
    return target == Target::Card ? "card" : "chip";
}

std::optional<Target> targetFromName(std::string_view name) {
    if (name == "card") {
        return Target::Card;
    }
    if (name == "chip") {
        return Target::Chip;
    }
    return std::nullopt;
}

ApduShape ApduShape::of(const apdu::CommandApdu& command) {
    return ApduShape{command.cla, command.ins, command.p1, command.p2, command.data};
}

const ApduPolicy& ApduPolicy::card() {
    static const ApduPolicy policy(cardRules());
    return policy;
}

const ApduPolicy& ApduPolicy::chip() {
    static const ApduPolicy policy(chipRules());
    return policy;
}

const ApduPolicy& ApduPolicy::bankCard() {
    static const ApduPolicy policy(bankCardRules());
    return policy;
}

const ApduPolicy& ApduPolicy::bankPurchaseCard() {
    static const ApduPolicy policy(bankCardCommonRules());
    return policy;
}

const ApduPolicy& ApduPolicy::purchaseChip() {
    static const ApduPolicy policy(purchaseChipRules());
    return policy;
}

const ApduPolicy& ApduPolicy::tsmChip() {
    static const ApduPolicy policy(tsmChipRules());
    return policy;
}

const ApduPolicy& ApduPolicy::none() {
    static const ApduPolicy policy({});
    return policy;
}

const ApduPolicy& ApduPolicy::forTarget(Target target) {
    return target == Target::Card ? card() : chip();
}

const ApduRule* ApduPolicy::find(const ApduShape& shape) const {
    for (const ApduRule& rule : rules_) {
        if (rule.cla != shape.cla || rule.ins != shape.ins || !matches(rule.p1, shape.p1) ||
            !matches(rule.p2, shape.p2)) {
            continue;
        }
        if (rule.data && (!shape.data || *shape.data != *rule.data)) {
            continue;
        }
        if (rule.dataLength && (!shape.data || shape.data->size() != *rule.dataLength)) {
            continue;
        }
        return &rule;
    }
    return nullptr;
}

bool ApduPolicy::takesIssuerScripts() const {
    return std::any_of(rules_.begin(), rules_.end(),
                       [](const ApduRule& rule) { return rule.inIssuerScript; });
}

}  // namespace taplink::script
