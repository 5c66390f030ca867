// PBOC electronic cash (JR/T 0025.13): the EC balance 9F79, balance limit 9F77 and single
// transaction limit 9F78 read with GET DATA, and the checks made before a cryptogram is
// asked for. Amounts are n12 in fen (taplink/emv/bcd.hpp).
#pragma once

#include <cstdint>
#include <optional>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"

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

}  // namespace taplink::emv
