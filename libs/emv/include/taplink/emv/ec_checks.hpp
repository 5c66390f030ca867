// PBOC electronic cash (JR/T 0025.13): the EC balance 9F79, balance limit 9F77 and single
// transaction limit 9F78 read with GET DATA, and the checks made before a cryptogram is
// asked for. Amounts are n12 in fen (taplink/emv/bcd.hpp).
//
// The PIN try counter check lives here too, not in restrictions: Book 3 10.4 judges the
// application from its records (version, AUC, dates), while 9F17 is read by GET DATA like
// the EC objects, and refusing a blocked PIN is the EC load's own rule before its first
// cryptogram (docs/cards.md, "PIN blocked"), not a step of EMV's processing restrictions.
#pragma once

#include <cstdint>
#include <optional>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/emv/tvr.hpp"

namespace taplink::emv {

struct EcState {
    std::uint64_t balance = 0;                            // 9F79
    std::uint64_t balanceLimit = 0;                       // 9F77
    std::optional<std::uint64_t> singleTransactionLimit;  // 9F78, when the card has one
};

// What the EC amount is for: a load adds to the balance, a purchase takes from it.
enum class EcUse { Load, Purchase };

// GET DATA (Book 3 6.5.7): 80 CA <tag, 2 bytes> 00.
apdu::CommandApdu getDataCommand(std::uint16_t tag);

// GET DATA of an n12 amount; the answer is that one object (9F79 06 ...), nothing else.
std::uint64_t readEcAmount(apdu::ApduChannel& channel, std::uint16_t tag);
// 9F79 and 9F77 must be there; 9F78 is absent when the card answers 6A88 or 6A81.
EcState readEcState(apdu::ApduChannel& channel);

// EmvError(NotAccepted) for a zero amount; for a load, when balance + amount passes 9F77;
// for a purchase, when the amount passes 9F78 (an offline EC purchase's bound; a load is
// online and 9F78 does not apply to it) or the balance.
void checkEcAmount(const EcState& state, std::uint64_t amount, EcUse use);

// GET DATA 9F17, the PIN Try Counter (Book 3 Annex A1: b, 1 byte): the tries left. nullopt
// when the card does not give it (6A88, 6A81): then the PIN check is skipped.
std::optional<std::uint8_t> readPinTryCounter(apdu::ApduChannel& channel);

// Sets "PIN Try Limit exceeded" (TVR byte 3 b6, Book 3 Annex C5) when the counter is 0, as
// Book 3 10.5.1 has the terminal do when the card reports no tries left.
void checkPinTryCounter(std::optional<std::uint8_t> pinTryCounter, Tvr& tvr);

// TapLink's policy for an EC load (an online transaction that debits the cardholder's
// account): a card whose PIN is blocked is refused (EmvError PinBlocked) before any
// cryptogram is asked for.
void refuseBlockedPinForLoad(const Tvr& tvr);

}  // namespace taplink::emv
