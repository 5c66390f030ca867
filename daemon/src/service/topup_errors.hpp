// The one place where failures of the layers below (PC/SC, chip, network, server, script,
// journal) become what a front end is told: an API error code and plain words.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

#include "taplink/protocol/error_code.hpp"

namespace taplink::service {

// What went wrong, as an API error code (docs/api.md) and a message for people.
class ServiceError : public std::runtime_error {
  public:
    ServiceError(api::ErrorCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    api::ErrorCode code() const { return code_; }

  private:
    api::ErrorCode code_;
};

// Maps the exception in flight (call from a catch block) to a ServiceError; `doing` says
// what the daemon was doing ("reading the card").
ServiceError describeFailure(const std::exception_ptr& failure, const std::string& doing);

}  // namespace taplink::service
