// A bank card read with the EMV kernel (libs/emv), before any cryptogram: the application
// (PPSE selection with the chooser), the masked PAN, PSN, expiry, the electronic cash
// (9F79 balance, 9F77 limit) and the PIN try counter (9F17). ecload.start shows it to the
// cardholder and checks it before the load; card.info answers it. The plain PAN never leaves this
// reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/selection.hpp"

namespace taplink::service {

struct BankCard {
    Bytes aid;
    std::string application;  // the label (50), or the AID in hex when it has none
    std::string panMasked;    // first six and last four digits, as the load script masks it
    std::uint8_t psn = 0;     // 5F34
    Bytes expiry;             // 5F24, BCD YYMMDD
    bool expired = false;     // on the transaction date (EMV Book 3 10.4.3)
    std::uint64_t ecBalance = 0;
    std::uint64_t ecBalanceLimit = 0;
    std::optional<std::uint8_t> pinTryCounter;  // 9F17; none when the card does not give it
};

// "…1234": how the API and the trusted UI show a PAN (docs/api.md).
std::string panForDisplay(const std::string& panMasked);
// "2029-12-31" from 5F24.
std::string expiryForDisplay(ByteView expiry);

// Reads the card on `card`; txDate is 9A (BCD YYMMDD) for the expiry check. ServiceError:
// wrong_scheme (no PPSE: not a bank card), no_application, user_denied (no choice made);
// the kernel's EmvError for a card that answers wrongly.
BankCard readBankCard(apdu::ApduChannel& card, emv::ApplicationChooser& chooser, ByteView txDate);

// The PAN's digits, for the one request that must carry it (ecload/authorize, sent again
// after a crash); never to be stored. ServiceError / EmvError as readBankCard.
std::string readPlainPan(apdu::ApduChannel& card, emv::ApplicationChooser& chooser,
                         ByteView txDate);

// The application's transaction log (EMV Book 3 Annex D), newest first, each record's values
// by tag as its format 9F4F lays them out; empty when the card keeps no log. ServiceError /
// EmvError as readBankCard.
std::vector<emv::TerminalData> readBankCardLog(apdu::ApduChannel& card,
                                               emv::ApplicationChooser& chooser);

// Chooses the highest-priority candidate (no cardholder to ask: card.info).
class FirstApplication final : public emv::ApplicationChooser {
  public:
    std::optional<std::size_t> choose(const std::vector<emv::Candidate>& candidates) override;
};

}  // namespace taplink::service
