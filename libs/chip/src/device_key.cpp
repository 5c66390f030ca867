#include "taplink/chip/device_key.hpp"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <utility>

#include "taplink/chip/device_certificate.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::chip {

namespace {

using crypto::checkOpenSsl;
using Asn1ObjectPtr = crypto::OpenSslPtr<ASN1_OBJECT, &ASN1_OBJECT_free>;
using OctetStringPtr = crypto::OpenSslPtr<ASN1_OCTET_STRING, &ASN1_OCTET_STRING_free>;
using ExtensionPtr = crypto::OpenSslPtr<X509_EXTENSION, &X509_EXTENSION_free>;
using RequestPtr = crypto::OpenSslPtr<X509_REQ, &X509_REQ_free>;

Bytes subjectPublicKeyInfoOf(EVP_PKEY* key) {
    const int size = i2d_PUBKEY(key, nullptr);
    checkOpenSsl(size, "device CSR: i2d_PUBKEY");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* cursor = der.data();
    checkOpenSsl(i2d_PUBKEY(key, &cursor), "device CSR: i2d_PUBKEY");
    return der;
}

void addSubjectEntry(X509_NAME* name, const char* field, const std::string& value) {
    checkOpenSsl(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                            reinterpret_cast<const unsigned char*>(value.c_str()),
                                            -1, -1, 0),
                 std::string("device CSR: subject ") + field);
}

// The TapLink load SAM key extension: extnValue = the SAM key's SubjectPublicKeyInfo.
ExtensionPtr samKeyExtension(ByteView samPublicKeyPoint) {
    const crypto::PkeyPtr samKey =
        crypto::publicKeyFromPoint("EC", crypto::kP256Group, samPublicKeyPoint);
    if (!samKey) {
        throw std::invalid_argument("device CSR: the load SAM key is not a P-256 point");
    }
    const Bytes spki = subjectPublicKeyInfoOf(samKey.get());
    const std::string oid(kSamKeyExtensionOid);
    const Asn1ObjectPtr object(OBJ_txt2obj(oid.c_str(), 1));
    const OctetStringPtr value(ASN1_OCTET_STRING_new());
    checkOpenSsl(object != nullptr && value != nullptr, "device CSR: extension objects");
    checkOpenSsl(ASN1_OCTET_STRING_set(value.get(), spki.data(), static_cast<int>(spki.size())),
                 "device CSR: ASN1_OCTET_STRING_set");
    ExtensionPtr extension(X509_EXTENSION_create_by_OBJ(nullptr, object.get(), 0, value.get()));
    checkOpenSsl(extension != nullptr, "device CSR: X509_EXTENSION_create_by_OBJ");
    return extension;
}

void addExtension(X509_REQ* request, ExtensionPtr extension) {
    STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
    checkOpenSsl(extensions != nullptr, "device CSR: sk_X509_EXTENSION_new_null");
    if (sk_X509_EXTENSION_push(extensions, extension.get()) <= 0) {
        sk_X509_EXTENSION_free(extensions);
        crypto::throwOpenSslError("device CSR: sk_X509_EXTENSION_push");
    }
    static_cast<void>(extension.release());  // the stack owns it now
    const int added = X509_REQ_add_extensions(request, extensions);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
    checkOpenSsl(added, "device CSR: X509_REQ_add_extensions");
}

void signRequest(X509_REQ* request, EVP_PKEY* chipKey) {
    const crypto::MdCtxPtr context(EVP_MD_CTX_new());
    checkOpenSsl(context != nullptr, "device CSR: EVP_MD_CTX_new");
    checkOpenSsl(
        EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, chipKey, nullptr),
        "device CSR: EVP_DigestSignInit_ex");
    checkOpenSsl(X509_REQ_sign_ctx(request, context.get()), "device CSR: signing by the chip");
}

}  // namespace

PivDigestSigner::PivDigestSigner(apdu::ApduChannel& channel, std::string pin)
    : channel_(channel), pin_(std::move(pin)) {}

Bytes PivDigestSigner::signDigest(ByteView digest) {
    PivChip piv(channel_);
    const bool selectedNow = !selected_;
    if (selectedNow) {
        selectPiv(piv);
    }
    try {
        return signWithPin(piv, digest);
    } catch (const WrongPinError&) {
        throw;
    } catch (const PinBlockedError&) {
        throw;
    } catch (const PinRequiredError&) {
        throw;
    } catch (const PivError&) {
        // Another application may have been selected since: select PIV and try once more.
        if (selectedNow) {
            throw;
        }
    }
    selectPiv(piv);
    return signWithPin(piv, digest);
}

void PivDigestSigner::selectPiv(PivChip& piv) {
    selected_ = false;
    if (!piv.select()) {
        throw PivError("SELECT PIV", apdu::sw::kFileNotFound);
    }
    selected_ = true;
}

Bytes PivDigestSigner::signWithPin(PivChip& piv, ByteView digest) {
    try {
        return piv.signDigest(digest);
    } catch (const PinRequiredError&) {
        piv.verifyPin(pin_);
    }
    return piv.signDigest(digest);
}

Bytes makeDeviceCsr(EVP_PKEY* chipKey, ByteView chipSerial, ByteView samPublicKeyPoint) {
    if (chipSerial.empty()) {
        throw std::invalid_argument("device CSR: empty chip serial");
    }
    const std::string serialHex = toHex(chipSerial);
    RequestPtr request(X509_REQ_new());
    checkOpenSsl(request != nullptr, "device CSR: X509_REQ_new");
    checkOpenSsl(X509_REQ_set_version(request.get(), 0), "device CSR: X509_REQ_set_version");
    X509_NAME* subject = X509_REQ_get_subject_name(request.get());
    addSubjectEntry(subject, "O", "TapLink");
    addSubjectEntry(subject, "CN", "TapLink device " + serialHex);
    addSubjectEntry(subject, "serialNumber", serialHex);
    checkOpenSsl(X509_REQ_set_pubkey(request.get(), chipKey), "device CSR: X509_REQ_set_pubkey");
    addExtension(request.get(), samKeyExtension(samPublicKeyPoint));
    signRequest(request.get(), chipKey);

    const int size = i2d_X509_REQ(request.get(), nullptr);
    checkOpenSsl(size, "device CSR: i2d_X509_REQ");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* cursor = der.data();
    checkOpenSsl(i2d_X509_REQ(request.get(), &cursor), "device CSR: i2d_X509_REQ");
    return der;
}

}  // namespace taplink::chip
