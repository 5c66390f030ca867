#include "service/pcsc_card_port.hpp"

#include <optional>
#include <utility>

#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/context.hpp"
#include "taplink/pcsc/errors.hpp"

namespace taplink::service {

namespace {

class MonitorWatch final : public CardPort::Watch {
  public:
    explicit MonitorWatch(CardPort::EventSink sink) : monitor_(std::move(sink)) {
        monitor_.start();
    }
    ~MonitorWatch() override { monitor_.stop(); }
    bool waitUntilReported(std::chrono::milliseconds timeout) override {
        return monitor_.waitUntilReported(timeout);
    }
    MonitorWatch(const MonitorWatch&) = delete;
    MonitorWatch& operator=(const MonitorWatch&) = delete;

  private:
    pcsc::Monitor monitor_;
};

// A connection with the context it needs: the context must outlive it. SharedAtomic holds a
// PC/SC transaction for the connection's life (two card.info at once read each other's
// selections without one).
class ContextConnection final : public apdu::ApduChannel {
  public:
    ContextConnection(const std::string& reader, CardAccess access)
        : context_(pcsc::Context::establish()),
          connection_(pcsc::CardConnection::connect(context_, reader, pcsc::Protocol::Any,
                                                    access == CardAccess::Exclusive
                                                        ? pcsc::ShareMode::Exclusive
                                                        : pcsc::ShareMode::Shared)) {
        if (access == CardAccess::SharedAtomic) {
            transaction_.emplace(connection_.beginTransaction());
        }
    }

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        return connection_.transmit(command);
    }

  private:
    pcsc::Context context_;
    pcsc::CardConnection connection_;
    std::optional<pcsc::Transaction> transaction_;  // ends first: declared last
};

}  // namespace

bool PcscCardPort::available() {
    try {
        const auto context = pcsc::Context::establish();
        return true;
    } catch (const pcsc::PcscError&) {
        return false;
    }
}

std::unique_ptr<CardPort::Watch> PcscCardPort::watch(EventSink sink) {
    return std::make_unique<MonitorWatch>(std::move(sink));
}

std::unique_ptr<apdu::ApduChannel> PcscCardPort::connect(const std::string& reader,
                                                         CardAccess access) {
    return std::make_unique<ContextConnection>(reader, access);
}

}  // namespace taplink::service
