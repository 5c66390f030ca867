#include "service/topup_errors.hpp"

#include "net/net_error.hpp"
#include "net/topup_server_client.hpp"
#include "script/script_error.hpp"
#include "service/chip_session.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/pcsc/errors.hpp"
#include "taplink/protocol/purchase_wire.hpp"
#include "taplink/protocol/topup_wire.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::service {

namespace {

using api::ErrorCode;

ErrorCode pcscCode(pcsc::ErrorKind kind) {
    switch (kind) {
        case pcsc::ErrorKind::ServiceDown:
            return ErrorCode::PcscUnavailable;
        case pcsc::ErrorKind::NoReaders:
        case pcsc::ErrorKind::ReaderUnavailable:
            return ErrorCode::NoReader;
        case pcsc::ErrorKind::NoCard:
            return ErrorCode::NoCard;
        case pcsc::ErrorKind::CardRemoved:
        case pcsc::ErrorKind::CardReset:
            return ErrorCode::CardRemoved;
        case pcsc::ErrorKind::UnresponsiveCard:
        case pcsc::ErrorKind::UnsupportedCard:
            return ErrorCode::UnsupportedCard;
        case pcsc::ErrorKind::SharingViolation:
            return ErrorCode::Busy;
        case pcsc::ErrorKind::Timeout:
            return ErrorCode::Timeout;
        case pcsc::ErrorKind::Cancelled:
            return ErrorCode::Cancelled;
        default:
            return ErrorCode::Internal;
    }
}

ErrorCode netCode(net::NetErrorKind kind) {
    // An unsigned answer came from a server that is up but cannot be believed.
    const bool answered =
        kind == net::NetErrorKind::ServerError || kind == net::NetErrorKind::AnswerNotSigned;
    return answered ? ErrorCode::ServerError : ErrorCode::ServerUnreachable;
}

ErrorCode refusalCode(const std::string& serverCode) {
    if (serverCode == net::wire::refusal::kOrderNotFound) {
        return ErrorCode::OrderNotFound;
    }
    if (serverCode == net::wire::refusal::kOrderSettled ||
        serverCode == net::wire::refusal::kAlreadySettled) {
        return ErrorCode::OrderSettled;
    }
    if (serverCode == net::wire::refusal::kChipLocked) {
        return ErrorCode::ChipLocked;
    }
    if (serverCode == net::wire::refusal::kOrderBound) {  // another device is loading it
        return ErrorCode::Busy;
    }
    if (serverCode == net::wire::refusal::kParamsOutdated) {  // the server knows the chip is behind
        return ErrorCode::ChipOutdated;
    }
    if (serverCode == net::wire::refusal::kEcLimitExceeded) {
        return ErrorCode::EcLimitExceeded;
    }
    // The TSM never gave the chip its keys, or the server lost its copy of the parameters.
    if (serverCode == net::wire::refusal::kPaymentKeysMissing ||
        serverCode == net::wire::refusal::kParamsMissing) {
        return ErrorCode::ChipUnavailable;
    }
    if (serverCode == net::wire::refusal::kSchemeUnsupported ||
        serverCode == net::wire::refusal::kCardNotLinked) {
        return ErrorCode::WrongScheme;
    }
    // The server could not take what the daemon sent: a contract mismatch, not a decline.
    if (serverCode == net::wire::refusal::kDeviceRevoked ||
        serverCode == net::wire::refusal::kBadSignature ||
        serverCode == net::wire::refusal::kMalformedRequest) {
        return ErrorCode::ServerError;
    }
    return ErrorCode::Declined;
}

// Words that say a contract refusal is not the issuer's no.
std::string refusalWords(const net::ServerRefusal& refusal) {
    if (refusal.code() == net::wire::refusal::kMalformedRequest) {
        return std::string(
                   "the server refused the request as off the wire contract "
                   "(malformed_request); nothing was authorized: ") +
               refusal.what();
    }
    return refusal.what();
}

// The bank purchase script's (docs/scripts.md, "Bank purchase"): the payment applet's
// refusals (9401..9404, 6985) and the online PIN's.
ErrorCode purchaseOutcomeCode(const std::string& outcome) {
    if (outcome == "over_transaction_limit" || outcome == "over_daily_limit") {
        return ErrorCode::LimitExceeded;
    }
    if (outcome == "aid_not_allowed") {
        return ErrorCode::NoApplication;
    }
    if (outcome == "card_expired_or_not_yet_valid") {
        return ErrorCode::CardExpired;
    }
    if (outcome == "chip_locked") {
        return ErrorCode::ChipLocked;
    }
    if (outcome == "pin_unavailable") {
        return ErrorCode::ConfirmationUnavailable;
    }
    if (outcome == "pin_invalid") {
        return ErrorCode::InvalidParams;
    }
    return ErrorCode::Declined;
}

// The recharge scripts' named outcomes (docs/scripts.md) that are not the card or chip
// declining the load: the card is not one the script loads, or the chip cannot take part.
ErrorCode outcomeCode(const std::string& outcome) {
    if (outcome == "not_a_city_card") {
        return ErrorCode::UnsupportedCard;
    }
    if (outcome == "no_load_sam" || outcome == "chip_not_operational") {
        return ErrorCode::ChipUnavailable;
    }
    // The bank EC-load script's (docs/scripts.md, "The bank EC load").
    if (outcome == "not_a_bank_card") {
        return ErrorCode::WrongScheme;
    }
    if (outcome == "ec_limit_exceeded") {
        return ErrorCode::EcLimitExceeded;
    }
    if (outcome == "application_not_found" || outcome == "application_blocked") {
        return ErrorCode::NoApplication;
    }
    return purchaseOutcomeCode(outcome);
}

ErrorCode scriptCode(const script::ScriptError& error) {
    switch (error.code()) {
        case script::ErrorCode::Cancelled:
            return ErrorCode::Cancelled;
        case script::ErrorCode::SignatureInvalid:
        case script::ErrorCode::UnknownKey:
        case script::ErrorCode::Malformed:
        case script::ErrorCode::Unsupported:
        case script::ErrorCode::ApduNotAllowed:
        case script::ErrorCode::RolledBack:
        case script::ErrorCode::Expired:
        case script::ErrorCode::NotYetValid:
            return ErrorCode::ScriptRejected;
        case script::ErrorCode::StatusWord:
        case script::ErrorCode::NotAccepted:
            return outcomeCode(error.outcome());
        default:
            return ErrorCode::Declined;
    }
}

ErrorCode emvCode(emv::EmvErrorCode code) {
    switch (code) {
        case emv::EmvErrorCode::NotAccepted:
            return ErrorCode::Declined;
        case emv::EmvErrorCode::PinBlocked:
            return ErrorCode::PinBlocked;
        default:
            return ErrorCode::UnsupportedCard;
    }
}

}  // namespace

ServiceError describeFailure(const std::exception_ptr& failure, const std::string& doing) {
    const std::string prefix = doing.empty() ? std::string() : doing + ": ";
    try {
        std::rethrow_exception(failure);
    } catch (const ServiceError& error) {
        return error;
    } catch (const pcsc::PcscError& error) {
        return ServiceError(pcscCode(error.kind()), prefix + error.what());
    } catch (const net::ServerRefusal& error) {
        return ServiceError(refusalCode(error.code()), prefix + refusalWords(error));
    } catch (const net::NetError& error) {
        return ServiceError(netCode(error.kind()), prefix + error.what());
    } catch (const script::ScriptError& error) {
        if (error.cause()) {
            return describeFailure(error.cause(), doing);
        }
        return ServiceError(scriptCode(error), prefix + error.what());
    } catch (const ChipUnavailableError& error) {
        return ServiceError(ErrorCode::ChipUnavailable, prefix + error.what());
    } catch (const chip::PivError& error) {
        return ServiceError(ErrorCode::ChipUnavailable, prefix + error.what());
    } catch (const chip::LoadSamError& error) {
        return ServiceError(ErrorCode::Declined, prefix + error.what());
    } catch (const cards::epurse::EpurseError& error) {
        return ServiceError(ErrorCode::UnsupportedCard, prefix + error.what());
    } catch (const emv::EmvError& error) {
        return ServiceError(emvCode(error.code()), prefix + error.what());
    } catch (const journal::JournalError& error) {
        return ServiceError(ErrorCode::Internal, prefix + "journal: " + error.what());
    } catch (const std::exception& error) {
        return ServiceError(ErrorCode::Internal, prefix + error.what());
    }
}

}  // namespace taplink::service
