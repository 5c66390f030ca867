// Key material for the server tests, made at test time in a temporary folder: the project's
// PKI (certs/make-pki.sh) and device certificates made with the openssl command line the way
// the enrollment makes them (a CSR carrying the TapLink load SAM key extension, signed by
// the device CA), but with software keys: the device key and a P-256 "SAM" key the test
// holds, so it can open the envelopes sealed to it.
#pragma once

#include <string>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "temp_dir.hpp"

namespace taplink::servertest {

using testsupport::TempDir;  // the one temporary folder of the tests (temp_dir.hpp)

inline constexpr const char* kDefaultChipSerial = "544C434800000001";

struct DeviceOptions {
    std::string chipSerial = kDefaultChipSerial;  // hex
    int days = 30;                                // negative: already expired
    bool samExtension = true;
    std::string caCert;  // empty: the PKI's device CA
    std::string caKey;

    static DeviceOptions forChip(std::string chipSerial) {
        DeviceOptions options;
        options.chipSerial = std::move(chipSerial);
        return options;
    }
};

struct Device {
    std::string certificate;  // PEM file
    std::string key;          // PEM file, the device key
    Bytes chipSerial;
    crypto::PkeyPtr deviceKey;
    crypto::PkeyPtr samKey;  // the load SAM key named in the certificate
    Bytes terminalId() const { return Bytes(chipSerial.end() - 6, chipSerial.end()); }
};

class TestPki {
  public:
    // Runs certs/make-pki.sh into dir.
    explicit TestPki(std::string dir);

    const std::string& dir() const { return dir_; }
    std::string file(const std::string& name) const { return dir_ + "/" + name; }

    // A device certificate named name (files name.crt, name.key, name-sam.key).
    Device makeDevice(const std::string& name, const DeviceOptions& options = {}) const;
    // A self-signed CA that the server does not trust: files name.crt and name.key.
    void makeRogueCa(const std::string& name) const;

  private:
    std::string dir_;
};

// A PEM private key file read into an EVP_PKEY; throws std::runtime_error.
crypto::PkeyPtr readPrivateKey(const std::string& path);
// A PEM public key file.
crypto::PkeyPtr readPublicKey(const std::string& path);
// DER ECDSA signature over SHA-256 of data.
Bytes signSha256(EVP_PKEY* key, ByteView data);
bool verifySha256(EVP_PKEY* key, ByteView data, ByteView signature);
std::string readTextFile(const std::string& path);

}  // namespace taplink::servertest
