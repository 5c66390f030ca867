#include "taplink/emv/emv_transport.hpp"

#include "taplink/apdu/transport.hpp"
#include "taplink/emv/emv_error.hpp"

namespace taplink::emv {

namespace {

constexpr std::uint8_t kWarningUnchangedSw1 = 0x62;
constexpr std::uint8_t kWarningChangedSw1 = 0x63;

// Case 4: command data and an Le field (ISO/IEC 7816-4 5.1).
bool isCase4(const apdu::CommandApdu& command) {
    return !command.data.empty() && command.le.has_value();
}

}  // namespace

bool isWarning(std::uint16_t statusWord) {
    const auto sw1 = static_cast<std::uint8_t>(statusWord >> 8U);
    return sw1 == kWarningUnchangedSw1 || sw1 == kWarningChangedSw1;
}

apdu::ResponseApdu exchange(apdu::ApduChannel& channel, const apdu::CommandApdu& command) {
    apdu::ResponseApdu response = channel.transmit(command);
    if (!isCase4(command) || !isWarning(response.sw) || !response.data.empty()) {
        return response;
    }
    // Book 1 Annex A7: GET RESPONSE with Le = 00; the TAL sees the data and the warning.
    const apdu::ResponseApdu rest = channel.transmit(apdu::getResponseFor(command.cla, 0x00));
    if (rest.ok()) {
        response.data = rest.data;
    }
    return response;
}

Bytes requireSuccess(const apdu::ResponseApdu& response, const std::string& what) {
    if (!response.ok()) {
        throwRefused(what, response.sw);
    }
    return response.data;
}

}  // namespace taplink::emv
