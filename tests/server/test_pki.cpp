#include "test_pki.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "child_process.hpp"
#include "taplink/crypto/signatures.hpp"

namespace taplink::servertest {

namespace {

using testsupport::runChecked;

constexpr const char* kSourceDir = TAPLINK_SOURCE_DIR;
constexpr const char* kOpensslConfig = TAPLINK_SOURCE_DIR "/certs/openssl.cnf";
constexpr const char* kSamKeyOid = "2.25.84704649656041830364308240670639428389";

void newKey(const std::string& path) {
    runChecked({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", path});
}

Bytes readBinaryFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

}  // namespace

TestPki::TestPki(std::string dir) : dir_(std::move(dir)) {
    runChecked({"bash", std::string(kSourceDir) + "/certs/make-pki.sh", dir_});
}

Device TestPki::makeDevice(const std::string& name, const DeviceOptions& options) const {
    Device device;
    device.certificate = file(name + ".crt");
    device.key = file(name + ".key");
    const std::string samKey = file(name + "-sam.key");
    const std::string samSpki = file(name + "-sam.der");
    const std::string csr = file(name + ".csr");
    newKey(device.key);
    newKey(samKey);
    runChecked({"openssl", "pkey", "-in", samKey, "-pubout", "-outform", "DER", "-out", samSpki});

    std::vector<std::string> request{"openssl",
                                     "req",
                                     "-new",
                                     "-config",
                                     kOpensslConfig,
                                     "-key",
                                     device.key,
                                     "-subj",
                                     "/O=TapLink/CN=TapLink device " + options.chipSerial +
                                         "/serialNumber=" + options.chipSerial,
                                     "-out",
                                     csr};
    if (options.samExtension) {
        request.push_back("-addext");
        request.push_back(std::string(kSamKeyOid) + "=DER:" + toHex(readBinaryFile(samSpki)));
    }
    runChecked(request);
    runChecked({"openssl",
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                options.caCert.empty() ? file("device-ca.crt") : options.caCert,
                "-CAkey",
                options.caKey.empty() ? file("device-ca.key") : options.caKey,
                "-CAcreateserial",
                "-CAserial",
                file(name + ".srl"),
                "-days",
                std::to_string(options.days),
                "-sha256",
                "-extfile",
                kOpensslConfig,
                "-extensions",
                "device_cert",
                "-copy_extensions",
                "copy",
                "-out",
                device.certificate});
    device.chipSerial = fromHex(options.chipSerial);
    device.deviceKey = readPrivateKey(device.key);
    device.samKey = readPrivateKey(samKey);
    return device;
}

void TestPki::makeRogueCa(const std::string& name) const {
    newKey(file(name + ".key"));
    runChecked({"openssl", "req", "-new", "-x509", "-config", kOpensslConfig, "-key",
                file(name + ".key"), "-subj", "/O=TapLink/CN=TapLink Device CA", "-days", "30",
                "-sha256", "-extensions", "issuing_ca", "-out", file(name + ".crt")});
}

crypto::PkeyPtr readPrivateKey(const std::string& path) {
    const crypto::BioPtr bio(BIO_new_file(path.c_str(), "r"));
    crypto::PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                            : nullptr);
    if (!key) {
        ERR_clear_error();
        throw std::runtime_error("cannot read the private key " + path);
    }
    return key;
}

crypto::PkeyPtr readPublicKey(const std::string& path) {
    const crypto::BioPtr bio(BIO_new_file(path.c_str(), "r"));
    crypto::PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key) {
        ERR_clear_error();
        throw std::runtime_error("cannot read the public key " + path);
    }
    return key;
}

Bytes signSha256(EVP_PKEY* key, ByteView data) {
    return crypto::signSha256(key, data, "test signature");
}

bool verifySha256(EVP_PKEY* key, ByteView data, ByteView signature) {
    return crypto::verifySha256Signature(key, data, signature);
}

std::string readTextFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

}  // namespace taplink::servertest
