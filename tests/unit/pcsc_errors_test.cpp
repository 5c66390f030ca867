#include <PCSC/pcsclite.h>
#include <PCSC/winscard.h>
#include <gtest/gtest.h>

#include <string_view>
#include <utility>
#include <vector>

#include "taplink/pcsc/errors.hpp"

namespace taplink::pcsc {
namespace {

struct Mapping {
    LONG code;
    ErrorKind kind;
    bool retriable;
};

class PcscErrorMapping : public ::testing::TestWithParam<Mapping> {};

TEST_P(PcscErrorMapping, MapsCodeToKindAndRetriability) {
    const Mapping& m = GetParam();
    EXPECT_EQ(classify(m.code), m.kind) << pcsc_stringify_error(m.code);
    EXPECT_EQ(isRetriable(classify(m.code)), m.retriable) << pcsc_stringify_error(m.code);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCodeTheLayerActsOn, PcscErrorMapping,
    ::testing::Values(Mapping{SCARD_E_NO_SERVICE, ErrorKind::ServiceDown, true},
                      Mapping{SCARD_E_SERVICE_STOPPED, ErrorKind::ServiceDown, true},
                      Mapping{SCARD_F_COMM_ERROR, ErrorKind::ServiceDown, true},
                      Mapping{SCARD_E_NO_READERS_AVAILABLE, ErrorKind::NoReaders, true},
                      Mapping{SCARD_E_UNKNOWN_READER, ErrorKind::ReaderUnavailable, true},
                      Mapping{SCARD_E_READER_UNAVAILABLE, ErrorKind::ReaderUnavailable, true},
                      Mapping{SCARD_E_NO_SMARTCARD, ErrorKind::NoCard, true},
                      Mapping{SCARD_W_REMOVED_CARD, ErrorKind::CardRemoved, true},
                      Mapping{SCARD_W_RESET_CARD, ErrorKind::CardReset, true},
                      Mapping{SCARD_E_TIMEOUT, ErrorKind::Timeout, true},
                      Mapping{SCARD_E_SHARING_VIOLATION, ErrorKind::SharingViolation, true},
                      Mapping{SCARD_E_NOT_TRANSACTED, ErrorKind::TransmitFailed, true},
                      Mapping{SCARD_E_CANCELLED, ErrorKind::Cancelled, false},
                      Mapping{SCARD_W_UNRESPONSIVE_CARD, ErrorKind::UnresponsiveCard, false},
                      Mapping{SCARD_W_UNPOWERED_CARD, ErrorKind::UnresponsiveCard, false},
                      Mapping{SCARD_E_PROTO_MISMATCH, ErrorKind::UnsupportedCard, false},
                      Mapping{SCARD_E_CARD_UNSUPPORTED, ErrorKind::UnsupportedCard, false},
                      Mapping{SCARD_W_UNSUPPORTED_CARD, ErrorKind::UnsupportedCard, false},
                      Mapping{SCARD_E_INVALID_HANDLE, ErrorKind::InvalidArgument, false},
                      Mapping{SCARD_E_INVALID_PARAMETER, ErrorKind::InvalidArgument, false},
                      Mapping{SCARD_E_INVALID_VALUE, ErrorKind::InvalidArgument, false},
                      Mapping{SCARD_E_INVALID_TARGET, ErrorKind::InvalidArgument, false},
                      Mapping{SCARD_E_UNSUPPORTED_FEATURE, ErrorKind::UnsupportedCard, false},
                      Mapping{SCARD_E_INSUFFICIENT_BUFFER, ErrorKind::InvalidArgument, false},
                      Mapping{SCARD_F_INTERNAL_ERROR, ErrorKind::Internal, false},
                      Mapping{SCARD_E_NO_MEMORY, ErrorKind::Internal, false}));

TEST(PcscError, CarriesOperationCodeAndReadableMessage) {
    try {
        check(SCARD_W_REMOVED_CARD, "SCardTransmit", "reader R 00 00");
        FAIL() << "check did not throw";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::CardRemoved);
        EXPECT_EQ(error.code(), SCARD_W_REMOVED_CARD);
        EXPECT_EQ(error.operation(), "SCardTransmit");
        EXPECT_TRUE(error.retriable());
        const std::string message = error.what();
        EXPECT_NE(message.find("SCardTransmit"), std::string::npos);
        EXPECT_NE(message.find("0x80100069"), std::string::npos);
        EXPECT_NE(message.find("reader R 00 00"), std::string::npos);
    }
}

TEST(PcscError, SuccessDoesNotThrow) {
    EXPECT_NO_THROW(check(SCARD_S_SUCCESS, "SCardConnect"));
}

TEST(PcscError, EveryKindHasItsOwnStableName) {
    const std::vector<std::pair<ErrorKind, std::string_view>> names{
        {ErrorKind::ServiceDown, "service_down"},
        {ErrorKind::NoReaders, "no_readers"},
        {ErrorKind::ReaderUnavailable, "reader_unavailable"},
        {ErrorKind::NoCard, "no_card"},
        {ErrorKind::CardRemoved, "card_removed"},
        {ErrorKind::CardReset, "card_reset"},
        {ErrorKind::Timeout, "timeout"},
        {ErrorKind::SharingViolation, "sharing_violation"},
        {ErrorKind::Cancelled, "cancelled"},
        {ErrorKind::UnresponsiveCard, "unresponsive_card"},
        {ErrorKind::UnsupportedCard, "unsupported_card"},
        {ErrorKind::ProtocolError, "protocol_error"},
        {ErrorKind::TransmitFailed, "transmit_failed"},
        {ErrorKind::InvalidArgument, "invalid_argument"},
        {ErrorKind::Internal, "internal"}};
    for (const auto& [kind, name] : names) {
        EXPECT_EQ(toString(kind), name);
    }
}

}  // namespace
}  // namespace taplink::pcsc
