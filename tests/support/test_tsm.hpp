// The TSM's (taplink-server's) side of one management job, in process, with the published
// test master key: what POST /v1/tsm/jobs/{id}/open, /authenticate and /result answer
// (docs/server.md, "Chip management"). The script and service tests run the real signed
// chip-manage script against it and taplink-sim's chip.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/gp/secure_channel.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::testing {

class TestTsmJob {
  public:
    TestTsmJob(Bytes chipSerial, chip::mgmt::Applet applet, chip::mgmt::ManageRequest request)
        : chipSerial_(std::move(chipSerial)), applet_(applet), request_(std::move(request)) {}

    // One step by the script's call name: "tsm-open", "tsm-authenticate", "tsm-result".
    nlohmann::json call(std::string_view name, const nlohmann::json& body) {
        if (name == "tsm-open") {
            return open();
        }
        if (name == "tsm-authenticate") {
            return authenticate(body.at("initializeUpdate").get<std::string>());
        }
        if (name == "tsm-result") {
            return result(body.at("statusWord").get<std::uint16_t>(),
                          body.at("answer").get<std::string>());
        }
        throw std::runtime_error("test TSM: no call " + std::string(name));
    }

    // What the chip answered through the channel, once a MANAGE was done.
    std::optional<chip::mgmt::AppletStatus> status;
    std::optional<std::uint16_t> statusWord;

  private:
    nlohmann::json open() {
        const protocol::TsmMasterKey tsm = protocol::testTsmMasterKey();
        Bytes challenge = crypto::randomBytes(gp::kChallengeSize);
        host_.emplace(chip::mgmt::deriveManagementKeys(tsm.master, chip::mgmt::appletAid(applet_),
                                                       chipSerial_),
                      challenge);
        return {{"applet", static_cast<int>(applet_)},
                {"keyVersion", tsm.keyVersion},
                {"hostChallenge", toHex(challenge)}};
    }

    // The EXTERNAL AUTHENTICATE and the wrapped MANAGE at once: the host end counts the
    // channel open (the chip's answer to the first comes back only with the result).
    nlohmann::json authenticate(const std::string& initializeUpdate) {
        const apdu::CommandApdu external = host_->externalAuthenticate(
            apdu::ResponseApdu{fromHex(initializeUpdate), 0x9000}, chip::mgmt::kSecurityLevel);
        host_->confirm(apdu::ResponseApdu{{}, 0x9000});
        const apdu::CommandApdu manage = host_->wrap(chip::mgmt::manage(request_.encode()));
        return {
            {"dataScript",
             {{"format", "taplink-script/1"},
              {"kind", "data"},
              {"target", "chip"},
              {"scheme", "tsm"},
              {"items",
               {{"externalAuthenticate", toHex(external.data)}, {"manage", toHex(manage.data)}}}}}};
    }

    nlohmann::json result(std::uint16_t sw, const std::string& answer) {
        statusWord = sw;
        if (sw != 0x9000) {
            return {{"outcome", "refused"}};
        }
        const apdu::ResponseApdu plain = host_->unwrap(apdu::ResponseApdu{fromHex(answer), sw});
        status = chip::mgmt::AppletStatus::parse(plain.data);
        return {{"outcome", "done"}};
    }

    Bytes chipSerial_;
    chip::mgmt::Applet applet_;
    chip::mgmt::ManageRequest request_;
    std::optional<gp::HostChannel> host_;
};

}  // namespace taplink::testing
