#include "pending_answers.hpp"

#include <optional>

namespace taplink::nm {

namespace {

using nlohmann::json;

// Dropping every nested object and array at the start keeps only the top level's scalars.
bool keepTopLevelScalars(int depth, json::parse_event_t event, json&) {
    return depth == 0 || (event != json::parse_event_t::object_start &&
                          event != json::parse_event_t::array_start);
}

// The message's id as a set key, when it has one a reply can carry (JSON-RPC 2.0 section 4).
std::optional<std::string> replyIdOf(const json& topLevel) {
    if (!topLevel.is_object()) {
        return std::nullopt;
    }
    const auto id = topLevel.find("id");
    if (id == topLevel.end() || !(id->is_string() || id->is_number() || id->is_null())) {
        return std::nullopt;
    }
    return id->dump();
}

}  // namespace

json readTopLevel(std::string_view text) {
    return json::parse(text, keepTopLevelScalars, false);
}

void PendingAnswers::requestSent(const json& topLevel) {
    if (auto id = replyIdOf(topLevel)) {
        ids_.insert(std::move(*id));
    }
}

void PendingAnswers::replyReceived(const json& topLevel) {
    const auto id = replyIdOf(topLevel);
    if (!id) {
        return;
    }
    if (const auto found = ids_.find(*id); found != ids_.end()) {
        ids_.erase(found);
    }
}

}  // namespace taplink::nm
