// Enrollment and mutual TLS 1.3 with the secure chip on the real test bed (pcscd + vpcd +
// taplink-sim, the chip in the SAM slot): certs/make-pki.sh makes a PKI, taplink-enroll has
// the chip generate its key and sign a CSR, certs/sign-device-csr.sh signs it with the
// device CA, taplink-enroll installs the certificate; then the daemon's chip key (the
// taplink-signer provider over PivDigestSigner over PC/SC) authenticates to a real
// `openssl s_server -tls1_3 -Verify 1` on 127.0.0.1.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "child_process.hpp"
#include "openssl_server.hpp"
#include "taplink/chip/device_key.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/signer_key.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/context.hpp"
#include "temp_dir.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

using CommandResult = testsupport::ShellResult;
using testsupport::runShell;
using testsupport::shellQuoted;

using SslCtxPtr = crypto::OpenSslPtr<SSL_CTX, &SSL_CTX_free>;
using SslPtr = crypto::OpenSslPtr<SSL, &SSL_free>;

constexpr int kChipSlot = 1;
constexpr const char* kPin = "123456";
constexpr const char* kChipSerial = "544C434800000001";
constexpr const char* kSourceDir = TAPLINK_SOURCE_DIR;
constexpr const char* kEnroll = TAPLINK_ENROLL_PATH;

crypto::X509Ptr readPemCertificate(const std::string& path) {
    const std::string pem = testing::readText(path);
    const crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return crypto::X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

Bytes derOf(X509* certificate) {
    Bytes der(static_cast<std::size_t>(i2d_X509(certificate, nullptr)));
    unsigned char* cursor = der.data();
    i2d_X509(certificate, &cursor);
    return der;
}

std::string errorQueue() {
    std::string text;
    const char* data = nullptr;
    int flags = 0;
    for (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags);
         code != 0; code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
        std::array<char, 256> line{};
        ERR_error_string_n(code, line.data(), line.size());
        text += line.data();
        if (data != nullptr && (flags & ERR_TXT_STRING) != 0) {
            text += std::string(" (") + data + ")";
        }
        text += "\n";
    }
    return text;
}

// A TCP connection to 127.0.0.1:port, closed when destroyed.
class Socket {
  public:
    explicit Socket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        timeval timeout{10, 0};  // a bound for a broken server, not a timing assertion
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ =
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() { ::close(fd_); }

    int fd() const { return fd_; }
    bool connected() const { return connected_; }

  private:
    int fd_;
    bool connected_ = false;
};

struct TlsOutcome {
    bool tls13 = false;
    std::string page;    // what s_server -www answered
    std::string errors;  // OpenSSL's error queue, with data
};

// A TLS 1.3 client with the chip key and the device certificate asks s_server -www for its
// status page, which names the client certificate the server accepted.
TlsOutcome fetchStatusPage(std::uint16_t port, EVP_PKEY* chipKey, X509* deviceCertificate,
                           const std::string& rootCaFile) {
    TlsOutcome outcome;
    const SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_min_proto_version(context.get(), TLS1_3_VERSION);
    EXPECT_EQ(SSL_CTX_use_certificate(context.get(), deviceCertificate), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey(context.get(), chipKey), 1) << errorQueue();
    EXPECT_EQ(SSL_CTX_load_verify_locations(context.get(), rootCaFile.c_str(), nullptr), 1);
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    const Socket socket(port);
    EXPECT_TRUE(socket.connected());
    const SslPtr ssl(SSL_new(context.get()));
    SSL_set1_host(ssl.get(), "localhost");
    SSL_set_fd(ssl.get(), socket.fd());
    if (SSL_connect(ssl.get()) == 1) {
        outcome.tls13 = SSL_version(ssl.get()) == TLS1_3_VERSION;
        const std::string request = "GET / HTTP/1.0\r\n\r\n";
        SSL_write(ssl.get(), request.data(), static_cast<int>(request.size()));
        std::array<char, 4096> buffer{};
        for (int read = SSL_read(ssl.get(), buffer.data(), static_cast<int>(buffer.size()));
             read > 0; read = SSL_read(ssl.get(), buffer.data(), static_cast<int>(buffer.size()))) {
            outcome.page.append(buffer.data(), static_cast<std::size_t>(read));
        }
    }
    outcome.errors = errorQueue();
    return outcome;
}

// The daemon's view of the chip: the certificate read from slot 9A and the chip key (the
// taplink-signer provider over PivDigestSigner over PC/SC).
class ChipIdentity {
  public:
    explicit ChipIdentity(const std::string& reader)
        : context_(pcsc::Context::establish()),
          connection_(pcsc::CardConnection::connect(context_, reader)) {
        chip::PivChip piv(connection_);
        EXPECT_TRUE(piv.select());
        const Bytes der = piv.readCertificate();
        const unsigned char* cursor = der.data();
        certificate_.reset(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
        X509_PUBKEY* publicKey = X509_get_X509_PUBKEY(certificate_.get());
        Bytes spki(static_cast<std::size_t>(i2d_X509_PUBKEY(publicKey, nullptr)));
        unsigned char* out = spki.data();
        i2d_X509_PUBKEY(publicKey, &out);
        key_ =
            crypto::makeSignerKey(std::make_shared<chip::PivDigestSigner>(connection_, kPin), spki);
    }

    X509* certificate() const { return certificate_.get(); }
    EVP_PKEY* key() const { return key_.get(); }

  private:
    pcsc::Context context_;
    pcsc::CardConnection connection_;
    crypto::X509Ptr certificate_;
    crypto::PkeyPtr key_;
};

class ChipEnrollment : public ::testing::Test {
  protected:
    testbed::TestBed bed{testbed::oneReader({{kChipSlot, "secure-chip"}})};
    std::string pki = path("pki");

    void SetUp() override {
        ASSERT_TRUE(bed.waitForCard(kChipSlot, true));
        makePki(pki);
    }

    std::string path(const std::string& name) const { return bed.dir() + "/" + name; }

    static void makePki(const std::string& directory) {
        const CommandResult made =
            runShell(shellQuoted(std::string(kSourceDir) + "/certs/make-pki.sh") + " " +
                     shellQuoted(directory));
        ASSERT_EQ(made.status, 0) << made.output;
    }

    CommandResult enroll(const std::string& command, const std::string& pin = kPin) const {
        return runShell("timeout 30 " + shellQuoted(kEnroll) + " " + command + " --reader " +
                        shellQuoted(bed.readerName(kChipSlot)) + " --pin " + pin);
    }

    static CommandResult signCsr(const std::string& pkiDir, const std::string& csr,
                                 const std::string& out) {
        return runShell(shellQuoted(std::string(kSourceDir) + "/certs/sign-device-csr.sh") + " " +
                        shellQuoted(pkiDir) + " " + shellQuoted(csr) + " " + shellQuoted(out));
    }

    // csr, sign with pkiDir's device CA, install: the chip's new certificate file.
    std::string enrollWith(const std::string& pkiDir) {
        const CommandResult csr = enroll("csr --out " + shellQuoted(path("device.csr")));
        EXPECT_EQ(csr.status, 0) << csr.output;
        const CommandResult signedCsr = signCsr(pkiDir, path("device.csr"), path("device.crt"));
        EXPECT_EQ(signedCsr.status, 0) << signedCsr.output;
        const CommandResult installed = enroll("install --cert " + shellQuoted(path("device.crt")));
        EXPECT_EQ(installed.status, 0) << installed.output;
        return path("device.crt");
    }

    std::unique_ptr<ChipIdentity> openChip() const {
        return std::make_unique<ChipIdentity>(bed.readerName(kChipSlot));
    }

    testing::OpensslServer serverTrusting(const std::string& deviceCaFile) const {
        return testing::OpensslServer(
            {"-tls1_3", "-www", "-Verify", "1", "-verify_return_error", "-partial_chain", "-CAfile",
             deviceCaFile, "-cert", pki + "/server.crt", "-key", pki + "/server.key", "-cert_chain",
             pki + "/server-ca.crt"},
            path("s_server.log"));
    }
};

TEST_F(ChipEnrollment, TheEnrolledChipAuthenticatesToAnOpensslTls13Server) {
    const std::string certificateFile = enrollWith(pki);
    const crypto::X509Ptr issued = readPemCertificate(certificateFile);
    ASSERT_TRUE(issued);

    const auto chip = openChip();
    ASSERT_NE(chip->certificate(), nullptr);
    EXPECT_EQ(derOf(chip->certificate()), derOf(issued.get())) << "installed in the chip";

    const auto server = serverTrusting(pki + "/device-ca.crt");
    const TlsOutcome outcome =
        fetchStatusPage(server.port(), chip->key(), chip->certificate(), pki + "/root-ca.crt");
    EXPECT_TRUE(outcome.tls13) << outcome.errors << server.log();
    EXPECT_NE(outcome.page.find("Client certificate"), std::string::npos)
        << outcome.page << outcome.errors << server.log();
    EXPECT_NE(outcome.page.find(std::string("TapLink device ") + kChipSerial), std::string::npos)
        << outcome.page;

    // Unmodified OpenSC reads the new certificate.
    const CommandResult read =
        runShell("timeout 30 pkcs15-tool --reader " + std::to_string(kChipSlot) +
                 " --read-certificate 01 --output " + shellQuoted(path("opensc.pem")));
    ASSERT_EQ(read.status, 0) << read.output;
    const crypto::X509Ptr seenByOpenSc = readPemCertificate(path("opensc.pem"));
    ASSERT_TRUE(seenByOpenSc);
    EXPECT_EQ(derOf(seenByOpenSc.get()), derOf(issued.get()));
}

TEST_F(ChipEnrollment, ACertificateFromAnotherDeviceCaIsRefusedByTheServer) {
    const std::string otherPki = path("other-pki");
    makePki(otherPki);
    enrollWith(otherPki);
    const auto chip = openChip();
    const auto server = serverTrusting(pki + "/device-ca.crt");
    const TlsOutcome outcome =
        fetchStatusPage(server.port(), chip->key(), chip->certificate(), pki + "/root-ca.crt");
    EXPECT_EQ(outcome.page.find("Client certificate"), std::string::npos) << outcome.page;
    EXPECT_FALSE(outcome.errors.empty()) << "the server's alert";
}

TEST_F(ChipEnrollment, EnrollDeviceKeepsTheCertificateUnderTheChipSerial) {
    const CommandResult enrolled =
        runShell("timeout 60 " + shellQuoted(std::string(kSourceDir) + "/certs/enroll-device.sh") +
                 " " + shellQuoted(pki) + " --reader " + shellQuoted(bed.readerName(kChipSlot)) +
                 " --pin " + kPin + " --enroll " + shellQuoted(kEnroll));
    ASSERT_EQ(enrolled.status, 0) << enrolled.output;
    const crypto::X509Ptr kept =
        readPemCertificate(pki + "/devices/" + std::string(kChipSerial) + ".crt");
    ASSERT_TRUE(kept);
    const auto chip = openChip();
    EXPECT_EQ(derOf(chip->certificate()), derOf(kept.get()));
}

TEST_F(ChipEnrollment, InstallRefusesACertificateForAnOldKeyAndAWrongPin) {
    const std::string first = enrollWith(pki);
    const CommandResult again = enroll("csr --out " + shellQuoted(path("again.csr")));
    ASSERT_EQ(again.status, 0) << again.output;  // a new key: the first certificate is stale
    const CommandResult stale = enroll("install --cert " + shellQuoted(first));
    EXPECT_EQ(stale.status, 4) << stale.output;
    EXPECT_NE(stale.output.find("not for the chip's key"), std::string::npos) << stale.output;

    ASSERT_EQ(signCsr(pki, path("again.csr"), path("again.crt")).status, 0);
    const CommandResult wrongPin =
        enroll("install --cert " + shellQuoted(path("again.crt")), "654321");
    EXPECT_EQ(wrongPin.status, 3) << wrongPin.output;
    EXPECT_NE(wrongPin.output.find("wrong PIN, 2 tries left"), std::string::npos)
        << wrongPin.output;
}

// ---- sign-device-csr.sh on CSRs made with the openssl command line (no test bed) ----

class SignDeviceCsr : public ::testing::Test {
  protected:
    void SetUp() override {
        const CommandResult made =
            runShell(shellQuoted(std::string(kSourceDir) + "/certs/make-pki.sh") + " " +
                     shellQuoted(dir_ + "/pki"));
        ASSERT_EQ(made.status, 0) << made.output;
        ASSERT_EQ(
            runShell("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                     shellQuoted(dir_ + "/device.key") +
                     " && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                     shellQuoted(dir_ + "/sam.key"))
                .status,
            0);
        samHex_ = runShell("openssl pkey -in " + shellQuoted(dir_ + "/sam.key") +
                           " -pubout -outform DER | od -An -v -tx1 | tr -d ' \\n'")
                      .output;
    }

    // openssl req for the device key with the subject and -addext arguments; then the script.
    CommandResult signCsrWith(const std::string& subject, const std::string& addext) {
        const std::string csr = dir_ + "/device.csr";
        const CommandResult made =
            runShell("openssl req -new -key " + shellQuoted(dir_ + "/device.key") + " -subj " +
                     shellQuoted(subject) + " " + addext + " -out " + shellQuoted(csr));
        EXPECT_EQ(made.status, 0) << made.output;
        return runShell(shellQuoted(std::string(kSourceDir) + "/certs/sign-device-csr.sh") + " " +
                        shellQuoted(dir_ + "/pki") + " " + shellQuoted(csr) + " " +
                        shellQuoted(dir_ + "/device.crt"));
    }

    std::string samExtension(const std::string& prefix = "") const {
        return "-addext " + shellQuoted("2.25.84704649656041830364308240670639428389=" + prefix +
                                        "DER:" + samHex_);
    }

    testsupport::TempDir temp_{"taplink-sign-csr"};
    std::string dir_ = temp_.path();
    std::string samHex_;
    const std::string subject_ =
        std::string("/O=TapLink/CN=TapLink device ") + kChipSerial + "/serialNumber=" + kChipSerial;
};

TEST_F(SignDeviceCsr, SignsATapLinkDeviceCsrWithTheDeviceCa) {
    const CommandResult signedCsr = signCsrWith(subject_, samExtension());
    ASSERT_EQ(signedCsr.status, 0) << signedCsr.output;
    const CommandResult verified =
        runShell("openssl verify -CAfile " + shellQuoted(dir_ + "/pki/root-ca.crt") +
                 " -untrusted " + shellQuoted(dir_ + "/pki/device-ca.crt") +
                 " -purpose sslclient " + shellQuoted(dir_ + "/device.crt"));
    EXPECT_EQ(verified.status, 0) << verified.output;
    const CommandResult text =
        runShell("openssl x509 -noout -text -in " + shellQuoted(dir_ + "/device.crt"));
    EXPECT_NE(text.output.find("2.25.84704649656041830364308240670639428389"), std::string::npos);
    EXPECT_NE(text.output.find("TLS Web Client Authentication"), std::string::npos);
    EXPECT_NE(text.output.find("CA:FALSE"), std::string::npos);
}

TEST_F(SignDeviceCsr, RefusesAnyOtherExtension) {
    const CommandResult refused =
        signCsrWith(subject_, samExtension() + " -addext 'basicConstraints=critical,CA:TRUE'");
    EXPECT_NE(refused.status, 0);
    EXPECT_NE(refused.output.find("Basic Constraints"), std::string::npos) << refused.output;
    EXPECT_NE(signCsrWith(subject_, samExtension() + " -addext 'subjectAltName=DNS:evil'").status,
              0);
    EXPECT_FALSE(std::ifstream(dir_ + "/device.crt").good()) << "nothing was signed";
}

TEST_F(SignDeviceCsr, RefusesAMissingCriticalOrMalformedSamKeyAndForeignSubjects) {
    EXPECT_NE(signCsrWith(subject_, "").status, 0);
    EXPECT_NE(signCsrWith(subject_, samExtension("critical,")).status, 0);
    EXPECT_NE(
        signCsrWith(subject_, "-addext '2.25.84704649656041830364308240670639428389=DER:3000'")
            .status,
        0);
    EXPECT_NE(signCsrWith("/O=TapLink/CN=TapLink device 544C434800000001/serialNumber="
                          "544C434800000002",
                          samExtension())
                  .status,
              0);
    EXPECT_NE(signCsrWith("/O=Evil/CN=TapLink device 544C434800000001/serialNumber="
                          "544C434800000001",
                          samExtension())
                  .status,
              0);
    EXPECT_FALSE(std::ifstream(dir_ + "/device.crt").good()) << "nothing was signed";
}

TEST_F(SignDeviceCsr, RefusesACsrWhoseSignatureDoesNotVerify) {
    ASSERT_EQ(signCsrWith(subject_, samExtension()).status, 0);
    // Flip a byte of the signature in the DER form and sign that.
    const std::string csr = dir_ + "/device.csr";
    ASSERT_EQ(runShell("openssl req -in " + shellQuoted(csr) + " -outform DER -out " +
                       shellQuoted(dir_ + "/csr.der"))
                  .status,
              0);
    ASSERT_EQ(runShell("printf '\\x00' | dd of=" + shellQuoted(dir_ + "/csr.der") +
                       " bs=1 seek=$(($(stat -c %s " + shellQuoted(dir_ + "/csr.der") +
                       ") - 3)) conv=notrunc status=none && openssl req -inform DER -in " +
                       shellQuoted(dir_ + "/csr.der") + " -out " + shellQuoted(csr))
                  .status,
              0);
    const CommandResult refused = runShell(
        shellQuoted(std::string(kSourceDir) + "/certs/sign-device-csr.sh") + " " +
        shellQuoted(dir_ + "/pki") + " " + shellQuoted(csr) + " " + shellQuoted(dir_ + "/bad.crt"));
    EXPECT_NE(refused.status, 0);
    EXPECT_NE(refused.output.find("does not verify"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace taplink
