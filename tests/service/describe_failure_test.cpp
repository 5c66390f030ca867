// describeFailure, the one place a failure of a lower layer becomes an API error code: every
// exception type it knows, each kind or code of it.
#include <gtest/gtest.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "net/net_error.hpp"
#include "net/topup_server_client.hpp"
#include "script/script_error.hpp"
#include "service/chip_session.hpp"
#include "service/topup_errors.hpp"
#include "service_bed.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/pcsc/errors.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::service {
namespace {

using api::ErrorCode;

template <class Error>
ErrorCode codeOf(Error error) {
    return describeFailure(std::make_exception_ptr(std::move(error)), "testing").code();
}

TEST(DescribeFailure, MapsEveryPcscKind) {
    using pcsc::ErrorKind;
    const std::vector<std::pair<ErrorKind, ErrorCode>> table = {
        {ErrorKind::ServiceDown, ErrorCode::PcscUnavailable},
        {ErrorKind::NoReaders, ErrorCode::NoReader},
        {ErrorKind::ReaderUnavailable, ErrorCode::NoReader},
        {ErrorKind::NoCard, ErrorCode::NoCard},
        {ErrorKind::CardRemoved, ErrorCode::CardRemoved},
        {ErrorKind::CardReset, ErrorCode::CardRemoved},
        {ErrorKind::Timeout, ErrorCode::Timeout},
        {ErrorKind::SharingViolation, ErrorCode::Busy},
        {ErrorKind::Cancelled, ErrorCode::Cancelled},
        {ErrorKind::UnresponsiveCard, ErrorCode::UnsupportedCard},
        {ErrorKind::UnsupportedCard, ErrorCode::UnsupportedCard},
        {ErrorKind::ProtocolError, ErrorCode::Internal},
        {ErrorKind::TransmitFailed, ErrorCode::Internal},
        {ErrorKind::InvalidArgument, ErrorCode::Internal},
        {ErrorKind::Internal, ErrorCode::Internal},
    };
    for (const auto& [kind, code] : table) {
        EXPECT_EQ(codeOf(pcsc::PcscError(kind, "SCardTransmit", 0)), code) << toString(kind);
    }
}

TEST(DescribeFailure, MapsTheServersRefusalCodes) {
    const std::vector<std::pair<std::string, ErrorCode>> table = {
        {"order_not_found", ErrorCode::OrderNotFound},
        {"order_settled", ErrorCode::OrderSettled},
        {"already_settled", ErrorCode::OrderSettled},
        {"device_revoked", ErrorCode::ServerError},
        {"bad_signature", ErrorCode::ServerError},
        {"malformed_request", ErrorCode::ServerError},
        {"payment_keys_missing", ErrorCode::ChipUnavailable},
        {"params_missing", ErrorCode::ChipUnavailable},
        {"order_cancelled", ErrorCode::Declined},
        {"authorization_outstanding", ErrorCode::Declined},
        {"order_bound", ErrorCode::Busy},
        {"tac_invalid", ErrorCode::Declined},
        {"a_code_of_a_newer_server", ErrorCode::Declined},
    };
    for (const auto& [serverCode, code] : table) {
        EXPECT_EQ(codeOf(net::ServerRefusal(409, serverCode, "no")), code) << serverCode;
    }
}

// A 400 malformed_request during a script's authorize (e.g. a card's algorithm id the
// contract did not take) is a contract mismatch, never the issuer declining.
TEST(DescribeFailure, AProtocolRefusalIsAServerErrorAndSaysSo) {
    const auto cause = std::make_exception_ptr(net::ServerRefusal(
        400, "malformed_request", "authorize: authorize request: algorithm id must be ..."));
    const ServiceError described = describeFailure(
        std::make_exception_ptr(script::ScriptError(script::ErrorCode::Server, "steps[6] authorize",
                                                    "authorize failed", cause)),
        "loading the card");
    EXPECT_EQ(described.code(), ErrorCode::ServerError);
    const std::string words = described.what();
    EXPECT_NE(words.find("off the wire contract (malformed_request)"), std::string::npos) << words;
    EXPECT_NE(words.find("algorithm id must be"), std::string::npos) << words;
    EXPECT_EQ(words.find("declined"), std::string::npos) << words;
}

TEST(DescribeFailure, MapsEveryNetErrorKind) {
    using net::NetErrorKind;
    const std::vector<std::pair<NetErrorKind, ErrorCode>> table = {
        {NetErrorKind::Unreachable, ErrorCode::ServerUnreachable},
        {NetErrorKind::Timeout, ErrorCode::ServerUnreachable},
        {NetErrorKind::ConnectionLost, ErrorCode::ServerUnreachable},
        {NetErrorKind::TlsHandshake, ErrorCode::ServerUnreachable},
        {NetErrorKind::ServerNotTrusted, ErrorCode::ServerUnreachable},
        {NetErrorKind::PinMismatch, ErrorCode::ServerUnreachable},
        {NetErrorKind::ServerError, ErrorCode::ServerError},
        {NetErrorKind::Protocol, ErrorCode::ServerUnreachable},
        {NetErrorKind::Configuration, ErrorCode::ServerUnreachable},
    };
    for (const auto& [kind, code] : table) {
        EXPECT_EQ(codeOf(net::NetError(kind, "net")), code) << net::toString(kind);
    }
}

TEST(DescribeFailure, MapsEveryScriptErrorCode) {
    using script::ErrorCode;
    const std::vector<std::pair<ErrorCode, api::ErrorCode>> table = {
        {ErrorCode::SignatureInvalid, api::ErrorCode::ScriptRejected},
        {ErrorCode::UnknownKey, api::ErrorCode::ScriptRejected},
        {ErrorCode::Malformed, api::ErrorCode::ScriptRejected},
        {ErrorCode::Unsupported, api::ErrorCode::ScriptRejected},
        {ErrorCode::ApduNotAllowed, api::ErrorCode::ScriptRejected},
        {ErrorCode::RolledBack, api::ErrorCode::ScriptRejected},
        {ErrorCode::Expired, api::ErrorCode::ScriptRejected},
        {ErrorCode::NotYetValid, api::ErrorCode::ScriptRejected},
        {ErrorCode::Cancelled, api::ErrorCode::Cancelled},
        {ErrorCode::KeyInvalid, api::ErrorCode::Declined},
        {ErrorCode::LimitExceeded, api::ErrorCode::Declined},
        {ErrorCode::StatusWord, api::ErrorCode::Declined},
        {ErrorCode::ResponseInvalid, api::ErrorCode::Declined},
        {ErrorCode::ValueInvalid, api::ErrorCode::Declined},
        {ErrorCode::InvalidInput, api::ErrorCode::Declined},
        {ErrorCode::Server, api::ErrorCode::Declined},
        {ErrorCode::DataScriptInvalid, api::ErrorCode::Declined},
    };
    for (const auto& [scriptCode, code] : table) {
        EXPECT_EQ(codeOf(script::ScriptError(scriptCode, "steps[0]", "x")), code)
            << script::codeName(scriptCode);
    }
}

TEST(DescribeFailure, AScriptErrorWithACauseIsMappedByItsCause) {
    const auto cause = std::make_exception_ptr(net::NetError(net::NetErrorKind::Timeout, "slow"));
    EXPECT_EQ(codeOf(script::ScriptError(script::ErrorCode::Server, "steps[7] authorize",
                                         "authorize failed", cause)),
              ErrorCode::ServerUnreachable);
}

TEST(DescribeFailure, MapsTheChipCardJournalAndOtherErrors) {
    EXPECT_EQ(codeOf(ChipUnavailableError("no chip")), ErrorCode::ChipUnavailable);
    EXPECT_EQ(codeOf(chip::PivError("GENERAL AUTHENTICATE", 0x6982)), ErrorCode::ChipUnavailable);
    EXPECT_EQ(codeOf(chip::WrongPinError("VERIFY", 0x63C2, 2)), ErrorCode::ChipUnavailable);
    EXPECT_EQ(codeOf(chip::LoadSamError("COMPUTE LOAD MAC2", 0x6982)), ErrorCode::Declined);
    EXPECT_EQ(codeOf(cards::epurse::EpurseError("INITIALIZE FOR LOAD", 0x9403)),
              ErrorCode::UnsupportedCard);
    EXPECT_EQ(codeOf(journal::JournalError("disk full")), ErrorCode::Internal);
    EXPECT_EQ(codeOf(std::runtime_error("anything")), ErrorCode::Internal);
}

TEST(DescribeFailure, KeepsAServiceErrorAsItIs) {
    const ServiceError original(ErrorCode::UserDenied, "the user said no");
    const ServiceError described = describeFailure(std::make_exception_ptr(original), "testing");
    EXPECT_EQ(described.code(), ErrorCode::UserDenied);
    EXPECT_STREQ(described.what(), "the user said no");
}

TEST(DescribeFailure, SaysWhatTheDaemonWasDoing) {
    const ServiceError described =
        describeFailure(std::make_exception_ptr(std::runtime_error("boom")), "reading the card");
    EXPECT_EQ(std::string(described.what()), "reading the card: boom");
}

}  // namespace
}  // namespace taplink::service
