// The daemon's driver for the city e-purse: finds the application, reads what a person
// wants to see (serial, issuer, validity, balance, history) and runs the card's half of a
// load or a purchase. The other half (MAC2 for a load, MAC1 for a purchase) comes from
// elsewhere: the secure chip or the server.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"

namespace taplink::cards::epurse {

// The card answered a command with an error status word.
class EpurseError : public std::runtime_error {
  public:
    EpurseError(std::string operation, std::uint16_t statusWord);

    std::uint16_t statusWord() const { return statusWord_; }
    const std::string& operation() const { return operation_; }

  private:
    std::string operation_;
    std::uint16_t statusWord_;
};

// Plain words for the e-purse's status words ("MAC invalid", "insufficient funds", ...).
std::string describeStatusWord(std::uint16_t statusWord);

class EpurseCard {
  public:
    explicit EpurseCard(apdu::ApduChannel& channel) : channel_(channel) {}

    // Selects the application by AID, or by 3F00/1001 on cards without the AID, and returns
    // its public information (from the FCI when the card puts it there, else EF 0x15).
    // nullopt: this card has no e-purse (both SELECTs refused, whatever the status word).
    std::optional<PublicInfo> select();

    PublicInfo readPublicInfo();
    std::uint32_t readBalance();
    // Newest first; as many records as the card has written (at most 10).
    std::vector<LogRecord> readHistory();

    LoadInitialization initializeLoad(std::uint8_t keyIndex, std::uint32_t amount,
                                      ByteView terminalId);
    // Returns the TAC. EpurseError with 9302 when the card refuses MAC2.
    Bytes creditLoad(ByteView date, ByteView time, ByteView mac2);

    PurchaseInitialization initializePurchase(std::uint8_t keyIndex, std::uint32_t amount,
                                              ByteView terminalId);
    // Returns TAC(4) and MAC2(4).
    TransactionProof debitPurchase(ByteView terminalSequence, ByteView date, ByteView time,
                                   ByteView mac1);

    // What the card says about the transaction that ran under this ATC: its MAC2 and TAC if
    // it completed, nullopt (9406) if it did not. This is how an interrupted load is settled.
    std::optional<TransactionProof> proveTransaction(std::uint8_t type, std::uint16_t atc);

  private:
    // Sends the command; any status word but 9000 becomes an EpurseError.
    Bytes exchange(const apdu::CommandApdu& command, const char* operation);

    apdu::ApduChannel& channel_;
};

}  // namespace taplink::cards::epurse
