// An ApduChannel straight into a taplink-sim virtual card, in process (no pcscd), for tests.
#pragma once

#include <memory>
#include <utility>

#include "card/virtual_card.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/apdu/transport.hpp"

namespace taplink::testing {

// Carries encoded APDUs into a virtual card; 61xx and 6Cxx are handled by the same transport
// code as a PC/SC connection's (taplink/apdu/transport.hpp).
class VirtualCardChannel : public apdu::ApduChannel {
  public:
    explicit VirtualCardChannel(std::shared_ptr<sim::VirtualCard> card) : card_(std::move(card)) {}

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        return apdu::completeExchange(command, [this](const apdu::CommandApdu& apdu) {
            return apdu::ResponseApdu::parse(card_->process(apdu.encode()));
        });
    }

  private:
    std::shared_ptr<sim::VirtualCard> card_;
};

}  // namespace taplink::testing
