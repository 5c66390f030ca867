#include "script/apdu_policy.hpp"

#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/chip/load_sam_protocol.hpp"

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
        {"SELECT", kClaInterindustry, apdu::kInsSelect, {}, {}, {}, false},
        {"READ BINARY", kClaInterindustry, apdu::kInsReadBinary, {}, {}, {}, false},
        {"READ RECORD", kClaInterindustry, apdu::kInsReadRecord, {}, {}, {}, false},
        {"GET BALANCE", epurse::kCla, epurse::kInsGetBalance, {}, {}, {}, false},
        // P1 00 is load; 01 would be purchase, which a recharge script must never start.
        {"INITIALIZE FOR LOAD",
         epurse::kCla,
         epurse::kInsInitialize,
         epurse::kP1Load,
         {},
         {},
         false},
        {"CREDIT FOR LOAD", epurse::kCla, epurse::kInsCreditForLoad, {}, {}, {}, true},
        {"GET TRANSACTION PROVE", epurse::kCla, epurse::kInsGetTransactionProve, {}, {}, {}, false},
    };
}

std::vector<ApduRule> chipRules() {
    return {
        // SELECT by DF name (P1 04), first occurrence (P2 00), of the load SAM only: the PIV
        // application holds the device key and PIN and is no business of a script.
        {"SELECT load SAM", kClaInterindustry, apdu::kInsSelect, 0x04, 0x00, sam::applicationId(),
         false},
        {"GET CHIP INFO", sam::kCla, sam::ins::kGetChipInfo, {}, {}, {}, false},
        {"IMPORT LOAD AUTHORIZATION", sam::kCla, sam::ins::kImportAuthorization, {}, {}, {}, false},
        {"COMPUTE LOAD MAC2", sam::kCla, sam::ins::kComputeLoadMac2, {}, {}, {}, false},
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
        return &rule;
    }
    return nullptr;
}

}  // namespace taplink::script
