// A WebSocketServer on a free loopback port with an in-process Dispatcher, a CallerGate
// that lets only kAllowedOrigin in, and test methods:
//   test.echo    (web)   -> its params
//   test.whoami  (web)   -> {"transport","caller","origin"} of the calling session
//   test.block   (web)   -> waits on the gate: "released", or ApiError cancelled
//   test.owner   (owner) -> true; a web caller must never reach it
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/websocket_server.hpp"
#include "support.hpp"
#include "ws_client.hpp"

namespace taplink::api::test {

inline constexpr std::string_view kAllowedOrigin = "https://shop.test";

class WebSocketFixture : public ::testing::Test {
  protected:
    Gate gate;
    std::mutex logMutex;
    std::vector<std::string> logLines;
    Dispatcher dispatcher{[this](log::Level /*level*/, std::string_view line) { log(line); }};
    std::unique_ptr<WebSocketServer> server;

    WebSocketFixture();
    ~WebSocketFixture() override { server.reset(); }

    // Port 0 and the log collected here; generous limits unless a test lowers them.
    WebSocketServerOptions options();
    void start() { start(options()); }
    void start(WebSocketServerOptions serverOptions);

    // A TCP connection to the server, no handshake yet.
    WsClient connect(const std::string& address = "127.0.0.1") const;
    // A connection upgraded with the Origin given.
    WsClient open(std::string_view origin = kAllowedOrigin,
                  const std::string& address = "127.0.0.1") const;

    void log(std::string_view line);
    std::string loggedText();

  private:
    void registerTestMethods();
};

}  // namespace taplink::api::test
