#include "taplink/chip/device_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <algorithm>
#include <string>

#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::chip {

namespace {

constexpr std::size_t kTerminalIdSize = 6;
constexpr std::size_t kMaxChipSerialSize = 32;  // as GET CHIP INFO allows

using Asn1ObjectPtr = crypto::OpenSslPtr<ASN1_OBJECT, &ASN1_OBJECT_free>;

bool isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

// The subject's one serialNumber attribute as text.
std::string subjectSerialNumber(const X509* certificate) {
    const X509_NAME* subject = X509_get_subject_name(certificate);
    const int index = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
    if (index < 0) {
        throw DeviceCertificateError("device certificate: the subject has no serialNumber");
    }
    if (X509_NAME_get_index_by_NID(subject, NID_serialNumber, index) >= 0) {
        throw DeviceCertificateError("device certificate: the subject has two serialNumbers");
    }
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, value);
    if (length < 0) {
        ERR_clear_error();
        throw DeviceCertificateError("device certificate: unreadable subject serialNumber");
    }
    std::string text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return text;
}

// The extension's value (the DER inside extnValue); exactly one such extension.
ByteView samKeyExtensionValue(const X509* certificate) {
    const std::string oid(kSamKeyExtensionOid);
    const Asn1ObjectPtr object(OBJ_txt2obj(oid.c_str(), 1));
    if (!object) {
        crypto::throwOpenSslError("device certificate: OBJ_txt2obj(" + oid + ")");
    }
    const int index = X509_get_ext_by_OBJ(certificate, object.get(), -1);
    if (index < 0) {
        throw DeviceCertificateError("device certificate: no TapLink load SAM key extension");
    }
    if (X509_get_ext_by_OBJ(certificate, object.get(), index) >= 0) {
        throw DeviceCertificateError("device certificate: two TapLink load SAM key extensions");
    }
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(certificate, index));
    return {ASN1_STRING_get0_data(value), static_cast<std::size_t>(ASN1_STRING_length(value))};
}

}  // namespace

Bytes chipSerialOf(const X509* certificate) {
    const std::string text = subjectSerialNumber(certificate);
    if (text.empty() || text.size() % 2 != 0 || text.size() > 2 * kMaxChipSerialSize ||
        !std::all_of(text.begin(), text.end(), isHexDigit)) {
        throw DeviceCertificateError("device certificate: subject serialNumber \"" + text +
                                     "\" is not a chip serial in hex");
    }
    return fromHex(text);
}

Bytes samPublicKeyOf(const X509* certificate) {
    const ByteView spki = samKeyExtensionValue(certificate);
    const unsigned char* cursor = spki.data();
    const crypto::PkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(spki.size())));
    if (!key || cursor != spki.data() + spki.size()) {
        ERR_clear_error();
        throw DeviceCertificateError(
            "device certificate: the load SAM key extension is not a SubjectPublicKeyInfo");
    }
    if (!crypto::isP256(key.get())) {
        throw DeviceCertificateError("device certificate: the load SAM key is not a P-256 key");
    }
    return crypto::uncompressedPoint(key.get());
}

Bytes terminalIdOf(ByteView chipSerial) {
    if (chipSerial.size() < kTerminalIdSize) {
        throw std::invalid_argument("a chip serial of " + std::to_string(chipSerial.size()) +
                                    " bytes has no 6-byte terminal id");
    }
    return Bytes(chipSerial.end() - kTerminalIdSize, chipSerial.end());
}

}  // namespace taplink::chip
