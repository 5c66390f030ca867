// RAII owner of an SCARDHANDLE: one connection to the card in one reader.
#pragma once

#include <PCSC/winscard.h>

#include <string>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/pcsc/context.hpp"

namespace taplink::pcsc {

enum class Protocol { T0, T1, Any };
enum class ShareMode { Shared, Exclusive };
// What happens to the card when a connection ends or reconnects.
enum class Disposition { Leave, Reset, Unpower };

class Transaction;

class CardConnection : public apdu::ApduChannel {
  public:
    // SCardConnect; the context must outlive the connection.
    static CardConnection connect(const Context& context, const std::string& reader,
                                  Protocol protocol = Protocol::Any,
                                  ShareMode mode = ShareMode::Shared);

    CardConnection(const CardConnection&) = delete;
    CardConnection& operator=(const CardConnection&) = delete;
    CardConnection(CardConnection&& other) noexcept;
    CardConnection& operator=(CardConnection&& other) noexcept;
    ~CardConnection() override;

    const std::string& reader() const { return reader_; }
    Protocol protocol() const { return protocol_; }
    const Bytes& atr() const { return atr_; }

    // Sends one command and returns the complete answer: 61xx is followed by GET RESPONSE
    // until the card has given everything, 6Cxx re-issues the command once with Le = xx.
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override;

    // One SCardTransmit, nothing added. Returns the raw response including SW1 SW2.
    Bytes transmitRaw(ByteView command);

    // SCardReconnect, e.g. after CardReset; refreshes protocol and ATR.
    void reconnect(Disposition init = Disposition::Leave);

    // SCardBeginTransaction: exclusive access until the returned object is destroyed.
    Transaction beginTransaction();

    SCARDHANDLE handle() const { return handle_; }

  private:
    CardConnection(SCARDCONTEXT context, SCARDHANDLE handle, std::string reader);
    void refreshStatus();
    [[noreturn]] void throwTransmitFailure(long code);
    bool cardWasRemoved() const;
    void release() noexcept;

    SCARDCONTEXT context_ = 0;
    SCARDHANDLE handle_ = 0;
    bool owned_ = false;
    std::string reader_;
    Protocol protocol_ = Protocol::Any;
    Bytes atr_;
};

// RAII SCardBeginTransaction / SCardEndTransaction(SCARD_LEAVE_CARD).
class Transaction {
  public:
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();

  private:
    friend class CardConnection;
    explicit Transaction(SCARDHANDLE handle) : handle_(handle), active_(true) {}

    SCARDHANDLE handle_;
    bool active_;
};

}  // namespace taplink::pcsc
