// The one mapping from what taplinkd's handlers throw to the API's errors, installed on the
// dispatcher so that no handler needs a wrapper of its own.
#pragma once

#include <exception>

#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::app {

// A service failure keeps its code (service::describeFailure maps the layers below); a
// refused settings change is invalid_params; anything else is internal.
api::ApiError translateFailure(const std::exception_ptr& failure);

}  // namespace taplink::app
