// The card side of an applet's management channel (docs/chip.md, "Chip management"): the
// SCP03 handshake and MANAGE of the load SAM and the payment applet, written once. The
// applet keeps its own state; this component answers INITIALIZE UPDATE and EXTERNAL
// AUTHENTICATE, unwraps MANAGE for the applet's handler and wraps its answer. The channel
// closes on a reset, on any SELECT, and on any failure of the secure messaging.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "card/file_system.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/gp/secure_channel.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::sim {

class ManagementChannel {
  public:
    // Stores the new sequence counter in the applet's state file before the INITIALIZE
    // UPDATE answer goes out; throws when it cannot (the card then answers 6F00).
    using CounterStore = std::function<void(std::uint32_t)>;
    // The MANAGE data after C-DEC -> the plain answer (status TLVs and 9000, or a refusal).
    using ManageHandler = std::function<ResponseApdu(ByteView plainData)>;

    // The chip's keys for this applet derive from the TSM master (mgmt::deriveManagementKeys).
    // sequenceCounter: the last one used, as the state file has it (0 for a new chip).
    ManagementChannel(const protocol::TsmMasterKey& tsmKeys, chip::mgmt::Applet applet,
                      ByteView chipSerial, std::uint32_t sequenceCounter, CounterStore store);

    // INITIALIZE UPDATE (80 50), EXTERNAL AUTHENTICATE (84 82), MANAGE (84 E2), and the
    // refused plain MANAGE and withdrawn SET LIFECYCLE (80 E2, 80 32 -> 6982); nullopt for
    // every other command.
    std::optional<ResponseApdu> process(const CommandApdu& command, const ManageHandler& manage);
    void close() { channel_.close(); }
    bool isOpen() const { return channel_.isOpen(); }
    std::uint32_t sequenceCounter() const { return channel_.sequenceCounter(); }

  private:
    ResponseApdu initializeUpdate(const CommandApdu& command);
    ResponseApdu externalAuthenticate(const CommandApdu& command);
    ResponseApdu secured(const CommandApdu& command, const ManageHandler& manage);

    gp::CardChannel channel_;
    CounterStore store_;
};

}  // namespace taplink::sim
