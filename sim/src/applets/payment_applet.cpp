#include "applets/payment_applet.hpp"

#include <optional>
#include <stdexcept>
#include <utility>
#include <variant>

#include "applets/management_channel.hpp"
#include "applets/payment_purchase.hpp"
#include "applets/payment_state.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/chip/chip_management.hpp"

namespace taplink::sim {
namespace {

namespace mgmt = chip::mgmt;
using mgmt::Lifecycle;

// ISO/IEC 7816-4 clause 5.6 (taplink/apdu/apdu.hpp), as the load SAM answers them.
using apdu::sw::kConditionsNotSatisfied;
using apdu::sw::kIncorrectP1P2;
using apdu::sw::kInsNotSupported;
using apdu::sw::kOk;
using apdu::sw::kWrongData;
constexpr std::uint8_t kCla = 0x80;

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

// The state MANAGE asks for, or the status word refusing it (docs/chip.md, "MANAGE"):
// keys and parameters first, the lifecycle last; a parameter version must go up. What the
// applet holds already (same keys, same parameters, same state) is a no-op, so a TSM job
// whose answer was lost can run again.
std::variant<PaymentState, std::uint16_t> managed(PaymentState next,
                                                  const mgmt::ManageRequest& request) {
    if (request.keys) {
        next.keys = request.keys;
    }
    if (request.parameters) {
        if (!mgmt::isAcceptedParameterUpdate(next.parameters, *request.parameters)) {
            return kWrongData;  // no rollback, no other content under a version
        }
        next.parameters = request.parameters;
    }
    if (request.lifecycle) {
        if (!mgmt::isAcceptedLifecycleTarget(next.lifecycle, *request.lifecycle)) {
            return kConditionsNotSatisfied;
        }
        if (*request.lifecycle == Lifecycle::Operational && (!next.keys || !next.parameters)) {
            return kConditionsNotSatisfied;  // operational needs its keys and parameters
        }
        next.lifecycle = *request.lifecycle;
    }
    return next;
}

class PaymentApplet : public Applet {
  public:
    PaymentApplet(Bytes chipSerial, std::string stateFile, const protocol::TsmMasterKey& tsmKeys)
        : chipSerial_(std::move(chipSerial)),
          stateFile_(std::move(stateFile)),
          state_(initialPaymentState(stateFile_)),
          channel_(tsmKeys, mgmt::Applet::Payment, chipSerial_, state_.sequenceCounter,
                   [this](std::uint32_t counter) {
                       state_.sequenceCounter = counter;
                       savePaymentState(state_, stateFile_);
                   }),
          purchase_(chipSerial_, state_, [this](PaymentState next) { commit(std::move(next)); }) {}

    // The SCP03 channel and the purchase context are a session's: a reset or SELECT ends them.
    void onReset() override { endSession(); }
    void onSelect() override { endSession(); }
    void onDeselect() override { endSession(); }
    std::optional<ResponseApdu> process(const CommandApdu& command, DedicatedFile&) override {
        if (auto handled = channel_.process(
                command, [this](ByteView plainData) { return manage(plainData); })) {
            return handled;
        }
        if (command.cla != kCla) {
            return std::nullopt;  // interindustry commands go to the file system
        }
        if (auto handled = purchase_.process(command)) {
            return handled;
        }
        if (command.ins != mgmt::ins::kGetStatus) {
            return status(kInsNotSupported);
        }
        return getStatus(command);
    }

  private:
    void endSession() {
        channel_.close();
        purchase_.dropContext();
    }

    // All or nothing: the file first, then the applet.
    void commit(PaymentState next) {
        savePaymentState(next, stateFile_);
        state_ = std::move(next);
    }

    // 80 30 00 00 00 -> 80 lifecycle, 81 chip serial, 84 parameter version, 85 keys present.
    ResponseApdu getStatus(const CommandApdu& command) const {
        if (command.p1 != 0x00 || command.p2 != 0x00) {
            return status(kIncorrectP1P2);
        }
        return ResponseApdu{currentStatus(std::nullopt).encode(), kOk};
    }

    ResponseApdu manage(ByteView plainData) {
        mgmt::ManageRequest request;
        try {
            request = mgmt::ManageRequest::parse(plainData);
        } catch (const mgmt::ManagementFormatError&) {
            return status(kWrongData);
        }
        if (request.allowanceKey) {
            return status(kWrongData);  // the load SAM's; the payment applet loads nothing
        }
        auto outcome = managed(state_, request);
        if (const auto* refusal = std::get_if<std::uint16_t>(&outcome)) {
            return status(*refusal);
        }
        commit(std::move(std::get<PaymentState>(outcome)));
        purchase_.dropContext();  // its checks were made against the state before
        return ResponseApdu{currentStatus(channel_.sequenceCounter()).encode(), kOk};
    }

    mgmt::AppletStatus currentStatus(std::optional<std::uint32_t> counter) const {
        mgmt::AppletStatus answer;
        answer.lifecycle = state_.lifecycle;
        answer.chipSerial = chipSerial_;
        answer.sequenceCounter = counter;
        answer.parametersVersion = state_.parameters ? state_.parameters->version : 0;
        answer.keysPresent = state_.keys.has_value();
        return answer;
    }

    Bytes chipSerial_;
    std::string stateFile_;
    PaymentState state_;
    ManagementChannel channel_;
    PaymentPurchase purchase_;
};

}  // namespace

std::string paymentStateFile(ByteView chipSerial, const std::string& stateDir) {
    if (stateDir.empty()) {
        return {};
    }
    return stateDir + "/chip-" + toHex(chipSerial) + "/payment.json";
}

DedicatedFile paymentApplication(ByteView chipSerial, const std::string& stateDir,
                                 const protocol::TsmMasterKey& tsmKeys) {
    if (chipSerial.empty() || chipSerial.size() > chip::sam::kMaxChipSerialSize) {
        throw std::invalid_argument("a chip serial is 1..32 bytes");
    }
    DedicatedFile df;
    df.fid = kPaymentFid;
    df.aid = mgmt::appletAid(mgmt::Applet::Payment);
    df.applet = std::make_shared<PaymentApplet>(Bytes(chipSerial.begin(), chipSerial.end()),
                                                paymentStateFile(chipSerial, stateDir), tsmKeys);
    return df;
}

}  // namespace taplink::sim
