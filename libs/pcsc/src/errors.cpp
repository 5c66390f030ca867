#include "taplink/pcsc/errors.hpp"

#include <PCSC/pcsclite.h>
#include <PCSC/winscard.h>

#include <cstdio>
#include <utility>

namespace taplink::pcsc {

std::string_view toString(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::ServiceDown:
            return "service_down";
        case ErrorKind::NoReaders:
            return "no_readers";
        case ErrorKind::ReaderUnavailable:
            return "reader_unavailable";
        case ErrorKind::NoCard:
            return "no_card";
        case ErrorKind::CardRemoved:
            return "card_removed";
        case ErrorKind::CardReset:
            return "card_reset";
        case ErrorKind::Timeout:
            return "timeout";
        case ErrorKind::SharingViolation:
            return "sharing_violation";
        case ErrorKind::Cancelled:
            return "cancelled";
        case ErrorKind::UnresponsiveCard:
            return "unresponsive_card";
        case ErrorKind::UnsupportedCard:
            return "unsupported_card";
        case ErrorKind::ProtocolError:
            return "protocol_error";
        case ErrorKind::TransmitFailed:
            return "transmit_failed";
        case ErrorKind::InvalidArgument:
            return "invalid_argument";
        case ErrorKind::Internal:
            return "internal";
    }
    return "internal";
}

bool isRetriable(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::ServiceDown:
        case ErrorKind::NoReaders:
        case ErrorKind::ReaderUnavailable:
        case ErrorKind::NoCard:
        case ErrorKind::CardRemoved:
        case ErrorKind::CardReset:
        case ErrorKind::Timeout:
        case ErrorKind::SharingViolation:
        case ErrorKind::TransmitFailed:
            return true;
        case ErrorKind::Cancelled:
        case ErrorKind::UnresponsiveCard:
        case ErrorKind::UnsupportedCard:
        case ErrorKind::ProtocolError:
        case ErrorKind::InvalidArgument:
        case ErrorKind::Internal:
            return false;
    }
    return false;
}

ErrorKind classify(long code) {
    switch (code) {
        case SCARD_E_NO_SERVICE:
        case SCARD_E_SERVICE_STOPPED:
        case SCARD_F_COMM_ERROR:
            return ErrorKind::ServiceDown;
        case SCARD_E_NO_READERS_AVAILABLE:
            return ErrorKind::NoReaders;
        case SCARD_E_UNKNOWN_READER:
        case SCARD_E_READER_UNAVAILABLE:
            return ErrorKind::ReaderUnavailable;
        case SCARD_E_NO_SMARTCARD:
            return ErrorKind::NoCard;
        case SCARD_W_REMOVED_CARD:
            return ErrorKind::CardRemoved;
        case SCARD_W_RESET_CARD:
            return ErrorKind::CardReset;
        case SCARD_E_TIMEOUT:
            return ErrorKind::Timeout;
        case SCARD_E_SHARING_VIOLATION:
            return ErrorKind::SharingViolation;
        case SCARD_E_CANCELLED:
            return ErrorKind::Cancelled;
        case SCARD_W_UNRESPONSIVE_CARD:
        case SCARD_W_UNPOWERED_CARD:
            return ErrorKind::UnresponsiveCard;
        case SCARD_E_PROTO_MISMATCH:
        case SCARD_E_CARD_UNSUPPORTED:
        case SCARD_W_UNSUPPORTED_CARD:
        case SCARD_E_UNSUPPORTED_FEATURE:
            return ErrorKind::UnsupportedCard;
        case SCARD_E_NOT_TRANSACTED:
            return ErrorKind::TransmitFailed;
        case SCARD_E_INVALID_HANDLE:
        case SCARD_E_INVALID_PARAMETER:
        case SCARD_E_INVALID_VALUE:
        case SCARD_E_INSUFFICIENT_BUFFER:
        case SCARD_E_INVALID_TARGET:
            return ErrorKind::InvalidArgument;
        default:
            return ErrorKind::Internal;
    }
}

bool succeeded(long code) {
    return code == SCARD_S_SUCCESS;
}

bool bufferTooSmall(long code) {
    return code == SCARD_E_INSUFFICIENT_BUFFER;
}

bool unknownReader(long code) {
    return code == SCARD_E_UNKNOWN_READER;
}

namespace {
std::string describe(std::string_view operation, long code, const std::string& detail) {
    std::string text(operation);
    if (code != 0) {
        char hexCode[24];
        std::snprintf(hexCode, sizeof hexCode, "0x%08lX", static_cast<unsigned long>(code));
        text += ": " + std::string(pcsc_stringify_error(code)) + " (" + hexCode + ")";
    }
    if (!detail.empty()) {
        text += ": " + detail;
    }
    return text;
}
}  // namespace

PcscError::PcscError(ErrorKind kind, std::string operation, long code, const std::string& detail)
    : std::runtime_error(describe(operation, code, detail)),
      kind_(kind),
      operation_(std::move(operation)),
      code_(code) {}

void check(long code, std::string_view operation, std::string_view detail) {
    if (code != SCARD_S_SUCCESS) {
        throw PcscError(classify(code), std::string(operation), code, std::string(detail));
    }
}

}  // namespace taplink::pcsc
