#include "service/topup_errors.hpp"

#include "net/net_error.hpp"
#include "net/topup_server_client.hpp"
#include "script/script_error.hpp"
#include "service/chip_session.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/pcsc/errors.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::service {

namespace {

std::string pcscCode(pcsc::ErrorKind kind) {
    switch (kind) {
        case pcsc::ErrorKind::ServiceDown:
            return "pcsc_unavailable";
        case pcsc::ErrorKind::NoReaders:
        case pcsc::ErrorKind::ReaderUnavailable:
            return "no_reader";
        case pcsc::ErrorKind::NoCard:
            return "no_card";
        case pcsc::ErrorKind::CardRemoved:
        case pcsc::ErrorKind::CardReset:
            return "card_removed";
        case pcsc::ErrorKind::UnresponsiveCard:
        case pcsc::ErrorKind::UnsupportedCard:
            return "unsupported_card";
        case pcsc::ErrorKind::SharingViolation:
            return "busy";
        case pcsc::ErrorKind::Timeout:
            return "timeout";
        case pcsc::ErrorKind::Cancelled:
            return "cancelled";
        default:
            return "internal";
    }
}

std::string netCode(net::NetErrorKind kind) {
    return kind == net::NetErrorKind::ServerError ? "server_error" : "server_unreachable";
}

std::string refusalCode(const std::string& serverCode) {
    if (serverCode == "order_not_found") {
        return "order_not_found";
    }
    if (serverCode == "order_settled" || serverCode == "already_settled") {
        return "order_settled";
    }
    if (serverCode == "device_revoked" || serverCode == "bad_signature") {
        return "server_error";
    }
    return "declined";
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
        return ServiceError(refusalCode(error.code()), prefix + error.what());
    } catch (const net::NetError& error) {
        return ServiceError(netCode(error.kind()), prefix + error.what());
    } catch (const script::ScriptError& error) {
        if (error.cause()) {
            return describeFailure(error.cause(), doing);
        }
        if (error.code() == script::ErrorCode::Cancelled) {
            return ServiceError("cancelled", prefix + error.what());
        }
        const bool refusedScript = error.code() == script::ErrorCode::SignatureInvalid ||
                                   error.code() == script::ErrorCode::UnknownKey ||
                                   error.code() == script::ErrorCode::Malformed ||
                                   error.code() == script::ErrorCode::Unsupported ||
                                   error.code() == script::ErrorCode::ApduNotAllowed;
        return ServiceError(refusedScript ? "script_rejected" : "declined", prefix + error.what());
    } catch (const ChipUnavailableError& error) {
        return ServiceError("chip_unavailable", prefix + error.what());
    } catch (const chip::PivError& error) {
        return ServiceError("chip_unavailable", prefix + error.what());
    } catch (const chip::LoadSamError& error) {
        return ServiceError("declined", prefix + error.what());
    } catch (const cards::epurse::EpurseError& error) {
        return ServiceError("unsupported_card", prefix + error.what());
    } catch (const journal::JournalError& error) {
        return ServiceError("internal", prefix + "journal: " + error.what());
    } catch (const std::exception& error) {
        return ServiceError("internal", prefix + error.what());
    }
}

}  // namespace taplink::service
