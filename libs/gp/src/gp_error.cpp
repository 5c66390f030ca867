#include "taplink/gp/gp_error.hpp"

namespace taplink::gp {

std::string_view errorCodeName(GpErrorCode code) {
    switch (code) {
        case GpErrorCode::BadLength:
            return "bad length";
        case GpErrorCode::BadFormat:
            return "bad format";
        case GpErrorCode::UnknownKey:
            return "unknown key";
        case GpErrorCode::Unsupported:
            return "unsupported";
        case GpErrorCode::BadCryptogram:
            return "bad cryptogram";
        case GpErrorCode::BadMac:
            return "bad MAC";
        case GpErrorCode::BadPadding:
            return "bad padding";
        case GpErrorCode::Replay:
            return "replay";
        case GpErrorCode::SecurityNotSatisfied:
            return "security level not satisfied";
        case GpErrorCode::NotOpen:
            return "no secure channel";
    }
    return "unknown error";
}

std::uint16_t statusWordFor(GpErrorCode code) {
    switch (code) {
        case GpErrorCode::BadLength:
            return 0x6700;  // wrong length
        case GpErrorCode::BadFormat:
        case GpErrorCode::Unsupported:
            return 0x6A80;  // incorrect values in the command data
        case GpErrorCode::UnknownKey:
            return 0x6A88;  // referenced data (the key set) not found
        case GpErrorCode::BadCryptogram:
            return 0x6300;  // authentication of the host cryptogram failed (Amendment D 7.2)
        case GpErrorCode::BadMac:
        case GpErrorCode::BadPadding:
        case GpErrorCode::SecurityNotSatisfied:
            return 0x6982;  // security status not satisfied
        case GpErrorCode::Replay:
        case GpErrorCode::NotOpen:
            return 0x6985;  // conditions of use not satisfied
    }
    return 0x6F00;
}

}  // namespace taplink::gp
