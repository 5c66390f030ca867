// An ApduChannel straight into a taplink-sim virtual card, in process (no pcscd), for tests.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "card/virtual_card.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"

namespace taplink::testing {

// Carries encoded APDUs into a virtual card and follows 61xx with GET RESPONSE, as a PC/SC
// connection does.
class VirtualCardChannel : public apdu::ApduChannel {
  public:
    explicit VirtualCardChannel(std::shared_ptr<sim::VirtualCard> card) : card_(std::move(card)) {}

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        auto response = apdu::ResponseApdu::parse(card_->process(command.encode()));
        Bytes data = response.data;
        while (response.sw1() == apdu::sw::kMoreDataSw1) {
            const std::size_t more = response.sw2() == 0 ? apdu::kMaxShortLe : response.sw2();
            const apdu::CommandApdu getResponse{0x00, apdu::kInsGetResponse, 0x00, 0x00, {}, more};
            response = apdu::ResponseApdu::parse(card_->process(getResponse.encode()));
            data.insert(data.end(), response.data.begin(), response.data.end());
        }
        return apdu::ResponseApdu{std::move(data), response.sw};
    }

  private:
    std::shared_ptr<sim::VirtualCard> card_;
};

}  // namespace taplink::testing
