// Proof that the secure chip is a PIV card that unmodified OpenSC uses: pkcs15-tool lists
// and reads its certificate, pkcs11-tool logs in with the PIN and signs with its key, and
// the openssl command (not TapLink's code) verifies those signatures against the
// certificate. The chip sits in the SAM slot (slot 1) of the test bed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "cards/secure_chip.hpp"
#include "child_process.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/context.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

constexpr int kChipSlot = 1;

using CommandResult = testsupport::ShellResult;
using testsupport::runShell;
using testsupport::shellQuoted;

// OpenSC's PKCS#11 module, wherever this system's multiarch layout put it.
std::string openScPkcs11Module() {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates{"/usr/lib/opensc-pkcs11.so",
                                     "/usr/lib/pkcs11/opensc-pkcs11.so"};
    std::error_code error;
    for (const auto& entry : fs::directory_iterator("/usr/lib", error)) {
        if (entry.is_directory()) {
            candidates.push_back(entry.path() / "opensc-pkcs11.so");
            candidates.push_back(entry.path() / "pkcs11" / "opensc-pkcs11.so");
        }
    }
    for (const auto& candidate : candidates) {
        if (fs::exists(candidate)) {
            return candidate.string();
        }
    }
    return {};
}

void writeFile(const std::string& path, const Bytes& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

Bytes readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class OpenScInterop : public ::testing::Test {
  protected:
    testbed::TestBed bed{testbed::oneReader({{kChipSlot, "secure-chip"}})};
    std::string module = openScPkcs11Module();
    std::string tokenLabel = "TapLink device " + toHex(sim::defaultChipSerial());

    void SetUp() override {
        ASSERT_TRUE(bed.waitForCard(kChipSlot, true));
        ASSERT_FALSE(module.empty()) << "opensc-pkcs11.so not found (Debian: opensc-pkcs11)";
        // A configuration of our own: no file cache that could hand out another chip's
        // certificate, whatever the machine's /etc/opensc.conf says.
        std::ofstream(path("opensc.conf"))
            << "app default {\n  framework pkcs15 {\n    use_file_caching = no;\n  }\n}\n";
    }

    std::string path(const std::string& name) const { return bed.dir() + "/" + name; }

    // An OpenSC command line with our configuration and a time limit.
    std::string openSc(const std::string& arguments) const {
        return "OPENSC_CONF=" + shellQuoted(path("opensc.conf")) + " timeout 30 " + arguments;
    }

    std::string pkcs15Tool(const std::string& arguments) const {
        return openSc("pkcs15-tool --reader " + std::to_string(kChipSlot) + " " + arguments);
    }

    // The certificate as pkcs15-tool reads it, and its public key, as PEM files.
    void exportCertificateWithOpenSc() {
        const CommandResult exported =
            runShell(pkcs15Tool("--read-certificate 01 --output " + shellQuoted(path("cert.pem"))));
        ASSERT_EQ(exported.status, 0) << exported.output;
        const CommandResult key =
            runShell("timeout 10 openssl x509 -in " + shellQuoted(path("cert.pem")) +
                     " -pubkey -noout -out " + shellQuoted(path("pub.pem")));
        ASSERT_EQ(key.status, 0) << key.output;
    }

    // openssl's verdict on a DER ECDSA signature over the digest file.
    CommandResult opensslVerify(const std::string& digestFile,
                                const std::string& signatureFile) const {
        return runShell("timeout 10 openssl pkeyutl -verify -pubin -inkey " +
                        shellQuoted(path("pub.pem")) + " -in " + shellQuoted(digestFile) +
                        " -sigfile " + shellQuoted(signatureFile));
    }
};

TEST_F(OpenScInterop, Pkcs15ToolListsTheDeviceCertificate) {
    const CommandResult listed = runShell(pkcs15Tool("--list-certificates"));
    EXPECT_EQ(listed.status, 0) << listed.output;
    EXPECT_NE(listed.output.find("Certificate for PIV Authentication"), std::string::npos)
        << listed.output;
    EXPECT_NE(listed.output.find("ID             : 01"), std::string::npos) << listed.output;
}

TEST_F(OpenScInterop, Pkcs11ToolSignsWithTheChipAndOpensslVerifies) {
    const CommandResult digest =
        runShell("printf 'order 42, 50.00' | timeout 10 openssl dgst -sha256 -binary -out " +
                 shellQuoted(path("digest.bin")));
    ASSERT_EQ(digest.status, 0) << digest.output;

    const CommandResult signing = runShell(
        openSc("pkcs11-tool --module " + shellQuoted(module) + " --token-label " +
               shellQuoted(tokenLabel) +
               " --login --pin 123456 --sign --mechanism ECDSA --id 01"
               " --signature-format openssl --input-file " +
               shellQuoted(path("digest.bin")) + " --output-file " + shellQuoted(path("sig.der"))));
    ASSERT_EQ(signing.status, 0) << signing.output;

    exportCertificateWithOpenSc();
    const CommandResult verified = opensslVerify(path("digest.bin"), path("sig.der"));
    EXPECT_EQ(verified.status, 0) << verified.output;
    EXPECT_NE(verified.output.find("Signature Verified Successfully"), std::string::npos)
        << verified.output;

    // The same signature does not verify for another digest.
    writeFile(path("other.bin"), Bytes(32, 0x42));
    EXPECT_NE(opensslVerify(path("other.bin"), path("sig.der")).status, 0);
}

TEST_F(OpenScInterop, Pkcs11ToolLoginWithAWrongPinFails) {
    const CommandResult login =
        runShell(openSc("pkcs11-tool --module " + shellQuoted(module) + " --token-label " +
                        shellQuoted(tokenLabel) + " --login --pin 111111 --list-objects"));
    EXPECT_NE(login.status, 0) << login.output;
    EXPECT_NE(login.output.find("CKR_PIN_INCORRECT"), std::string::npos) << login.output;
}

// The daemon's own driver over pcscd reads the certificate OpenSC reads and makes
// signatures that openssl verifies with it.
TEST_F(OpenScInterop, TheDaemonsDriverSignsThroughPcscAndOpensslVerifies) {
    exportCertificateWithOpenSc();
    const CommandResult der =
        runShell("timeout 10 openssl x509 -in " + shellQuoted(path("cert.pem")) +
                 " -outform DER -out " + shellQuoted(path("cert.der")));
    ASSERT_EQ(der.status, 0) << der.output;

    pcsc::Context context = pcsc::Context::establish();
    auto connection = pcsc::CardConnection::connect(context, bed.readerName(kChipSlot));
    chip::PivChip piv(connection);
    ASSERT_TRUE(piv.select());
    EXPECT_EQ(piv.readCertificate(), readFile(path("cert.der")));

    const Bytes digest(32, 0x5A);
    EXPECT_THROW(piv.signDigest(digest), chip::PinRequiredError);
    piv.verifyPin("123456");
    writeFile(path("digest.bin"), digest);
    writeFile(path("sig.der"), piv.signDigest(digest));
    const CommandResult verified = opensslVerify(path("digest.bin"), path("sig.der"));
    EXPECT_EQ(verified.status, 0) << verified.output;
}

}  // namespace
}  // namespace taplink
