#include "taplink/pcsc/card_connection.hpp"

#include <PCSC/pcsclite.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "taplink/apdu/transport.hpp"
#include "taplink/pcsc/errors.hpp"

namespace taplink::pcsc {

namespace {

// Largest extended response: 65536 data bytes + SW1 SW2 (pcsclite.h MAX_BUFFER_SIZE_EXTENDED).
constexpr DWORD kReceiveBufferSize = MAX_BUFFER_SIZE_EXTENDED;
// pcscd notices a pulled card on its next presence poll (every 400 ms for vpcd and serial
// readers); wait a little longer than that before calling a failure "card removed".
constexpr std::chrono::milliseconds kRemovalSettle{1500};

DWORD toPcscProtocol(Protocol protocol) {
    switch (protocol) {
        case Protocol::T0:
            return SCARD_PROTOCOL_T0;
        case Protocol::T1:
            return SCARD_PROTOCOL_T1;
        case Protocol::Any:
            return SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
    }
    return SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
}

Protocol fromPcscProtocol(DWORD active) {
    return active == SCARD_PROTOCOL_T0 ? Protocol::T0 : Protocol::T1;
}

DWORD toPcscDisposition(Disposition disposition) {
    switch (disposition) {
        case Disposition::Leave:
            return SCARD_LEAVE_CARD;
        case Disposition::Reset:
            return SCARD_RESET_CARD;
        case Disposition::Unpower:
            return SCARD_UNPOWER_CARD;
    }
    return SCARD_LEAVE_CARD;
}

}  // namespace

CardConnection CardConnection::connect(const Context& context, const std::string& reader,
                                       Protocol protocol, ShareMode mode) {
    SCARDHANDLE handle = 0;
    DWORD active = 0;
    const DWORD share = mode == ShareMode::Exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED;
    check(SCardConnect(context.handle(), reader.c_str(), share, toPcscProtocol(protocol), &handle,
                       &active),
          "SCardConnect", "reader " + reader);
    CardConnection connection(context.handle(), handle, reader);
    connection.protocol_ = fromPcscProtocol(active);
    connection.refreshStatus();
    return connection;
}

CardConnection::CardConnection(SCARDCONTEXT context, SCARDHANDLE handle, std::string reader)
    : context_(context), handle_(handle), owned_(true), reader_(std::move(reader)) {}

CardConnection::CardConnection(CardConnection&& other) noexcept
    : apdu::ApduChannel(std::move(other)),
      context_(other.context_),
      handle_(other.handle_),
      owned_(std::exchange(other.owned_, false)),
      reader_(std::move(other.reader_)),
      protocol_(other.protocol_),
      atr_(std::move(other.atr_)) {}

CardConnection& CardConnection::operator=(CardConnection&& other) noexcept {
    if (this != &other) {
        release();
        context_ = other.context_;
        handle_ = other.handle_;
        owned_ = std::exchange(other.owned_, false);
        reader_ = std::move(other.reader_);
        protocol_ = other.protocol_;
        atr_ = std::move(other.atr_);
    }
    return *this;
}

CardConnection::~CardConnection() {
    release();
}

void CardConnection::release() noexcept {
    if (owned_) {
        SCardDisconnect(handle_, SCARD_LEAVE_CARD);
        owned_ = false;
    }
}

void CardConnection::refreshStatus() {
    DWORD state = 0;
    DWORD active = 0;
    BYTE atr[MAX_ATR_SIZE];
    DWORD atrLength = sizeof atr;
    DWORD nameLength = 0;
    check(SCardStatus(handle_, nullptr, &nameLength, &state, &active, atr, &atrLength),
          "SCardStatus", "reader " + reader_);
    atr_.assign(atr, atr + atrLength);
}

Bytes CardConnection::transmitRaw(ByteView command) {
    Bytes response(kReceiveBufferSize);
    DWORD length = kReceiveBufferSize;
    const SCARD_IO_REQUEST* pci = protocol_ == Protocol::T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    const LONG rv = SCardTransmit(handle_, pci, command.data(), static_cast<DWORD>(command.size()),
                                  nullptr, response.data(), &length);
    if (!succeeded(rv)) {
        throwTransmitFailure(rv);
    }
    response.resize(length);
    return response;
}

apdu::ResponseApdu CardConnection::transmit(const apdu::CommandApdu& command) {
    auto exchange = [this](const apdu::CommandApdu& apdu) {
        const Bytes raw = transmitRaw(apdu.encode());
        if (raw.size() < 2) {
            // Some drivers (vpcd among them) report a card that left mid-exchange as an
            // empty answer rather than an error.
            throw PcscError(cardWasRemoved() ? ErrorKind::CardRemoved : ErrorKind::ProtocolError,
                            "SCardTransmit", 0,
                            "answer of " + std::to_string(raw.size()) +
                                " bytes has no status word; reader " + reader_);
        }
        return apdu::ResponseApdu::parse(raw);
    };

    // 61xx and 6Cxx are the shared transport's (taplink/apdu/transport.hpp); its limits are
    // this layer's protocol errors.
    try {
        return apdu::completeExchange(command, exchange);
    } catch (const apdu::TransportError& error) {
        throw PcscError(ErrorKind::ProtocolError, "GET RESPONSE", 0,
                        std::string(error.what()) + "; reader " + reader_);
    }
}

void CardConnection::reconnect(Disposition init) {
    DWORD active = 0;
    check(SCardReconnect(handle_, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                         toPcscDisposition(init), &active),
          "SCardReconnect", "reader " + reader_);
    protocol_ = fromPcscProtocol(active);
    refreshStatus();
}

Transaction CardConnection::beginTransaction() {
    check(SCardBeginTransaction(handle_), "SCardBeginTransaction", "reader " + reader_);
    return Transaction(handle_);
}

void CardConnection::throwTransmitFailure(long code) {
    ErrorKind kind = classify(code);
    // A card pulled mid-exchange shows up first as a failed transfer; only the reader's
    // next state tells it apart from a transfer error with the card still there.
    if ((kind == ErrorKind::TransmitFailed || kind == ErrorKind::UnresponsiveCard) &&
        cardWasRemoved()) {
        kind = ErrorKind::CardRemoved;
    }
    throw PcscError(kind, "SCardTransmit", code, "reader " + reader_);
}

bool CardConnection::cardWasRemoved() const {
    auto removedSinceConnect = [this] {
        DWORD nameLength = 0;
        DWORD state = 0;
        DWORD active = 0;
        DWORD atrLength = 0;
        const LONG rv =
            SCardStatus(handle_, nullptr, &nameLength, &state, &active, nullptr, &atrLength);
        const auto kind = classify(rv);
        return kind == ErrorKind::CardRemoved || kind == ErrorKind::NoCard;
    };
    if (removedSinceConnect()) {
        return true;
    }
    // Wait until the reader shows the card gone, or the settle time runs out.
    SCARD_READERSTATE state{};
    state.szReader = reader_.c_str();
    state.dwCurrentState = SCARD_STATE_UNAWARE;
    const auto deadline = std::chrono::steady_clock::now() + kRemovalSettle;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const DWORD timeout = state.dwCurrentState == SCARD_STATE_UNAWARE
                                  ? 0
                                  : static_cast<DWORD>(std::max<long long>(left.count(), 0));
        if (!succeeded(SCardGetStatusChange(context_, timeout, &state, 1))) {
            return removedSinceConnect();
        }
        if ((state.dwEventState & SCARD_STATE_EMPTY) != 0U) {
            return true;
        }
        if (left.count() <= 0) {
            return removedSinceConnect();
        }
        state.dwCurrentState = state.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
    }
}

Transaction::Transaction(Transaction&& other) noexcept
    : handle_(other.handle_), active_(std::exchange(other.active_, false)) {}

Transaction::~Transaction() {
    if (active_) {
        SCardEndTransaction(handle_, SCARD_LEAVE_CARD);
    }
}

}  // namespace taplink::pcsc
