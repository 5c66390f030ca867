// Keys and X.509 certificates made at test time with the OpenSSL API, for the TLS, CSR and
// device certificate tests. Nothing here is ever written into the repository.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <utility>
#include <vector>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::testing {

using crypto::PkeyPtr;
using crypto::X509Ptr;

inline PkeyPtr newP256Key() {
    return crypto::generateKey("EC", crypto::kP256Group);
}

// The key's DER SubjectPublicKeyInfo.
inline Bytes spkiDer(EVP_PKEY* key) {
    const int size = i2d_PUBKEY(key, nullptr);
    crypto::checkOpenSsl(size, "test: i2d_PUBKEY");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* cursor = der.data();
    crypto::checkOpenSsl(i2d_PUBKEY(key, &cursor), "test: i2d_PUBKEY");
    return der;
}

inline Bytes certificateDer(X509* certificate) {
    const int size = i2d_X509(certificate, nullptr);
    crypto::checkOpenSsl(size, "test: i2d_X509");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* cursor = der.data();
    crypto::checkOpenSsl(i2d_X509(certificate, &cursor), "test: i2d_X509");
    return der;
}

inline X509Ptr certificateFromDer(const Bytes& der) {
    const unsigned char* cursor = der.data();
    return X509Ptr(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
}

// An extension given by OID (dotted text) and the DER inside its extnValue.
struct RawExtension {
    std::string oid;
    Bytes value;
};

struct CertificateSpec {
    // Subject attributes in order, e.g. {{"O", "TapLink"}, {"CN", "x"}}.
    std::vector<std::pair<std::string, std::string>> subject;
    EVP_PKEY* publicKey = nullptr;
    bool isCa = false;
    std::string extendedKeyUsage;  // e.g. "clientAuth"; empty: none
    std::vector<RawExtension> extensions;
    // Issuer certificate and key; a null issuer certificate makes a self-signed one (signed
    // by issuerKey, which must then be publicKey's private key).
    X509* issuer = nullptr;
    EVP_PKEY* issuerKey = nullptr;
};

inline void addConfExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    crypto::checkOpenSsl(extension != nullptr, "test: X509V3_EXT_conf_nid");
    const int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    crypto::checkOpenSsl(added, "test: X509_add_ext");
}

inline void addRawExtension(X509* certificate, const RawExtension& raw) {
    using ObjectPtr = crypto::OpenSslPtr<ASN1_OBJECT, &ASN1_OBJECT_free>;
    using OctetsPtr = crypto::OpenSslPtr<ASN1_OCTET_STRING, &ASN1_OCTET_STRING_free>;
    const ObjectPtr object(OBJ_txt2obj(raw.oid.c_str(), 1));
    const OctetsPtr value(ASN1_OCTET_STRING_new());
    crypto::checkOpenSsl(object && value, "test: extension objects");
    crypto::checkOpenSsl(
        ASN1_OCTET_STRING_set(value.get(), raw.value.data(), static_cast<int>(raw.value.size())),
        "test: ASN1_OCTET_STRING_set");
    X509_EXTENSION* extension = X509_EXTENSION_create_by_OBJ(nullptr, object.get(), 0, value.get());
    crypto::checkOpenSsl(extension != nullptr, "test: X509_EXTENSION_create_by_OBJ");
    const int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    crypto::checkOpenSsl(added, "test: X509_add_ext");
}

inline X509Ptr makeCertificate(const CertificateSpec& spec) {
    static long serial = 1;
    X509Ptr certificate(X509_new());
    crypto::checkOpenSsl(certificate != nullptr, "test: X509_new");
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
    X509_NAME* name = X509_get_subject_name(certificate.get());
    for (const auto& [field, value] : spec.subject) {
        crypto::checkOpenSsl(X509_NAME_add_entry_by_txt(
                                 name, field.c_str(), MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0),
                             "test: subject " + field);
    }
    X509* issuer = spec.issuer != nullptr ? spec.issuer : certificate.get();
    crypto::checkOpenSsl(X509_set_issuer_name(certificate.get(), X509_get_subject_name(issuer)),
                         "test: X509_set_issuer_name");
    crypto::checkOpenSsl(X509_set_pubkey(certificate.get(), spec.publicKey),
                         "test: X509_set_pubkey");
    addConfExtension(certificate.get(), issuer, NID_basic_constraints,
                     spec.isCa ? "critical,CA:TRUE" : "critical,CA:FALSE");
    addConfExtension(certificate.get(), issuer, NID_key_usage,
                     spec.isCa ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    if (!spec.extendedKeyUsage.empty()) {
        addConfExtension(certificate.get(), issuer, NID_ext_key_usage, spec.extendedKeyUsage);
    }
    addConfExtension(certificate.get(), issuer, NID_subject_key_identifier, "hash");
    for (const auto& raw : spec.extensions) {
        addRawExtension(certificate.get(), raw);
    }
    crypto::checkOpenSsl(X509_sign(certificate.get(), spec.issuerKey, EVP_sha256()),
                         "test: X509_sign");
    return certificate;
}

// A self-signed CA named "O=TapLink, CN=<commonName>" with its key.
struct TestCa {
    PkeyPtr key;
    X509Ptr certificate;
};

inline TestCa makeCa(const std::string& commonName) {
    TestCa ca{newP256Key(), nullptr};
    CertificateSpec spec;
    spec.subject = {{"O", "TapLink"}, {"CN", commonName}};
    spec.publicKey = ca.key.get();
    spec.isCa = true;
    spec.issuerKey = ca.key.get();
    ca.certificate = makeCertificate(spec);
    return ca;
}

}  // namespace taplink::testing
