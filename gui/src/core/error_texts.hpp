// Every failure the user can meet, in plain words, with what to do about it: taplinkd's error
// codes (docs/api.md "Errors") and the GUI's own (rpc_types.hpp LocalFailure). The one table
// is in error_texts.cpp.
#pragma once

#include <QString>

#include "core/rpc_types.hpp"

namespace taplink::gui {

struct ErrorText {
    QString what;  // what happened
    QString todo;  // what the user can do about it
};

// The text for a failure, translated; a code without its own text reads like "internal".
ErrorText describeError(const FailureCode& code);
inline ErrorText describeError(const RpcError& error) {
    return describeError(error.code);
}

}  // namespace taplink::gui
