// CardPort over pcsc-lite: pcscd and whatever readers (and vpcd virtual readers) it has.
#pragma once

#include "service/card_port.hpp"

namespace taplink::service {

class PcscCardPort final : public CardPort {
  public:
    bool available() override;
    std::unique_ptr<Watch> watch(EventSink sink) override;
    std::unique_ptr<apdu::ApduChannel> connect(const std::string& reader,
                                               CardAccess access) override;
};

}  // namespace taplink::service
