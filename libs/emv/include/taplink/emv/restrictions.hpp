// Processing restrictions (EMV Book 3 10.4): application version, usage control, effective
// and expiration dates. Each finding sets its TVR bit; refusing is the caller's policy.
#pragma once

#include "taplink/base/bytes.hpp"
#include "taplink/emv/processing.hpp"
#include "taplink/emv/tvr.hpp"

namespace taplink::emv {

// What the transaction is, for the AUC check (Book 3 10.4.2).
enum class ServiceKind { Cash, Goods, Services, Other };

struct RestrictionsInput {
    Bytes terminalApplicationVersion;  // 9F09, 2 bytes
    Bytes transactionDate;             // 9A, n6 YYMMDD
    Bytes terminalCountryCode;         // 9F1A, n3 in 2 bytes
    ServiceKind service = ServiceKind::Other;
    bool atm = false;  // the terminal is an ATM
};

// Sets DifferentApplicationVersions, ServiceNotAllowed, ApplicationNotYetEffective and
// ExpiredApplication as Book 3 10.4.1-10.4.3 say. MalformedAnswer for a card date that is
// not a date; EmvError(TerminalDataInvalid) for a bad 9A.
void checkProcessingRestrictions(const CardData& card, const RestrictionsInput& input, Tvr& tvr);

// TapLink's policy for an electronic-cash load: an expired application or one not yet
// effective is refused (EmvError NotAccepted) before any cryptogram is asked for.
void refuseUnusableForLoad(const Tvr& tvr);

}  // namespace taplink::emv
