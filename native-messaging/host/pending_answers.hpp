// The requests taplink-nm relayed to taplinkd that taplinkd has not answered yet, by id: what
// it still waits for once the browser closed stdin (docs/native-messaging.md, "Bad input and
// endings"). Notifications and events are answers to nothing and are not waited for.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

namespace taplink::nm {

// The JSON text with its top-level scalar members only (what names a JSON-RPC message: id,
// method; params and results are skipped, not built); discarded when it is not JSON (or not
// UTF-8).
nlohmann::json readTopLevel(std::string_view text);

class PendingAnswers {
  public:
    // A message on its way to taplinkd. taplinkd answers every object whose "id" is a
    // string, a number or null exactly once, with that id, even when it is an invalid request
    // (JSON-RPC 2.0 sections 4 and 5).
    void requestSent(const nlohmann::json& topLevel);
    // A message from taplinkd: a reply (it has an "id") answers one request with that id.
    void replyReceived(const nlohmann::json& topLevel);
    bool empty() const { return ids_.empty(); }
    std::size_t size() const { return ids_.size(); }
    void clear() { ids_.clear(); }

  private:
    std::multiset<std::string> ids_;  // serialised, so 7 and "7" differ; a client may reuse one
};

}  // namespace taplink::nm
