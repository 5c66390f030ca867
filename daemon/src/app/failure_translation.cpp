#include "app/failure_translation.hpp"

#include <string>

#include "app/daemon_config.hpp"
#include "service/topup_errors.hpp"

namespace taplink::app {

api::ApiError translateFailure(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const ConfigError& error) {
        return {api::ErrorCode::InvalidParams, std::string("invalid params: ") + error.what()};
    } catch (...) {
        const auto described = service::describeFailure(failure, "");
        return {described.code(), described.what(), described.details()};
    }
}

}  // namespace taplink::app
