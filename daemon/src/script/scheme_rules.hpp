// What the daemon allows the scripts of each card scheme: the APDU policy per target and
// the checkpoints (the journal's states), in the order a run passes them. A signed script
// chooses its scheme, never its rules.
#pragma once

#include <string_view>
#include <vector>

#include "script/apdu_policy.hpp"

namespace taplink::script {

inline constexpr std::string_view kCityEpurseScheme = "city-epurse";
inline constexpr std::string_view kBankEcScheme = "bank-ec";
inline constexpr std::string_view kBankPurchaseScheme = "bank-purchase";
inline constexpr std::string_view kTsmScheme = "tsm";

struct SchemeRules {
    const ApduPolicy& card;
    const ApduPolicy& chip;
    std::vector<std::string_view> checkpoints;

    const ApduPolicy& policy(Target target) const { return target == Target::Card ? card : chip; }
};

// bank-ec: the bank card policy, nothing to the chip, checkpoints arqc, authorized,
// script_sending, loaded. bank-purchase: the bank card policy without the EC PUT DATA and
// issuer scripts, the payment applet's purchase commands to the chip, checkpoints sealed,
// authorized, completed. tsm (chip management): nothing to the card, the management
// policy to the chip, no checkpoints (it moves no money). Any other scheme (city-epurse): the city
// card and load SAM policies, checkpoints authorized, card_initialized, credited (the top-up
// journal's states).
const SchemeRules& rulesFor(std::string_view scheme);

}  // namespace taplink::script
