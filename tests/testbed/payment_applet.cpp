#include "payment_applet.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "taplink/rpc/client.hpp"

namespace taplink::testbed {

using nlohmann::json;

std::string chipSerial(const TopupBed& bed) {
    auto client = api::Client::connect(bed.socketPath());
    return client.call("device.info", json::object()).at("chipSerial").get<std::string>();
}

void applyTsmJob(TopupBed& bed, const std::string& action,
                 const std::vector<std::string>& arguments) {
    std::vector<std::string> command{"tsm", action, "--chip-serial", chipSerial(bed)};
    command.insert(command.end(), arguments.begin(), arguments.end());
    bed.serverCommand(command);
    auto client = api::Client::connect(bed.socketPath());
    api::CallOptions options;
    options.timeout = std::chrono::seconds(60);  // the management channel's script, per job
    const json synced = client.call("chip.sync", json::object(), options);
    for (const auto& job : synced.at("jobs")) {
        if (job.at("outcome") != "done") {
            throw std::runtime_error("the chip did not take a TSM job: " + job.dump());
        }
    }
}

void personalisePaymentApplet(TopupBed& bed, const std::string& cvmLimitYuan) {
    std::vector<std::string> arguments{"--applet", "payment"};
    if (!cvmLimitYuan.empty()) {
        arguments.insert(arguments.end(), {"--cvm", cvmLimitYuan});
    }
    applyTsmJob(bed, "personalise", arguments);
}

}  // namespace taplink::testbed
