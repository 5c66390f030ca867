#include "script/scheme_rules.hpp"

namespace taplink::script {

const SchemeRules& rulesFor(std::string_view scheme) {
    // EC load (docs/scripts.md, "Bank EC load"): the ARQC exists and the ATC moved; the
    // issuer approved; the issuer script is about to write 9F79; it was sent.
    static const SchemeRules bankEc{ApduPolicy::bankCard(),
                                    ApduPolicy::none(),
                                    {"arqc", "authorized", "script_sending", "loaded"}};
    // Purchase (docs/scripts.md, "Bank purchase"): the chip sealed the card's ARQC and data;
    // the issuer approved; the card answered the second GENERATE AC.
    static const SchemeRules bankPurchase{ApduPolicy::bankPurchaseCard(),
                                          ApduPolicy::purchaseChip(),
                                          {"sealed", "authorized", "completed"}};
    // The top-up journal's states (daemon/src/journal/topup_journal.hpp).
    static const SchemeRules city{
        ApduPolicy::card(), ApduPolicy::chip(), {"authorized", "card_initialized", "credited"}};
    // Chip management moves no money: nothing to journal (the daemon logs the run).
    static const SchemeRules tsm{ApduPolicy::none(), ApduPolicy::tsmChip(), {}};
    if (scheme == kBankEcScheme) {
        return bankEc;
    }
    if (scheme == kBankPurchaseScheme) {
        return bankPurchase;
    }
    return scheme == kTsmScheme ? tsm : city;
}

}  // namespace taplink::script
