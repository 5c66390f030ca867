#include "applets/diag_applet.hpp"

namespace taplink::sim {

std::optional<ResponseApdu> DiagApplet::process(const CommandApdu& command, DedicatedFile& /*df*/) {
    if (command.cla != diag::kCla) {
        return std::nullopt;
    }
    switch (command.ins) {
        case diag::kInsEcho:
            return ResponseApdu{command.data, apdu::sw::kOk};
        case diag::kInsPattern: {
            const std::size_t length = (static_cast<std::size_t>(command.p1) << 8U) | command.p2;
            if (length == 0) {
                return ResponseApdu{{}, apdu::sw::kIncorrectP1P2};
            }
            Bytes data(length);
            for (std::size_t i = 0; i < length; ++i) {
                data[i] = static_cast<std::uint8_t>(i & 0xFFU);
            }
            return ResponseApdu{std::move(data), apdu::sw::kOk};
        }
        default:
            return ResponseApdu{{}, apdu::sw::kInsNotSupported};
    }
}

}  // namespace taplink::sim
