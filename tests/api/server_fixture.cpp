#include "server_fixture.hpp"

#include <stdexcept>

#include "api/params.hpp"

namespace taplink::api::test {

void ServerFixture::registerTestMethods() {
    dispatcher.add("test.echo", [](const nlohmann::json& params, CallContext&) { return params; });
    dispatcher.add("test.progress", [](const nlohmann::json& params, CallContext& context) {
        const auto count = params::optionalInteger(params, "count", 0, 1000).value_or(0);
        for (std::int64_t step = 0; step < count; ++step) {
            context.notify("test.progress", {{"step", step}});
        }
        return nlohmann::json{{"done", true}};
    });
    dispatcher.add("test.block", [this](const nlohmann::json&, CallContext& context) {
        if (!gate.wait(context)) {
            throw ApiError(ErrorCode::Cancelled, "the call was cancelled");
        }
        return nlohmann::json("released");
    });
    dispatcher.add("test.fail", [](const nlohmann::json& params, CallContext&) -> nlohmann::json {
        throw apiErrorNamed(params.at("code").get<std::string>(),
                            params.at("message").get<std::string>(),
                            params.value("details", nlohmann::json()));
    });
    dispatcher.add("test.crash", [](const nlohmann::json&, CallContext&) -> nlohmann::json {
        throw std::runtime_error("secret internal detail");
    });
    dispatcher.add("test.size", [](const nlohmann::json& params, CallContext&) {
        return nlohmann::json{{"bytes", params.at("pad").get<std::string>().size()}};
    });
    dispatcher.add("test.order", [](const nlohmann::json& params, CallContext&) {
        params::allowOnly(params, {"orderId"});
        return nlohmann::json{{"orderId", params::requiredString(params, "orderId")}};
    });
}

}  // namespace taplink::api::test
