#include "taplink/apdu/transport.hpp"

#include <string>
#include <utility>

namespace taplink::apdu {

namespace {

// SW2 of 61xx / 6Cxx: 00 stands for 256 (ISO/IEC 7816-3 12.2.1, table 14).
std::size_t expectedLength(std::uint8_t sw2) {
    return sw2 == 0 ? kMaxShortLe : sw2;
}

ResponseApdu reissueWithRightLe(const CommandApdu& command, const ResponseApdu& first,
                                const RawExchange& exchange) {
    if (first.sw1() != sw::kWrongLeSw1) {
        return first;
    }
    CommandApdu reissued = command;
    reissued.le = expectedLength(first.sw2());
    return exchange(reissued);
}

}  // namespace

// Interindustry classes keep their channel bits (7816-4 clause 5.4.1); a proprietary class
// (bit 8 set, e.g. 80 of the e-purse commands) gets the basic interindustry class 00.
CommandApdu getResponseFor(std::uint8_t commandCla, std::uint8_t sw2) {
    std::uint8_t cla = 0x00;
    if ((commandCla & 0x80U) == 0 && (commandCla & 0x40U) != 0) {
        cla = static_cast<std::uint8_t>(0x40U | (commandCla & 0x0FU));  // further channels 4-19
    } else if ((commandCla & 0x80U) == 0) {
        cla = static_cast<std::uint8_t>(commandCla & 0x03U);  // first channels 0-3
    }
    return CommandApdu{cla, kInsGetResponse, 0x00, 0x00, {}, expectedLength(sw2)};
}

ResponseApdu completeExchange(const CommandApdu& command, const RawExchange& exchange) {
    ResponseApdu response = reissueWithRightLe(command, exchange(command), exchange);
    Bytes data = std::move(response.data);
    for (int round = 1; response.sw1() == sw::kMoreDataSw1; ++round) {
        if (round > kMaxGetResponseRounds) {
            throw TransportError("card still announces data after " +
                                 std::to_string(kMaxGetResponseRounds) + " rounds");
        }
        response = exchange(getResponseFor(command.cla, response.sw2()));
        data.insert(data.end(), response.data.begin(), response.data.end());
        if (data.size() > kMaxChainedResponse) {
            throw TransportError("card answered more than " + std::to_string(kMaxChainedResponse) +
                                 " bytes");
        }
    }
    response.data = std::move(data);
    return response;
}

}  // namespace taplink::apdu
