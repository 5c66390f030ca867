#include "taplink/crypto/signer_key.hpp"

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <array>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/signatures.hpp"

// The provider's callbacks are C functions called by libcrypto: each one catches everything,
// records it on OpenSSL's error queue and returns OpenSSL's failure value. The layouts of the
// OSSL_PARAMs and the dispatch tables are those of provider-keymgmt(7) and
// provider-signature(7) of OpenSSL 3.0.

namespace taplink::crypto {

namespace {

using MdPtr = OpenSslPtr<EVP_MD, &EVP_MD_free>;

constexpr const char* kProviderName = "taplink-signer";
constexpr const char* kAlgorithmProperties = "provider=taplink-signer";
// The names of OpenSSL's own EC key management: libssl recognises an ECDSA key by them.
constexpr const char* kKeyManagementNames = "EC:id-ecPublicKey:1.2.840.10045.2.1";
constexpr const char* kSignatureNames = "ECDSA";
// A private OSSL_PARAM of EVP_PKEY_fromdata: a pointer to the SignerBinding to attach.
constexpr const char* kBindingParam = "taplink-signer-binding";

constexpr const char* kGroupName = "prime256v1";
constexpr const char* kDigestName = "SHA256";
constexpr std::size_t kPointSize = 65;  // 04 || X || Y
constexpr std::size_t kDigestSize = 32;
constexpr int kBits = 256;
constexpr int kSecurityBits = 128;
// DER ECDSA-Sig-Value for P-256 at its longest: 30 46 { 02 21 r, 02 21 s }.
constexpr std::size_t kMaxSignatureSize = 72;
// RFC 5758 clause 3.2: AlgorithmIdentifier { ecdsa-with-SHA256 } (parameters absent).
constexpr std::array<unsigned char, 12> kEcdsaSha256AlgorithmId = {
    0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02};

// Reason codes of the provider's errors (get_reason_strings).
enum Reason : int {
    kReasonSignerFailed = 1,
    kReasonUnsupported = 2,
    kReasonNoPrivateKey = 3,
    kReasonBadSignature = 4,
    kReasonInternal = 5,
};

const OSSL_ITEM kReasonStrings[] = {
    {kReasonSignerFailed, const_cast<char*>("digest signer failed")},
    {kReasonUnsupported, const_cast<char*>("only ECDSA P-256 with SHA-256 is supported")},
    {kReasonNoPrivateKey, const_cast<char*>("the key has no signer")},
    {kReasonBadSignature, const_cast<char*>("the signer's signature does not verify")},
    {kReasonInternal, const_cast<char*>("internal error")},
    {0, nullptr}};

// What the provider keeps for its lifetime: the core's error functions.
struct ProviderContext {
    const OSSL_CORE_HANDLE* handle = nullptr;
    OSSL_FUNC_core_new_error_fn* newError = nullptr;
    OSSL_FUNC_core_set_error_debug_fn* setErrorDebug = nullptr;
    OSSL_FUNC_core_vset_error_fn* vsetError = nullptr;
};

void setError(const ProviderContext& provider, int reason, const char* format, ...) {
    va_list args;
    va_start(args, format);
    provider.vsetError(provider.handle, static_cast<std::uint32_t>(reason), format, args);
    va_end(args);
}

// Puts a "taplink-signer" error with the message as its data on the queue.
void raiseError(const ProviderContext* provider, Reason reason, const std::string& message) {
    if (provider == nullptr || provider->newError == nullptr || provider->vsetError == nullptr) {
        return;
    }
    provider->newError(provider->handle);
    if (provider->setErrorDebug != nullptr) {
        provider->setErrorDebug(provider->handle, __FILE__, __LINE__, kProviderName);
    }
    setError(*provider, reason, "%s", message.c_str());
}

// Runs a callback body; an exception becomes an OpenSSL error and the failure value.
template <class Body, class Result = decltype(std::declval<Body>()())>
Result guarded(const ProviderContext* provider, Result failure, Body&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& error) {
        raiseError(provider, kReasonInternal, error.what());
    } catch (...) {
        raiseError(provider, kReasonInternal, "unknown exception");
    }
    return failure;
}

// ---- Keys ----

// What makeSignerKey attaches to a key: who signs, and the public key that checks it.
struct SignerBinding {
    std::shared_ptr<DigestSigner> signer;
    PkeyPtr publicKey;  // a key of the default provider, for verification
};

struct KeyData {
    const ProviderContext* provider = nullptr;
    bool hasGroup = false;
    Bytes point;                                   // empty: no public key (yet)
    std::shared_ptr<const SignerBinding> binding;  // null: a public key only
};

bool isP256Name(const char* name) {
    const std::string_view text(name);
    return text == "prime256v1" || text == "P-256" || text == "secp256r1";
}

const KeyData* asKey(const void* keydata) {
    return static_cast<const KeyData*>(keydata);
}

void* keyNew(void* provctx) {
    const auto* provider = static_cast<const ProviderContext*>(provctx);
    return guarded(provider, static_cast<void*>(nullptr), [&]() -> void* {
        auto key = std::make_unique<KeyData>();
        key->provider = provider;
        return key.release();
    });
}

void keyFree(void* keydata) {
    std::unique_ptr<KeyData> owned(static_cast<KeyData*>(keydata));
}

void* keyDup(const void* keydata, int selection) {
    const KeyData* source = asKey(keydata);
    return guarded(source->provider, static_cast<void*>(nullptr), [&]() -> void* {
        auto copy = std::make_unique<KeyData>();
        copy->provider = source->provider;
        copy->hasGroup = source->hasGroup;
        if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0) {
            copy->point = source->point;
        }
        if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) {
            copy->binding = source->binding;
        }
        return copy.release();
    });
}

int keyHas(const void* keydata, int selection) {
    const KeyData* key = asKey(keydata);
    if (key == nullptr) {
        return 0;
    }
    bool has = true;
    if ((selection & OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS) != 0) {
        has = has && key->hasGroup;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0) {
        has = has && !key->point.empty();
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) {
        has = has && key->binding != nullptr;
    }
    return has ? 1 : 0;
}

// Keys match by group and public point; the private half of a signer key is the one that
// belongs to its public point (every signature is checked against it).
int keyMatch(const void* keydata1, const void* keydata2, int selection) {
    const KeyData* a = asKey(keydata1);
    const KeyData* b = asKey(keydata2);
    bool match = true;
    if ((selection & OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS) != 0) {
        match = match && a->hasGroup && b->hasGroup;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0) {
        match = match && !a->point.empty() && a->point == b->point;
    }
    return match ? 1 : 0;
}

bool importGroup(KeyData& key, const OSSL_PARAM params[]) {
    const OSSL_PARAM* group = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (group == nullptr) {
        return key.hasGroup;
    }
    const char* name = nullptr;
    if (OSSL_PARAM_get_utf8_string_ptr(group, &name) != 1 || !isP256Name(name)) {
        raiseError(key.provider, kReasonUnsupported,
                   std::string("group ") + (name != nullptr ? name : "?") + " is not P-256");
        return false;
    }
    key.hasGroup = true;
    return true;
}

bool importPublicKey(KeyData& key, const OSSL_PARAM params[]) {
    const OSSL_PARAM* pub = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
    const void* data = nullptr;
    std::size_t size = 0;
    if (pub == nullptr || OSSL_PARAM_get_octet_string_ptr(pub, &data, &size) != 1) {
        return false;
    }
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    if (size != kPointSize || bytes[0] != 0x04) {
        raiseError(key.provider, kReasonUnsupported, "only uncompressed P-256 points");
        return false;
    }
    key.point.assign(bytes, bytes + size);
    return true;
}

void importBinding(KeyData& key, const OSSL_PARAM params[]) {
    const OSSL_PARAM* binding = OSSL_PARAM_locate_const(params, kBindingParam);
    const void* pointer = nullptr;
    std::size_t size = 0;
    // Only the pointer that makeSignerKey passes, never bytes that merely have the size.
    if (binding != nullptr && binding->data_type == OSSL_PARAM_OCTET_PTR &&
        OSSL_PARAM_get_octet_ptr(binding, &pointer, &size) == 1 &&
        size == sizeof(std::shared_ptr<const SignerBinding>)) {
        key.binding = *static_cast<const std::shared_ptr<const SignerBinding>*>(pointer);
    }
}

int keyImport(void* keydata, int selection, const OSSL_PARAM params[]) {
    auto* key = static_cast<KeyData*>(keydata);
    return guarded(key->provider, 0, [&] {
        if (!importGroup(*key, params)) {
            return 0;
        }
        if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0) {
            if (!importPublicKey(*key, params)) {
                return 0;
            }
            importBinding(*key, params);
        }
        return 1;
    });
}

const OSSL_PARAM kKeyTypes[] = {OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
                                OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
                                OSSL_PARAM_END};

const OSSL_PARAM* keyImportExportTypes(int /*selection*/) {
    return kKeyTypes;
}

// Hands out the group and the public point. The private key is not here: asked for it,
// export fails, which also makes OpenSSL run signatures with this provider's ECDSA.
int keyExport(void* keydata, int selection, OSSL_CALLBACK* callback, void* callbackArgument) {
    auto* key = static_cast<KeyData*>(keydata);
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 && key->binding != nullptr) {
        return 0;
    }
    return guarded(key->provider, 0, [&] {
        std::string group(kGroupName);
        std::array<OSSL_PARAM, 3> params{};
        std::size_t count = 0;
        if (key->hasGroup) {
            params.at(count++) =
                OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0);
        }
        if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0 && !key->point.empty()) {
            params.at(count++) = OSSL_PARAM_construct_octet_string(
                OSSL_PKEY_PARAM_PUB_KEY, key->point.data(), key->point.size());
        }
        params.at(count) = OSSL_PARAM_construct_end();
        return callback(params.data(), callbackArgument);
    });
}

bool setIntParam(OSSL_PARAM params[], const char* name, int value) {
    OSSL_PARAM* param = OSSL_PARAM_locate(params, name);
    return param == nullptr || OSSL_PARAM_set_int(param, value) == 1;
}

bool setTextParam(OSSL_PARAM params[], const char* name, const char* value) {
    OSSL_PARAM* param = OSSL_PARAM_locate(params, name);
    return param == nullptr || OSSL_PARAM_set_utf8_string(param, value) == 1;
}

bool setBytesParam(OSSL_PARAM params[], const char* name, const Bytes& value) {
    OSSL_PARAM* param = OSSL_PARAM_locate(params, name);
    return param == nullptr ||
           (!value.empty() && OSSL_PARAM_set_octet_string(param, value.data(), value.size()) == 1);
}

// What libssl and EVP ask a key: sizes, group, digest, the public point.
int keyGetParams(void* keydata, OSSL_PARAM params[]) {
    const KeyData* key = asKey(keydata);
    const bool ok =
        setIntParam(params, OSSL_PKEY_PARAM_BITS, kBits) &&
        setIntParam(params, OSSL_PKEY_PARAM_SECURITY_BITS, kSecurityBits) &&
        setIntParam(params, OSSL_PKEY_PARAM_MAX_SIZE, static_cast<int>(kMaxSignatureSize)) &&
        setTextParam(params, OSSL_PKEY_PARAM_GROUP_NAME, kGroupName) &&
        setTextParam(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST, kDigestName) &&
        setTextParam(params, OSSL_PKEY_PARAM_MANDATORY_DIGEST, kDigestName) &&
        setTextParam(params, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed") &&
        setTextParam(params, OSSL_PKEY_PARAM_EC_ENCODING, "named_curve") &&
        setBytesParam(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, key->point) &&
        setBytesParam(params, OSSL_PKEY_PARAM_PUB_KEY, key->point);
    return ok ? 1 : 0;
}

const OSSL_PARAM kKeyGettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_MANDATORY_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
    OSSL_PARAM_END};

const OSSL_PARAM* keyGettableParams(void* /*provctx*/) {
    return kKeyGettable;
}

const char* keyQueryOperationName(int operationId) {
    return operationId == OSSL_OP_SIGNATURE ? kSignatureNames : nullptr;
}

template <class Function>
void (*dispatched(Function* function) noexcept)() {
    return reinterpret_cast<void (*)()>(function);
}

const OSSL_DISPATCH kKeyManagementFunctions[] = {
    {OSSL_FUNC_KEYMGMT_NEW, dispatched(&keyNew)},
    {OSSL_FUNC_KEYMGMT_FREE, dispatched(&keyFree)},
    {OSSL_FUNC_KEYMGMT_DUP, dispatched(&keyDup)},
    {OSSL_FUNC_KEYMGMT_HAS, dispatched(&keyHas)},
    {OSSL_FUNC_KEYMGMT_MATCH, dispatched(&keyMatch)},
    {OSSL_FUNC_KEYMGMT_IMPORT, dispatched(&keyImport)},
    {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, dispatched(&keyImportExportTypes)},
    {OSSL_FUNC_KEYMGMT_EXPORT, dispatched(&keyExport)},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, dispatched(&keyImportExportTypes)},
    {OSSL_FUNC_KEYMGMT_GET_PARAMS, dispatched(&keyGetParams)},
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, dispatched(&keyGettableParams)},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, dispatched(&keyQueryOperationName)},
    {0, nullptr}};

// ---- Signatures ----

struct SignatureContext {
    const ProviderContext* provider = nullptr;
    std::shared_ptr<const SignerBinding> binding;
    MdPtr digest;          // SHA-256, for EVP_DigestSign*
    MdCtxPtr digestState;  // the data hashed so far
};

SignatureContext* asContext(void* context) {
    return static_cast<SignatureContext*>(context);
}

void* signatureNewContext(void* provctx, const char* /*propq*/) {
    const auto* provider = static_cast<const ProviderContext*>(provctx);
    return guarded(provider, static_cast<void*>(nullptr), [&]() -> void* {
        auto context = std::make_unique<SignatureContext>();
        context->provider = provider;
        return context.release();
    });
}

void signatureFreeContext(void* context) {
    std::unique_ptr<SignatureContext> owned(asContext(context));
}

void* signatureDupContext(void* context) {
    const SignatureContext* source = asContext(context);
    return guarded(source->provider, static_cast<void*>(nullptr), [&]() -> void* {
        auto copy = std::make_unique<SignatureContext>();
        copy->provider = source->provider;
        copy->binding = source->binding;
        if (source->digest) {
            checkOpenSsl(EVP_MD_up_ref(source->digest.get()), "EVP_MD_up_ref");
            copy->digest.reset(source->digest.get());
        }
        if (source->digestState) {
            copy->digestState.reset(EVP_MD_CTX_new());
            checkOpenSsl(copy->digestState != nullptr, "EVP_MD_CTX_new");
            checkOpenSsl(EVP_MD_CTX_copy_ex(copy->digestState.get(), source->digestState.get()),
                         "EVP_MD_CTX_copy_ex");
        }
        return copy.release();
    });
}

// SHA-256 under any of its names; nullptr (with an error raised) for another digest.
MdPtr fetchSha256(const SignatureContext& context, const char* name) {
    const std::string wanted = name == nullptr || *name == '\0' ? kDigestName : name;
    ERR_set_mark();
    MdPtr digest(EVP_MD_fetch(nullptr, wanted.c_str(), nullptr));
    ERR_pop_to_mark();  // an unknown name is reported below, in our words
    if (!digest || EVP_MD_is_a(digest.get(), "SHA2-256") != 1) {
        raiseError(context.provider, kReasonUnsupported,
                   "digest " + wanted + " is not supported, only SHA-256");
        return nullptr;
    }
    return digest;
}

int signatureSetParams(void* context, const OSSL_PARAM params[]) {
    SignatureContext* signature = asContext(context);
    const OSSL_PARAM* digest = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (digest == nullptr) {
        return 1;
    }
    return guarded(signature->provider, 0, [&] {
        const char* name = nullptr;
        if (OSSL_PARAM_get_utf8_string_ptr(digest, &name) != 1) {
            return 0;
        }
        MdPtr fetched = fetchSha256(*signature, name);
        if (!fetched) {
            return 0;
        }
        if (!signature->digestState) {
            signature->digest = std::move(fetched);
        }
        return 1;
    });
}

// Both inits: a signer key, then the parameters.
int startSigning(SignatureContext& context, void* provkey, const OSSL_PARAM params[]) {
    const KeyData* key = asKey(provkey);
    if (key == nullptr || key->binding == nullptr) {
        raiseError(context.provider, kReasonNoPrivateKey,
                   "a public key of the taplink-signer provider cannot sign");
        return 0;
    }
    context.binding = key->binding;
    context.digestState.reset();
    return signatureSetParams(&context, params);
}

int signatureSignInit(void* context, void* provkey, const OSSL_PARAM params[]) {
    return startSigning(*asContext(context), provkey, params);
}

// The signer's signature over digest into (signature, size) of capacity; 0 when the
// signer fails or its signature does not verify.
int signDigestWithSigner(const SignatureContext& context, ByteView digest, unsigned char* signature,
                         std::size_t* size, std::size_t capacity) {
    Bytes der;
    try {
        der = context.binding->signer->signDigest(digest);
    } catch (const std::exception& error) {
        raiseError(context.provider, kReasonSignerFailed, error.what());
        return 0;
    } catch (...) {
        raiseError(context.provider, kReasonSignerFailed, "unknown exception");
        return 0;
    }
    if (!verifyDigestSignature(context.binding->publicKey.get(), digest, der)) {
        raiseError(context.provider, kReasonBadSignature,
                   "the signature does not verify with the key's public key (is the signer's "
                   "key the certificate's?)");
        return 0;
    }
    if (der.size() > capacity) {
        raiseError(context.provider, kReasonInternal, "signature buffer too small");
        return 0;
    }
    std::memcpy(signature, der.data(), der.size());
    *size = der.size();
    return 1;
}

int signatureSign(void* context, unsigned char* signature, std::size_t* size, std::size_t capacity,
                  const unsigned char* digest, std::size_t digestSize) {
    const SignatureContext* signing = asContext(context);
    if (signature == nullptr) {
        *size = kMaxSignatureSize;
        return 1;
    }
    if (digestSize != kDigestSize) {
        raiseError(
            signing->provider, kReasonUnsupported,
            "signs SHA-256 digests (32 bytes), not " + std::to_string(digestSize) + " bytes");
        return 0;
    }
    return guarded(signing->provider, 0, [&] {
        return signDigestWithSigner(*signing, ByteView(digest, digestSize), signature, size,
                                    capacity);
    });
}

int signatureDigestSignInit(void* context, const char* digestName, void* provkey,
                            const OSSL_PARAM params[]) {
    SignatureContext* signing = asContext(context);
    return guarded(signing->provider, 0, [&] {
        if (startSigning(*signing, provkey, params) != 1) {
            return 0;
        }
        signing->digest = fetchSha256(*signing, digestName);
        if (!signing->digest) {
            return 0;
        }
        signing->digestState.reset(EVP_MD_CTX_new());
        checkOpenSsl(signing->digestState != nullptr, "EVP_MD_CTX_new");
        checkOpenSsl(EVP_DigestInit_ex2(signing->digestState.get(), signing->digest.get(), nullptr),
                     "EVP_DigestInit_ex2");
        return 1;
    });
}

int signatureDigestSignUpdate(void* context, const unsigned char* data, std::size_t size) {
    const SignatureContext* signing = asContext(context);
    if (!signing->digestState) {
        return 0;
    }
    return EVP_DigestUpdate(signing->digestState.get(), data, size);
}

int signatureDigestSignFinal(void* context, unsigned char* signature, std::size_t* size,
                             std::size_t capacity) {
    const SignatureContext* signing = asContext(context);
    if (signature == nullptr) {
        *size = kMaxSignatureSize;
        return 1;
    }
    if (!signing->digestState) {
        return 0;
    }
    return guarded(signing->provider, 0, [&] {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int digestSize = 0;
        checkOpenSsl(EVP_DigestFinal_ex(signing->digestState.get(), digest.data(), &digestSize),
                     "EVP_DigestFinal_ex");
        return signDigestWithSigner(*signing, ByteView(digest.data(), digestSize), signature, size,
                                    capacity);
    });
}

int signatureDigestSign(void* context, unsigned char* signature, std::size_t* size,
                        std::size_t capacity, const unsigned char* data, std::size_t dataSize) {
    if (signature == nullptr) {
        *size = kMaxSignatureSize;
        return 1;
    }
    if (signatureDigestSignUpdate(context, data, dataSize) != 1) {
        return 0;
    }
    return signatureDigestSignFinal(context, signature, size, capacity);
}

int signatureGetParams(void* /*context*/, OSSL_PARAM params[]) {
    OSSL_PARAM* algorithm = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
    if (algorithm != nullptr &&
        OSSL_PARAM_set_octet_string(algorithm, kEcdsaSha256AlgorithmId.data(),
                                    kEcdsaSha256AlgorithmId.size()) != 1) {
        return 0;
    }
    OSSL_PARAM* digest = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (digest != nullptr && OSSL_PARAM_set_utf8_string(digest, kDigestName) != 1) {
        return 0;
    }
    OSSL_PARAM* digestSize = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE);
    if (digestSize != nullptr && OSSL_PARAM_set_size_t(digestSize, kDigestSize) != 1) {
        return 0;
    }
    return 1;
}

const OSSL_PARAM kSignatureGettable[] = {
    OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
    OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, nullptr), OSSL_PARAM_END};

const OSSL_PARAM kSignatureSettable[] = {
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0), OSSL_PARAM_END};

const OSSL_PARAM* signatureGettableParams(void* /*context*/, void* /*provctx*/) {
    return kSignatureGettable;
}

const OSSL_PARAM* signatureSettableParams(void* /*context*/, void* /*provctx*/) {
    return kSignatureSettable;
}

const OSSL_DISPATCH kSignatureFunctions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, dispatched(&signatureNewContext)},
    {OSSL_FUNC_SIGNATURE_FREECTX, dispatched(&signatureFreeContext)},
    {OSSL_FUNC_SIGNATURE_DUPCTX, dispatched(&signatureDupContext)},
    {OSSL_FUNC_SIGNATURE_SIGN_INIT, dispatched(&signatureSignInit)},
    {OSSL_FUNC_SIGNATURE_SIGN, dispatched(&signatureSign)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, dispatched(&signatureDigestSignInit)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, dispatched(&signatureDigestSignUpdate)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, dispatched(&signatureDigestSignFinal)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN, dispatched(&signatureDigestSign)},
    {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, dispatched(&signatureGetParams)},
    {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, dispatched(&signatureGettableParams)},
    {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, dispatched(&signatureSetParams)},
    {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, dispatched(&signatureSettableParams)},
    {0, nullptr}};

// ---- The provider ----

const OSSL_ALGORITHM kKeyManagementAlgorithms[] = {
    {kKeyManagementNames, kAlgorithmProperties, kKeyManagementFunctions,
     "EC P-256 key whose private half is behind a DigestSigner"},
    {nullptr, nullptr, nullptr, nullptr}};

const OSSL_ALGORITHM kSignatureAlgorithms[] = {
    {kSignatureNames, kAlgorithmProperties, kSignatureFunctions,
     "ECDSA P-256 with SHA-256 by a DigestSigner"},
    {nullptr, nullptr, nullptr, nullptr}};

const OSSL_ALGORITHM* providerQueryOperation(void* /*provctx*/, int operationId, int* noCache) {
    *noCache = 0;
    switch (operationId) {
        case OSSL_OP_KEYMGMT:
            return kKeyManagementAlgorithms;
        case OSSL_OP_SIGNATURE:
            return kSignatureAlgorithms;
        default:
            return nullptr;
    }
}

const OSSL_ITEM* providerReasonStrings(void* /*provctx*/) {
    return kReasonStrings;
}

void providerTeardown(void* provctx) {
    std::unique_ptr<ProviderContext> owned(static_cast<ProviderContext*>(provctx));
}

const OSSL_DISPATCH kProviderFunctions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, dispatched(&providerTeardown)},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, dispatched(&providerQueryOperation)},
    {OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, dispatched(&providerReasonStrings)},
    {0, nullptr}};

template <class Function>
Function* coreFunction(const OSSL_DISPATCH* in, int id) {
    for (; in != nullptr && in->function_id != 0; ++in) {
        if (in->function_id == id) {
            return reinterpret_cast<Function*>(in->function);
        }
    }
    return nullptr;
}

int providerInit(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, const OSSL_DISPATCH** out,
                 void** provctx) {
    return guarded(nullptr, 0, [&] {
        auto context = std::make_unique<ProviderContext>();
        context->handle = handle;
        context->newError = coreFunction<OSSL_FUNC_core_new_error_fn>(in, OSSL_FUNC_CORE_NEW_ERROR);
        context->setErrorDebug =
            coreFunction<OSSL_FUNC_core_set_error_debug_fn>(in, OSSL_FUNC_CORE_SET_ERROR_DEBUG);
        context->vsetError =
            coreFunction<OSSL_FUNC_core_vset_error_fn>(in, OSSL_FUNC_CORE_VSET_ERROR);
        *out = kProviderFunctions;
        *provctx = context.release();
        return 1;
    });
}

// The providers this file loaded; released at exit, before OpenSSL's own cleanup (which
// registered its atexit handler earlier, so runs later).
OSSL_PROVIDER* loadedDefaultProvider = nullptr;
OSSL_PROVIDER* loadedSignerProvider = nullptr;

void unloadProviders() {
    OSSL_PROVIDER_unload(std::exchange(loadedSignerProvider, nullptr));
    OSSL_PROVIDER_unload(std::exchange(loadedDefaultProvider, nullptr));
}

void registerProviders() {
    // Loading any provider explicitly turns off the implicit default provider: load it too.
    loadedDefaultProvider = OSSL_PROVIDER_load(nullptr, "default");
    checkOpenSsl(loadedDefaultProvider != nullptr, "signer key: loading the default provider");
    checkOpenSsl(OSSL_PROVIDER_add_builtin(nullptr, kProviderName, &providerInit),
                 "signer key: OSSL_PROVIDER_add_builtin");
    loadedSignerProvider = OSSL_PROVIDER_load(nullptr, kProviderName);
    checkOpenSsl(loadedSignerProvider != nullptr,
                 "signer key: loading the taplink-signer provider");
    std::atexit(unloadProviders);
}

// The binding's public key: a P-256 key of the default provider from the SPKI.
PkeyPtr parseP256PublicKey(ByteView subjectPublicKeyInfoDer) {
    const unsigned char* cursor = subjectPublicKeyInfoDer.data();
    PkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(subjectPublicKeyInfoDer.size())));
    if (!key || cursor != subjectPublicKeyInfoDer.data() + subjectPublicKeyInfoDer.size() ||
        !isP256(key.get())) {
        ERR_clear_error();
        throw CryptoError("signer key: the public key is not a P-256 SubjectPublicKeyInfo");
    }
    return key;
}

}  // namespace

void loadSignerProvider() {
    static std::once_flag once;
    std::call_once(once, registerProviders);
}

PkeyPtr makeSignerKey(std::shared_ptr<DigestSigner> signer, ByteView subjectPublicKeyInfoDer) {
    if (!signer) {
        throw std::invalid_argument("signer key: no signer");
    }
    loadSignerProvider();
    auto binding = std::make_shared<SignerBinding>();
    binding->publicKey = parseP256PublicKey(subjectPublicKeyInfoDer);
    binding->signer = std::move(signer);
    Bytes point = uncompressedPoint(binding->publicKey.get());
    std::shared_ptr<const SignerBinding> attached = std::move(binding);
    void* attachedAddress = &attached;  // what the key management's import reads

    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", kAlgorithmProperties));
    if (!context) {
        throwOpenSslError("signer key: EVP_PKEY_CTX_new_from_name(EC, taplink-signer)");
    }
    checkOpenSsl(EVP_PKEY_fromdata_init(context.get()), "signer key: EVP_PKEY_fromdata_init");
    std::string group(kGroupName);
    std::array<OSSL_PARAM, 4> params = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_octet_ptr(kBindingParam, &attachedAddress, sizeof attached),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* key = nullptr;
    checkOpenSsl(EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_KEYPAIR, params.data()),
                 "signer key: EVP_PKEY_fromdata");
    return PkeyPtr(key);
}

}  // namespace taplink::crypto
