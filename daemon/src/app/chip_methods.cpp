// chip.status and chip.sync: the secure chip's managed applets; token.generate: the payment
// applet's dynamic token (docs/api.md).
#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "service/payment_token.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

json appletJson(const service::AppletState& state) {
    json applet{{"applet", chip::mgmt::appletName(state.applet)},
                {"lifecycle", chip::sam::lifecycleName(state.lifecycle)}};
    if (state.applet == chip::mgmt::Applet::Payment) {
        applet["parametersVersion"] = state.parametersVersion.value_or(0);
        applet["keys"] = state.keysPresent.value_or(false);
    }
    return applet;
}

json appletsJson(const std::vector<service::AppletState>& applets) {
    json out = json::array();
    for (const auto& applet : applets) {
        out.push_back(appletJson(applet));
    }
    return out;
}

json jobJson(const service::JobRun& run) {
    json job{{"jobId", run.job.jobId},
             {"applet", run.job.applet},
             {"operation", run.job.operation},
             {"outcome", run.outcome}};
    if (run.statusWord) {
        job["statusWord"] = apdu::statusWordHex(*run.statusWord);
    }
    if (!run.message.empty()) {
        job["message"] = run.message;
    }
    return job;
}

}  // namespace

json chipStatusJson(const std::vector<service::AppletState>& applets) {
    return json{{"applets", appletsJson(applets)}};
}

void registerChipMethods(api::Dispatcher& dispatcher, ChipServices services) {
    dispatcher.add(api::method::kChipStatus, [services](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {});
        return chipStatusJson(services.management.status());
    });
    dispatcher.add(api::method::kChipSync, [services](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {});
        const service::SyncReport report = services.management.sync();
        json jobs = json::array();
        for (const auto& run : report.jobs) {
            jobs.push_back(jobJson(run));
        }
        return json{{"jobs", jobs}, {"applets", appletsJson(report.applets)}};
    });
    dispatcher.add(api::method::kTokenGenerate, [services](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {"challenge"});
        const std::string challenge = api::params::requiredString(params, "challenge");
        const chip::pay::TokenAnswer token =
            service::generatePaymentToken(services.chip, challenge);
        return json{{"code", token.code}, {"counter", token.counter}};
    });
}

}  // namespace taplink::app
