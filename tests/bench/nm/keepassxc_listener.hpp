// Stands in for KeePassXC for the benchmark: listens where Debian 12's keepassxc-proxy
// (2.7.4) connects, $XDG_RUNTIME_DIR/app/org.keepassxc.KeePassXC/
// org.keepassxc.KeePassXC.BrowserServer (seen in the binary's strings), and answers every
// message with a fixed reply. keepassxc-proxy relays raw JSON both ways on that socket.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "taplink/base/unique_fd.hpp"

class KeepassxcListener {
  public:
    explicit KeepassxcListener(const std::string& runtimeDir);
    KeepassxcListener(const KeepassxcListener&) = delete;
    KeepassxcListener& operator=(const KeepassxcListener&) = delete;
    ~KeepassxcListener();

    const std::string& socketPath() const { return socketPath_; }

  private:
    void serve();
    // One proxy: answers what it sends until it hangs up.
    void serveConnection(int fd);
    bool waitReadable(int fd) const;

    std::string socketPath_;
    taplink::UniqueFd listener_;
    taplink::UniqueFd stopRead_;
    taplink::UniqueFd stopWrite_;
    std::thread thread_;
};
