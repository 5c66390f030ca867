// Who may talk to taplink-server's device API, and what the server does with bytes that are
// not a request it will read: TLS 1.3 only, a device certificate from the device CA that has
// not expired and is not revoked; malformed HTTP gets a 4xx and the server keeps serving.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "server_fixture.hpp"

namespace taplink::servertest {
namespace {

using nlohmann::json;

class TlsTest : public ServerTest {
  protected:
    // The device API still answers the default device.
    void expectStillServing() const {
        EXPECT_EQ(client->get("/v1/scripts/city-epurse").status, 200);
        EXPECT_EQ(admin("GET", "/admin/orders").status, 200);
    }
    // The first event of that kind, waiting up to 10 s for it to be written; null if none.
    json waitForEvent(const std::string& kind) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        do {
            const json events = admin("GET", "/admin/events").json();
            for (const json& event : events["events"]) {
                if (event["kind"] == kind) {
                    return event;
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } while (std::chrono::steady_clock::now() < deadline);
        ADD_FAILURE() << "no " << kind << " event";
        return nullptr;
    }
    TlsClientOptions deviceOptions() const {
        return TlsClientOptions{pki.file("root-ca.crt"), device.certificate, device.key, false};
    }
};

TEST_F(TlsTest, TheDefaultDeviceIsServedAndRegistered) {
    ASSERT_EQ(client->get("/v1/scripts/city-epurse").status, 200);
    const json devices = admin("GET", "/admin/devices").json()["devices"];
    ASSERT_EQ(devices.size(), 1U);
    EXPECT_EQ(devices[0]["chipSerial"], kDefaultChipSerial);
    EXPECT_EQ(devices[0]["status"], "active");
    EXPECT_NE(devices[0]["subject"].get<std::string>().find("serialNumber=544C434800000001"),
              std::string::npos);
}

TEST_F(TlsTest, NoClientCertificateIsRefusedInTheHandshake) {
    DeviceClient anonymous("https://127.0.0.1:" + std::to_string(port),
                           TlsClientOptions{pki.file("root-ca.crt"), "", "", false});
    const Answer answer = anonymous.get("/v1/scripts/city-epurse");
    EXPECT_NE(answer.code, CURLE_OK);
    EXPECT_EQ(answer.status, 0);
    expectStillServing();
}

TEST_F(TlsTest, ACertificateFromAnotherCaIsRefusedInTheHandshake) {
    pki.makeRogueCa("rogue-ca");
    DeviceOptions options;
    options.caCert = pki.file("rogue-ca.crt");
    options.caKey = pki.file("rogue-ca.key");
    const Device rogue = pki.makeDevice("rogue", options);
    const Answer answer = clientFor(rogue).get("/v1/scripts/city-epurse");
    EXPECT_NE(answer.code, CURLE_OK);
    EXPECT_EQ(answer.status, 0);
    expectStillServing();
}

TEST_F(TlsTest, AnExpiredCertificateIsRefusedInTheHandshake) {
    DeviceOptions options;
    options.days = -1;
    const Device expired = pki.makeDevice("expired", options);
    const Answer answer = clientFor(expired).get("/v1/scripts/city-epurse");
    EXPECT_NE(answer.code, CURLE_OK);
    EXPECT_EQ(answer.status, 0);
    // The server writes the refusal down right after its alert has gone out.
    const json refusal = waitForEvent("tls_refused");
    EXPECT_NE(refusal.value("message", "").find("expired"), std::string::npos) << refusal;
}

TEST_F(TlsTest, TlsTwelveIsRefused) {
    const Answer answer = clientFor(device, true).get("/v1/scripts/city-epurse");
    EXPECT_NE(answer.code, CURLE_OK);
    EXPECT_EQ(answer.status, 0);
    expectStillServing();
}

TEST_F(TlsTest, ARevokedDeviceIsRefused) {
    ASSERT_EQ(client->get("/v1/scripts/city-epurse").status, 200);
    const Answer revoked =
        admin("POST", "/admin/devices/revoke", {{"chipSerial", "544c434800000001"}});
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_EQ(revoked.json()["knownCertificates"], 1);

    const Answer answer = client->get("/v1/scripts/city-epurse");
    EXPECT_EQ(answer.status, 403);
    EXPECT_EQ(answer.errorCode(), "device_revoked");
    // A new certificate for the same chip is revoked too.
    const Device again = pki.makeDevice("again");
    EXPECT_EQ(clientFor(again).get("/v1/scripts/city-epurse").errorCode(), "device_revoked");
    // Another chip is not.
    const Device other = pki.makeDevice("other", DeviceOptions::forChip("544C434800000002"));
    EXPECT_EQ(clientFor(other).get("/v1/scripts/city-epurse").status, 200);

    const json devices = admin("GET", "/admin/devices").json()["devices"];
    EXPECT_EQ(devices.size(), 3U);
    EXPECT_EQ(admin("POST", "/admin/devices/revoke", {{"chipSerial", "xyz"}}).status, 400);
}

TEST_F(TlsTest, ACertificateWithoutTheSamKeyIsNoDevice) {
    DeviceOptions options;
    options.samExtension = false;
    const Device incomplete = pki.makeDevice("incomplete", options);
    const Answer answer = clientFor(incomplete).get("/v1/scripts/city-epurse");
    EXPECT_EQ(answer.status, 403);
    EXPECT_EQ(answer.errorCode(), "device_certificate_invalid");
}

TEST_F(TlsTest, OversizeHeadersAndBodiesGetFourHundredsOverTls) {
    const Answer bigHeader =
        client->get("/v1/scripts/city-epurse", {"X-Padding: " + std::string(20000, 'a')});
    EXPECT_EQ(bigHeader.status, 431);
    EXPECT_EQ(bigHeader.errorCode(), "headers_too_large");
    const Answer bigBody = client->post("/v1/orders/ORD-1/authorize", std::string(70000, ' '));
    EXPECT_EQ(bigBody.status, 413);
    EXPECT_EQ(bigBody.errorCode(), "body_too_large");
    const Answer chunked =
        client->post("/v1/orders/ORD-1/authorize", "{}",
                     {"Content-Type: application/json", "Transfer-Encoding: chunked"});
    EXPECT_EQ(chunked.status, 411);
    const std::string garbage = rawTlsExchange(port, deviceOptions(), "\x16\x03garbage\r\n\r\n");
    EXPECT_EQ(garbage.rfind("HTTP/1.1 400 ", 0), 0U) << garbage;
    expectStillServing();
}

TEST_F(TlsTest, MalformedHttpOnTheAdminSocketGetsFourHundreds) {
    const auto statusOf = [&](const std::string& bytes) {
        const std::string answer = rawUnixExchange(adminSocket(), bytes);
        return answer.substr(0, answer.find("\r\n"));
    };
    EXPECT_EQ(statusOf("garbage\r\n\r\n"), "HTTP/1.1 400 Bad Request");
    EXPECT_EQ(statusOf("GET /admin/orders HTTP/1.1\r\nX: " + std::string(17000, 'a') + "\r\n\r\n"),
              "HTTP/1.1 431 Request Header Fields Too Large");
    EXPECT_EQ(statusOf("POST /admin/orders HTTP/1.1\r\nContent-Length: 70000\r\n\r\n"),
              "HTTP/1.1 413 Content Too Large");
    EXPECT_EQ(statusOf("POST /admin/orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
              "HTTP/1.1 411 Length Required");
    EXPECT_EQ(statusOf("POST /admin/orders HTTP/1.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: 5\r\n\r\n{bad}"),
              "HTTP/1.1 400 Bad Request");
    EXPECT_EQ(statusOf("POST /admin/orders HTTP/1.1\r\nContent-Type: text/plain\r\n"
                       "Content-Length: 2\r\n\r\n{}"),
              "HTTP/1.1 415 Unsupported Media Type");
    EXPECT_EQ(statusOf(std::string("\0\xff\xfe\r\n\r\n", 7)), "HTTP/1.1 400 Bad Request");
    expectStillServing();
}

TEST_F(TlsTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    const std::string answer = rawTlsExchange(
        port, deviceOptions(),
        "GET /v1/scripts/city-epurse HTTP/1.1\r\nHost: localhost\r\n\r\n"
        "GET /v1/scripts/none HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    const auto second = answer.find("HTTP/1.1 404 ");
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0U) << answer;
    EXPECT_NE(second, std::string::npos) << answer;
}

}  // namespace
}  // namespace taplink::servertest
