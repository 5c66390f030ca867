#include "api/device_identity.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <ctime>

#include "taplink/chip/device_certificate.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/signatures.hpp"

namespace taplink::server {

namespace {

std::string fingerprintOf(X509* certificate) {
    Bytes digest(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    crypto::checkOpenSsl(X509_digest(certificate, EVP_sha256(), digest.data(), &length),
                         "device certificate: X509_digest");
    digest.resize(length);
    std::string hex = toHex(digest);
    for (char& c : hex) {
        if (c >= 'A' && c <= 'F') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return hex;
}

std::string subjectOf(X509* certificate) {
    const crypto::BioPtr out(BIO_new(BIO_s_mem()));
    if (!out ||
        X509_NAME_print_ex(out.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253) < 0) {
        ERR_clear_error();
        return {};
    }
    char* data = nullptr;
    const long length = BIO_get_mem_data(out.get(), &data);
    return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

std::int64_t notAfterOf(X509* certificate) {
    std::tm time{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &time) != 1) {
        ERR_clear_error();
        return 0;
    }
    return static_cast<std::int64_t>(::timegm(&time));
}

}  // namespace

DeviceIdentity identifyDevice(X509* certificate) {
    DeviceIdentity device;
    device.chipSerial = chip::chipSerialOf(certificate);
    device.chipSerialHex = toHex(device.chipSerial);
    device.samPublicKey = chip::samPublicKeyOf(certificate);
    device.terminalId = chip::terminalIdOf(device.chipSerial);
    device.fingerprint = fingerprintOf(certificate);
    device.subject = subjectOf(certificate);
    device.notAfter = notAfterOf(certificate);
    return device;
}

bool verifyDeviceSignature(X509* certificate, ByteView message, ByteView signature) {
    const bool verified =
        crypto::verifySha256Signature(X509_get0_pubkey(certificate), message, signature);
    ERR_clear_error();  // X509_get0_pubkey's own complaints, if any
    return verified;
}

}  // namespace taplink::server
