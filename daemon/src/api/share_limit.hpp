// Slots that many callers share, each key (an origin, a registrable domain) holding at most
// its share of them, so that one web page cannot take what the others need: the web-call
// limit and the queue of calls that wait for the user's approval of their origin.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace taplink::api {

class ShareLimit {
  public:
    // `total` slots in all; `perKey` at most for any one key.
    ShareLimit(std::size_t total, std::size_t perKey) : total_(total), perKey_(perKey) {}
    ShareLimit(const ShareLimit&) = delete;
    ShareLimit& operator=(const ShareLimit&) = delete;

    // A slot of the key's, given back when its last copy is let go; null when every slot or
    // the key's share is taken. The limit must outlive its slots. Thread-safe.
    std::shared_ptr<const void> take(const std::string& key);

    std::size_t taken() const;

  private:
    void giveBack(const std::string& key);

    const std::size_t total_;
    const std::size_t perKey_;
    mutable std::mutex mutex_;
    std::size_t taken_ = 0;
    std::map<std::string, std::size_t, std::less<>> byKey_;  // keys holding a slot only
};

}  // namespace taplink::api
