// Every failure the user can meet, in plain words, with what to do about it: taplinkd's error
// codes (docs/api.md "Errors"), the GUI's own (rpc_types.hpp localcode) and the demo shop's.
// The one table is in error_texts.cpp.
#pragma once

#include <QString>

#include "core/rpc_types.hpp"

namespace taplink::gui {

struct ErrorText {
    QString what;  // what happened
    QString todo;  // what the user can do about it
};

// The text for an error code, translated; an unknown code reads like "internal" (api.md,
// "Versioning").
ErrorText describeError(const QString& code);
inline ErrorText describeError(const RpcError& error) {
    return describeError(error.code);
}

// Code of a failure to reach the demo shop's order endpoint (merchant_client.hpp).
inline constexpr const char* kMerchantUnreachable = "merchant_unreachable";

}  // namespace taplink::gui
