// The port below the daemon's services: everything they need of card readers. The reader
// registry, the chip session, the top-up service and the API handlers reach cards only
// through it, so they run against pcscd (PcscCardPort) or, in tests, against the
// simulator's card and chip models in process.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/pcsc/monitor.hpp"

namespace taplink::service {

enum class CardAccess {
    Shared,  // other programs may talk to the card between our commands
    // Shared, but this connection's commands run as one PC/SC transaction: nobody's commands
    // come between them while it is open (a card read: SELECT, GPO, READ RECORD...).
    SharedAtomic,
    Exclusive,  // nobody else reaches the card until the connection closes
};

// Failures are pcsc::PcscError with the kind a real reader gives (NoCard, CardRemoved,
// SharingViolation, ServiceDown, ...), so every implementation fails alike.
class CardPort {
  public:
    // Runs on a thread of the port's; must not throw.
    using EventSink = std::function<void(const pcsc::ReaderEvent& event)>;

    // Events flow until it is destroyed (never from inside the sink).
    class Watch {
      public:
        virtual ~Watch() = default;
        // Waits until the readers and cards there when the watch began have been reported;
        // false when the time ran out. A port that reports them from watch() itself is done.
        virtual bool waitUntilReported(std::chrono::milliseconds /*timeout*/) { return true; }
    };

    virtual ~CardPort() = default;

    // True when the reader service answers now.
    virtual bool available() = 0;
    // Reports the readers and cards there now as added and inserted, then every change.
    virtual std::unique_ptr<Watch> watch(EventSink sink) = 0;
    // Connects to the card in `reader`; closing the returned channel disconnects.
    virtual std::unique_ptr<apdu::ApduChannel> connect(const std::string& reader,
                                                       CardAccess access) = 0;
};

}  // namespace taplink::service
