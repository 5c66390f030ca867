#include "server/server_app.hpp"

#include <unistd.h>

#include <iostream>
#include <thread>

#include "server/http/http_server.hpp"

namespace taplink::server {

namespace {

std::set<std::string, std::less<>> schemesOf(const sim::IssuerKeySet& issuers) {
    std::set<std::string, std::less<>> schemes;
    for (const sim::Issuer& issuer : issuers.issuers) {
        schemes.insert(issuer.scheme);
    }
    return schemes;
}

}  // namespace

ServerApp::ServerApp(ServerConfig config)
    : config_(std::move(config)),
      issuers_(sim::loadIssuerKeys(config_.issuers)),
      store_(config_.database),
      scripts_(config_.scriptsDir, loadScriptSigningKey(config_.scriptSigningKey)),
      deviceApi_(store_, issuers_, scripts_, faults_,
                 DeviceApiSettings{config_.authorizationLifetimeSeconds, config_.maxCardBalance}),
      adminApi_(store_, faults_, AdminApiSettings{config_.maxOrderAmount, schemesOf(issuers_)}),
      tls_(http::makeServerContext(config_.tls)),
      listener_(http::listenOnLoopback(config_.host, config_.port)),
      adminListener_(http::listenOwnerOnly(config_.adminSocket)) {}

std::string ServerApp::deviceUrl() const {
    const bool v6 = config_.host.find(':') != std::string::npos;
    return "https://" + (v6 ? "[" + config_.host + "]" : config_.host) + ":" +
           std::to_string(port());
}

void ServerApp::run(int stopFd) {
    SSL_CTX* context = tls_.get();
    ServerStore& store = store_;
    http::SessionFactory tlsSessions = [context, &store](int fd) -> std::optional<http::Session> {
        std::string failure;
        auto stream = http::TlsStream::accept(context, fd, failure);
        if (!stream) {
            store.recordEvent(
                EventRecord{0, 0, "tls_refused", "", "", "handshake_failed", failure});
            return std::nullopt;
        }
        http::Session session;
        session.peer.certificate = stream->peerCertificate();
        session.stream = std::move(stream);
        return session;
    };
    http::HttpServer devices(std::move(listener_.fd), std::move(tlsSessions),
                             [this](const http::Request& request, const http::Peer& peer) {
                                 return deviceApi_.handle(request, peer);
                             });
    http::HttpServer admin(std::move(adminListener_), http::ownerOnlySessions(),
                           [this](const http::Request& request, const http::Peer& peer) {
                               return adminApi_.handle(request, peer);
                           });
    std::thread adminThread([&admin, stopFd] { admin.run(stopFd); });
    devices.run(stopFd);
    adminThread.join();
    ::unlink(config_.adminSocket.c_str());
}

}  // namespace taplink::server
