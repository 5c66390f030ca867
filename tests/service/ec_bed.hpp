// ServiceBed for bank-card EC loads: the signed bank-ec-load.json beside the city script,
// taplink-sim's bank cards in the card reader and the scripted issuer's account behind
// bank-ec orders.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "journal/ecload_journal.hpp"
#include "service/bank_card_reader.hpp"
#include "service_bed.hpp"

namespace taplink::service::testing {

// SELECT of the debit application (docs/cards.md, "The simulated bank card") by name.
apdu::CommandApdu selectDebit();

class EcBed : public ServiceBed {
  public:
    static constexpr std::uint32_t kBankBalance = 10000;  // fen in the card's EC (9F79)
    static constexpr std::uint32_t kEcLimit = 100000;     // the sim's 9F77
    static constexpr std::uint32_t kEcAmount = 5000;

    explicit EcBed(const std::string& profile = "bank-3des", Options options = {});

    static std::shared_ptr<sim::VirtualCard> makeBankCard(const std::string& profile,
                                                          const std::string& expiry = "");
    // A contactless card whose PPSE lists only a Visa application (A0000000031010), none of
    // the PBOC ones the daemon supports.
    static std::shared_ptr<sim::VirtualCard> makeForeignBankCard();

    void insertBankCard() { port.insert(kCardReader, bankCard); }
    void addEcOrder(const std::string& orderId, std::uint32_t amount = kEcAmount);
    EcLoadOutcome runEc(const std::string& orderId, const std::function<bool()>& cancelled = {},
                        const TopupService::Confirm& confirm = {},
                        const ApplicationChoice& choice = {});
    ServiceError runEcError(const std::string& orderId, const std::function<bool()>& cancelled = {},
                            const TopupService::Confirm& confirm = {},
                            const ApplicationChoice& choice = {});
    // The card's EC read through the port with the kernel, as card.info does.
    BankCard readCard();
    // What the card answers to GET DATA `tag` (EMV Book 3 6.5.7) in its debit application,
    // in a transaction of its own.
    std::string cardObject(std::uint16_t tag);
    journal::EcLoadRecord ecRecord(const std::string& orderId);
    std::vector<journal::EcLoadState> ecHistory(const std::string& orderId);
    // The plain PAN the issuer was sent (the only place it may be).
    std::string plainPan() const;

    std::shared_ptr<sim::VirtualCard> bankCard;
    journal::EcLoadJournal ecJournal{journal};
};

}  // namespace taplink::service::testing

namespace taplink::journal {
inline void PrintTo(EcLoadState state, std::ostream* out) {
    *out << toString(state);
}
}  // namespace taplink::journal
