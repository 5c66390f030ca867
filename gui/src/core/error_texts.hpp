// Every failure the user can meet, in plain words, with what to do about it: taplinkd's error
// codes (docs/api.md "Errors") and the GUI's own (rpc_types.hpp LocalFailure). The one table
// is in error_texts.cpp.
#pragma once

#include <QString>

#include "core/rpc_types.hpp"

namespace taplink::gui {

// What the user was doing when it failed: a code can mean something else there (token.generate's
// invalid_params is the challenge, not an order code).
enum class ErrorTopic {
    General,
    DynamicToken,  // token.generate (token_generator.hpp)
};

struct ErrorText {
    QString what;  // what happened
    QString todo;  // what the user can do about it
};

// The text for a failure, translated: the topic's own text, else the general one; a code
// without a text reads like "internal".
ErrorText describeError(const FailureCode& code, ErrorTopic topic = ErrorTopic::General);
inline ErrorText describeError(const RpcError& error, ErrorTopic topic = ErrorTopic::General) {
    return describeError(error.code, topic);
}

}  // namespace taplink::gui
