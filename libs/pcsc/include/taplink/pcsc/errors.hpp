// Typed PC/SC errors. Every SCARD_* code is mapped to an ErrorKind here and nowhere else.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace taplink::pcsc {

// What went wrong, in the terms a caller acts on.
enum class ErrorKind {
    ServiceDown,        // pcscd is not running or went away
    NoReaders,          // no reader attached at all
    ReaderUnavailable,  // the named reader is gone or unknown
    NoCard,             // no card in the reader
    CardRemoved,        // the card was pulled during use
    CardReset,          // another application reset the card
    Timeout,            // a wait ran out
    SharingViolation,   // another application holds the card exclusively
    Cancelled,          // our own cancel request
    UnresponsiveCard,   // the card does not answer the reset
    UnsupportedCard,    // no protocol in common / card not supported
    ProtocolError,      // a malformed or inconsistent answer from the card
    TransmitFailed,     // the exchange failed for another reason
    InvalidArgument,    // a bug on our side: bad handle, parameter, buffer
    Internal,           // anything else pcsc-lite reports
};

std::string_view toString(ErrorKind kind);

// Retriable: waiting, re-inserting the card or reconnecting can make the next attempt work.
// Fatal: retrying the same call cannot help.
bool isRetriable(ErrorKind kind);

// The one mapping from SCARD_* return codes (winscard.h / pcsclite.h) to ErrorKind.
ErrorKind classify(long code);
// SCARD_S_SUCCESS.
bool succeeded(long code);
// SCARD_E_INSUFFICIENT_BUFFER: a list grew between asking its size and reading it.
bool bufferTooSmall(long code);
// SCARD_E_UNKNOWN_READER: a reader named in a wait went away (the list changed).
bool unknownReader(long code);

class PcscError : public std::runtime_error {
  public:
    PcscError(ErrorKind kind, std::string operation, long code, const std::string& detail = {});

    ErrorKind kind() const { return kind_; }
    long code() const { return code_; }  // the SCARD_* code, 0 for errors found by us
    const std::string& operation() const { return operation_; }
    bool retriable() const { return isRetriable(kind_); }

  private:
    ErrorKind kind_;
    std::string operation_;
    long code_;
};

// Throws PcscError for any code other than SCARD_S_SUCCESS.
void check(long code, std::string_view operation, std::string_view detail = {});

}  // namespace taplink::pcsc
