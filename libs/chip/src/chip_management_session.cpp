// manageDirect: one whole TSM session straight over an ApduChannel (chip/chip_management.hpp).
#include <string>

#include "taplink/chip/chip_management.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/gp/secure_channel.hpp"

namespace taplink::chip::mgmt {
namespace {

std::string refusalMessage(const std::string& step, std::uint16_t statusWord) {
    return step + ": the chip answered " + apdu::statusWordHex(statusWord);
}

void selectOrThrow(apdu::ApduChannel& channel, Applet applet) {
    const apdu::ResponseApdu answer = channel.transmit(selectApplet(applet));
    if (!answer.ok()) {
        throw ManagementRefused(
            answer.sw, refusalMessage("SELECT " + std::string(appletName(applet)), answer.sw));
    }
}

// INITIALIZE UPDATE and EXTERNAL AUTHENTICATE at the chip's level (C-MAC, C-DEC, R-MAC, R-ENC).
// The chip's i = 70: its card challenge must be the pseudo-random one of its counter, the only
// proof that the counter in the answer is the chip's (the card cryptogram does not cover it).
gp::HostChannel openChannel(apdu::ApduChannel& channel, const ManagementSession& session,
                            Applet applet) {
    gp::HostChannel host(
        deriveManagementKeys(session.master, appletAid(applet), session.chipSerial),
        crypto::randomBytes(gp::kChallengeSize));
    host.requirePseudoRandomChallenge(appletAid(applet));
    const apdu::ResponseApdu challenge =
        channel.transmit(host.initializeUpdate(session.keyVersion));
    host.confirm(channel.transmit(host.externalAuthenticate(challenge, kSecurityLevel)));
    return host;
}

}  // namespace

ManagementRefused::ManagementRefused(std::uint16_t statusWord, const std::string& message)
    : std::runtime_error(message), statusWord_(statusWord) {}

AppletStatus manageDirect(apdu::ApduChannel& channel, const ManagementSession& session,
                          Applet applet, const ManageRequest& request) {
    selectOrThrow(channel, applet);
    gp::HostChannel host = openChannel(channel, session, applet);
    const apdu::ResponseApdu answer = channel.transmit(host.wrap(manage(request.encode())));
    const apdu::ResponseApdu plain = host.unwrap(answer);  // checks the R-MAC, or no data
    if (!plain.ok()) {
        throw ManagementRefused(plain.sw, refusalMessage("MANAGE", plain.sw));
    }
    return AppletStatus::parse(plain.data);
}

}  // namespace taplink::chip::mgmt
