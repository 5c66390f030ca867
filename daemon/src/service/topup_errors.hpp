// The one place where failures of the layers below (PC/SC, chip, network, server, script,
// journal) become what a front end is told: an API error code and plain words.
#pragma once

#include <exception>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "taplink/protocol/error_code.hpp"

namespace taplink::service {

// What went wrong, as an API error code (docs/api.md), a message for people and the
// error's details (e.g. wrong_pin's {"pinTriesLeft"}).
class ServiceError : public std::runtime_error {
  public:
    ServiceError(api::ErrorCode code, const std::string& message,
                 nlohmann::json details = nlohmann::json())
        : std::runtime_error(message), code_(code), details_(std::move(details)) {}
    api::ErrorCode code() const { return code_; }
    const nlohmann::json& details() const { return details_; }

  private:
    api::ErrorCode code_;
    nlohmann::json details_;
};

// Maps the exception in flight (call from a catch block) to a ServiceError; `doing` says
// what the daemon was doing ("reading the card").
ServiceError describeFailure(const std::exception_ptr& failure, const std::string& doing);

}  // namespace taplink::service
