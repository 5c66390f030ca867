#include "applets/piv_applet.hpp"

#include "taplink/base/private_file.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "taplink/chip/piv_protocol.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::sim {

namespace piv = chip::piv;
namespace isw = apdu::sw;

namespace {

using crypto::BignumPtr;
using crypto::BioPtr;
using crypto::PkeyCtxPtr;
using crypto::PkeyPtr;
using crypto::X509Ptr;

constexpr int kCertificateValidityDays = 3650;
constexpr std::size_t kCertificateSerialSize = 16;

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

PkeyPtr generateP256Key() {
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    crypto::checkOpenSsl(context != nullptr, "PIV chip: EVP_PKEY_CTX_new_from_name");
    crypto::checkOpenSsl(EVP_PKEY_keygen_init(context.get()) == 1,
                         "PIV chip: EVP_PKEY_keygen_init");
    crypto::checkOpenSsl(EVP_PKEY_CTX_set_group_name(context.get(), "P-256") == 1,
                         "PIV chip: choosing P-256");
    EVP_PKEY* generated = nullptr;
    crypto::checkOpenSsl(EVP_PKEY_generate(context.get(), &generated) == 1,
                         "PIV chip: P-256 key generation");
    return PkeyPtr(generated);
}

std::string privateKeyToPem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    crypto::checkOpenSsl(bio != nullptr, "PIV chip: BIO_new");
    crypto::checkOpenSsl(
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PIV chip: PEM_write_bio_PrivateKey");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

PkeyPtr privateKeyFromPem(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    crypto::checkOpenSsl(bio != nullptr, "PIV chip: BIO_new_mem_buf");
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    crypto::checkOpenSsl(key != nullptr, "PIV chip: reading the private key");
    return key;
}

X509Ptr certificateFromDer(ByteView der) {
    const unsigned char* cursor = der.data();
    X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
    if (certificate == nullptr || cursor != der.data() + der.size()) {
        return nullptr;
    }
    return certificate;
}

Bytes certificateToDer(X509* certificate) {
    const int size = i2d_X509(certificate, nullptr);
    crypto::checkOpenSsl(size > 0, "PIV chip: i2d_X509");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* cursor = der.data();
    crypto::checkOpenSsl(i2d_X509(certificate, &cursor) == size, "PIV chip: i2d_X509");
    return der;
}

void setRandomSerial(X509* certificate) {
    Bytes serial = crypto::randomBytes(kCertificateSerialSize);
    serial[0] &= 0x7FU;  // a positive INTEGER
    BignumPtr number(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    crypto::checkOpenSsl(number != nullptr, "PIV chip: BN_bin2bn");
    crypto::checkOpenSsl(
        BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate)) != nullptr,
        "PIV chip: BN_to_ASN1_INTEGER");
}

void addExtension(X509* certificate, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    crypto::checkOpenSsl(extension != nullptr, "PIV chip: X509V3_EXT_conf_nid");
    const int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    crypto::checkOpenSsl(added == 1, "PIV chip: X509_add_ext");
}

// The self-signed device certificate a chip is manufactured with (X.509 v3, ECDSA with
// SHA-256, ten years, an end-entity key for digital signatures).
Bytes selfSignedCertificate(EVP_PKEY* key, ByteView chipSerial) {
    X509Ptr certificate(X509_new());
    crypto::checkOpenSsl(certificate != nullptr, "PIV chip: X509_new");
    crypto::checkOpenSsl(X509_set_version(certificate.get(), 2) == 1, "PIV chip: X509_set_version");
    setRandomSerial(certificate.get());
    crypto::checkOpenSsl(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0) != nullptr,
                         "PIV chip: notBefore");
    crypto::checkOpenSsl(X509_time_adj_ex(X509_getm_notAfter(certificate.get()),
                                          kCertificateValidityDays, 0, nullptr) != nullptr,
                         "PIV chip: notAfter");
    crypto::checkOpenSsl(X509_set_pubkey(certificate.get(), key) == 1, "PIV chip: X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(certificate.get());
    const std::string commonName = "TapLink device " + toHex(chipSerial);
    crypto::checkOpenSsl(X509_NAME_add_entry_by_txt(
                             name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("TapLink"), -1, -1, 0) == 1,
                         "PIV chip: subject O");
    crypto::checkOpenSsl(
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                                   -1, 0) == 1,
        "PIV chip: subject CN");
    crypto::checkOpenSsl(X509_set_issuer_name(certificate.get(), name) == 1,
                         "PIV chip: X509_set_issuer_name");
    addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExtension(certificate.get(), NID_key_usage, "critical,digitalSignature");
    addExtension(certificate.get(), NID_subject_key_identifier, "hash");
    crypto::checkOpenSsl(X509_sign(certificate.get(), key, EVP_sha256()) > 0,
                         "PIV chip: X509_sign");
    return certificateToDer(certificate.get());
}

// ECDSA over the given bytes as they are: the caller hashed them (PIV signs digests).
Bytes signDigest(EVP_PKEY* key, ByteView digest) {
    PkeyCtxPtr context(EVP_PKEY_CTX_new(key, nullptr));
    crypto::checkOpenSsl(context != nullptr, "PIV chip: EVP_PKEY_CTX_new");
    crypto::checkOpenSsl(EVP_PKEY_sign_init(context.get()) == 1, "PIV chip: EVP_PKEY_sign_init");
    std::size_t size = 0;
    crypto::checkOpenSsl(
        EVP_PKEY_sign(context.get(), nullptr, &size, digest.data(), digest.size()) == 1,
        "PIV chip: EVP_PKEY_sign");
    Bytes signature(size);
    crypto::checkOpenSsl(
        EVP_PKEY_sign(context.get(), signature.data(), &size, digest.data(), digest.size()) == 1,
        "PIV chip: EVP_PKEY_sign");
    signature.resize(size);
    return signature;
}

// The PIN in a PIN block: the bytes before the FF padding, if the block is well formed.
std::optional<std::string> pinFromBlock(ByteView block) {
    if (block.size() != piv::kPinBlockSize) {
        return std::nullopt;
    }
    std::string pin;
    for (const std::uint8_t byte : block) {
        if (byte == piv::kPinPad) {
            break;
        }
        pin.push_back(static_cast<char>(byte));
    }
    try {
        if (piv::pinBlock(pin) != Bytes(block.begin(), block.end())) {
            return std::nullopt;
        }
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
    return pin;
}

}  // namespace

std::optional<PivState> PivState::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    try {
        const auto state = nlohmann::json::parse(in);
        PivState loaded;
        loaded.privateKeyPem = state.at("private_key_pem").get<std::string>();
        loaded.certificateDer = fromHex(state.at("certificate").get<std::string>());
        loaded.pin = state.at("pin").get<std::string>();
        loaded.pinTriesLeft = state.at("pin_tries_left").get<int>();
        return loaded;
    } catch (const std::exception& error) {
        throw std::runtime_error("chip state " + path + " is unreadable: " + error.what());
    }
}

void PivState::save(const std::string& path) const {
    const nlohmann::json state{{"private_key_pem", privateKeyPem},
                               {"certificate", toHex(certificateDer)},
                               {"pin", pin},
                               {"pin_tries_left", pinTriesLeft}};
    // The file holds a private key: owner-only from its first byte.
    writeFileAtomically(path, state.dump(2) + "\n");
}

PivState manufacturePivState(ByteView chipSerial) {
    const PkeyPtr key = generateP256Key();
    PivState state;
    state.privateKeyPem = privateKeyToPem(key.get());
    state.certificateDer = selfSignedCertificate(key.get(), chipSerial);
    return state;
}

PivApplet::PivApplet(PivConfig config, PivState state)
    : config_(std::move(config)),
      state_(std::move(state)),
      key_(privateKeyFromPem(state_.privateKeyPem)) {}

void PivApplet::onDeselect() {
    pinVerified_ = false;
}

void PivApplet::onReset() {
    pinVerified_ = false;
    chainedData_.clear();
}

// Command chaining collects at most this much (a certificate object is a few kilobytes).
constexpr std::size_t kMaxChainedData = std::size_t{64} * 1024;

std::optional<ResponseApdu> PivApplet::process(const CommandApdu& command, DedicatedFile& /*df*/) {
    if ((command.cla & ~piv::kClaChaining) != piv::kCla) {
        return std::nullopt;
    }
    const bool chainedBefore = !chainedData_.empty() && chainedIns_ == command.ins;
    Bytes data =
        chainedBefore ? concat(std::exchange(chainedData_, {}), command.data) : command.data;
    chainedData_.clear();
    if (data.size() > kMaxChainedData) {
        return status(isw::kWrongLength);  // no object of this applet is anywhere near as big
    }
    if ((command.cla & piv::kClaChaining) != 0) {
        // Not the last command of a chain: keep its data for the next one.
        chainedData_ = std::move(data);
        chainedIns_ = command.ins;
        return status(isw::kOk);
    }
    CommandApdu whole = command;
    whole.data = std::move(data);
    try {
        return dispatch(whole);
    } catch (const std::exception&) {
        return status(isw::kNoPreciseDiagnosis);  // OpenSSL or the state file failed
    }
}

ResponseApdu PivApplet::dispatch(const CommandApdu& command) {
    switch (command.ins) {
        case piv::kInsGetData:
            return getData(command);
        case piv::kInsPutData:
            return putData(command);
        case piv::kInsVerify:
            return verify(command);
        case piv::kInsChangeReferenceData:
            return changeReferenceData(command);
        case piv::kInsGeneralAuthenticate:
            return generalAuthenticate(command);
        case piv::kInsGenerateKeyPair:
            return generateKeyPair(command);
        default:
            return status(isw::kInsNotSupported);
    }
}

ResponseApdu PivApplet::getData(const CommandApdu& command) const {
    if (command.p1 != piv::kP1GetData || command.p2 != piv::kP2GetData) {
        return status(isw::kIncorrectP1P2);
    }
    const auto object = piv::requestedObject(command.data);
    if (!object) {
        return status(isw::kWrongData);
    }
    switch (*object) {
        case piv::kObjectChuid:
            return ResponseApdu{piv::chuidObject(config_.chipSerial), isw::kOk};
        case piv::kObjectAuthenticationCert:
            if (state_.certificateDer.empty()) {
                return status(isw::kFileNotFound);  // a new key awaits its certificate
            }
            return ResponseApdu{piv::certificateObject(state_.certificateDer), isw::kOk};
        case piv::kObjectCcc:
            return ResponseApdu{piv::cccObject(config_.chipSerial), isw::kOk};
        case piv::kObjectDiscovery:
            return ResponseApdu{piv::discoveryObject(), isw::kOk};
        case piv::kObjectKeyHistory:
            return ResponseApdu{piv::keyHistoryObject(), isw::kOk};
        default:
            return status(isw::kFileNotFound);
    }
}

// Only the slot 9A certificate can be written, and only a certificate for the chip's own
// key. SP 800-73-4 guards PUT DATA with the card management key (9B); this chip has none
// and asks for the PIN instead.
ResponseApdu PivApplet::putData(const CommandApdu& command) {
    if (command.p1 != piv::kP1GetData || command.p2 != piv::kP2GetData) {
        return status(isw::kIncorrectP1P2);
    }
    if (!pinVerified_) {
        return status(isw::kSecurityNotSatisfied);
    }
    if (piv::requestedObject(command.data) != piv::kObjectAuthenticationCert) {
        return status(isw::kFunctionNotSupported);
    }
    const auto der = piv::certificateFromPutData(command.data);
    if (!der) {
        return status(isw::kWrongData);
    }
    const X509Ptr certificate = certificateFromDer(*der);
    if (certificate == nullptr || X509_check_private_key(certificate.get(), key_.get()) != 1) {
        return status(isw::kWrongData);
    }
    state_.certificateDer = *der;
    save();
    return status(isw::kOk);
}

ResponseApdu PivApplet::verify(const CommandApdu& command) {
    constexpr std::uint8_t kResetSecurityStatus = 0xFF;  // Part 2 clause 3.2.1, P1 FF
    if ((command.p1 != 0x00 && command.p1 != kResetSecurityStatus) ||
        command.p2 != piv::kPinReference) {
        return status(isw::kIncorrectP1P2);
    }
    if (command.p1 == kResetSecurityStatus) {
        if (!command.data.empty()) {
            return status(isw::kWrongData);
        }
        pinVerified_ = false;
        return status(isw::kOk);
    }
    if (state_.pinTriesLeft <= 0) {
        return status(piv::sw::kPinBlocked);
    }
    if (command.data.empty()) {
        // A status query: verified in this session, or how many tries are left.
        return status(pinVerified_ ? isw::kOk : piv::triesLeftStatus(state_.pinTriesLeft));
    }
    if (command.data.size() != piv::kPinBlockSize) {
        return status(isw::kWrongData);
    }
    if (!pinMatches(command.data)) {
        return wrongPin();
    }
    pinVerified_ = true;
    if (state_.pinTriesLeft != piv::kPinTries) {
        state_.pinTriesLeft = piv::kPinTries;
        save();
    }
    return status(isw::kOk);
}

ResponseApdu PivApplet::changeReferenceData(const CommandApdu& command) {
    if (command.p1 != 0x00 || command.p2 != piv::kPinReference) {
        return status(isw::kIncorrectP1P2);
    }
    if (state_.pinTriesLeft <= 0) {
        return status(piv::sw::kPinBlocked);
    }
    if (command.data.size() != 2 * piv::kPinBlockSize) {
        return status(isw::kWrongData);
    }
    const ByteView data(command.data);
    if (!pinMatches(data.first(piv::kPinBlockSize))) {
        return wrongPin();
    }
    const auto newPin = pinFromBlock(data.last(piv::kPinBlockSize));
    if (!newPin) {
        return status(isw::kWrongData);
    }
    state_.pin = *newPin;
    state_.pinTriesLeft = piv::kPinTries;
    pinVerified_ = true;
    save();
    return status(isw::kOk);
}

ResponseApdu PivApplet::generalAuthenticate(const CommandApdu& command) const {
    if (command.p1 != piv::kAlgorithmEccP256 || command.p2 != piv::kAuthenticationKey) {
        return status(isw::kIncorrectP1P2);
    }
    if (!pinVerified_) {
        return status(isw::kSecurityNotSatisfied);
    }
    const auto digest = piv::challengeFromRequest(command.data);
    if (!digest) {
        return status(isw::kWrongData);
    }
    return ResponseApdu{piv::signatureResponse(signDigest(key_.get(), *digest)), isw::kOk};
}

// A new slot 9A key replaces the old one, and the old key's certificate goes with it.
// SP 800-73-4 guards GENERATE with the card management key (9B); this chip has none and asks
// for the PIN instead, as for PUT DATA. The new state is saved before it is used, so a chip
// never signs with a key it would forget.
ResponseApdu PivApplet::generateKeyPair(const CommandApdu& command) {
    if (command.p1 != 0x00 || command.p2 != piv::kAuthenticationKey) {
        return status(isw::kIncorrectP1P2);
    }
    if (!pinVerified_) {
        return status(isw::kSecurityNotSatisfied);
    }
    const auto algorithm = piv::algorithmFromGenerationRequest(command.data);
    if (!algorithm || *algorithm != piv::kAlgorithmEccP256) {
        return status(isw::kWrongData);
    }
    PkeyPtr key = generateP256Key();
    PivState renewed = state_;
    renewed.privateKeyPem = privateKeyToPem(key.get());
    renewed.certificateDer.clear();
    if (!config_.stateFile.empty()) {
        renewed.save(config_.stateFile);
    }
    state_ = std::move(renewed);
    key_ = std::move(key);
    return ResponseApdu{piv::publicKeyTemplate(crypto::uncompressedPoint(key_.get())), isw::kOk};
}

ResponseApdu PivApplet::wrongPin() {
    pinVerified_ = false;
    state_.pinTriesLeft = std::max(0, state_.pinTriesLeft - 1);
    save();
    return status(piv::triesLeftStatus(state_.pinTriesLeft));
}

bool PivApplet::pinMatches(ByteView block) const {
    const auto pin = pinFromBlock(block);
    return pin && *pin == state_.pin;
}

void PivApplet::save() const {
    if (!config_.stateFile.empty()) {
        state_.save(config_.stateFile);
    }
}

}  // namespace taplink::sim
