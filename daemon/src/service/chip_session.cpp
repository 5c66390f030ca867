#include "service/chip_session.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "taplink/chip/device_certificate.hpp"
#include "taplink/chip/device_key.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/crypto/signer_key.hpp"
#include "taplink/pcsc/errors.hpp"

namespace taplink::service {

namespace {

std::string x509Name(const X509_NAME* name) {
    const crypto::BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string isoTime(const ASN1_TIME* time) {
    std::tm parts{};
    if (ASN1_TIME_to_tm(time, &parts) != 1) {
        return {};
    }
    std::array<char, 32> text{};
    const std::size_t length =
        std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
    return std::string(text.data(), length);
}

std::string certificateSha256(const X509* certificate) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    X509_digest(certificate, EVP_sha256(), digest.data(), &length);
    std::string hex = toHex(ByteView(digest.data(), length));
    std::transform(hex.begin(), hex.end(), hex.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return hex;
}

// A connection the card or pcscd broke is dropped; the next command reconnects.
bool breaksConnection(pcsc::ErrorKind kind) {
    return kind == pcsc::ErrorKind::CardRemoved || kind == pcsc::ErrorKind::CardReset ||
           kind == pcsc::ErrorKind::ServiceDown || kind == pcsc::ErrorKind::ReaderUnavailable ||
           kind == pcsc::ErrorKind::NoCard;
}

// The chip itself is gone from its reader: for the caller that is the chip's failure, not a
// card's (pcscd down or a busy reader keep their own kinds).
bool chipLeft(pcsc::ErrorKind kind) {
    return kind == pcsc::ErrorKind::CardRemoved || kind == pcsc::ErrorKind::NoCard ||
           kind == pcsc::ErrorKind::ReaderUnavailable;
}

}  // namespace

class ChipSession::Channel : public apdu::ApduChannel {
  public:
    explicit Channel(ChipSession& session) : session_(session) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        return session_.transmit(command);
    }

  private:
    ChipSession& session_;
};

ChipSession::ChipSession(CardPort& cards, const ReaderRegistry& readers,
                         std::string configuredReader, std::string pin)
    : cards_(cards),
      readers_(readers),
      configuredReader_(std::move(configuredReader)),
      pin_(std::move(pin)),
      channel_(std::make_unique<Channel>(*this)) {}

ChipSession::~ChipSession() = default;

std::unique_lock<std::recursive_mutex> ChipSession::hold() {
    return std::unique_lock(mutex_);
}

apdu::ApduChannel& ChipSession::channel() {
    return *channel_;
}

void ChipSession::reset() {
    const std::lock_guard lock(mutex_);
    connection_.reset();
    cacheIdentity(nullptr);
    clientIdentity_.reset();
}

std::string ChipSession::findChipReader() {
    if (!configuredReader_.empty()) {
        return configuredReader_;
    }
    for (const auto& reader : readers_.readers()) {
        if (!reader.cardPresent) {
            continue;
        }
        try {
            const auto candidate = cards_.connect(reader.name, CardAccess::Shared);
            if (chip::LoadSam(*candidate).select()) {
                return reader.name;
            }
        } catch (const pcsc::PcscError&) {  // NOLINT(bugprone-empty-catch): try the next one
        }
    }
    throw ChipUnavailableError("no reader holds the secure chip (its load SAM application)");
}

apdu::ApduChannel& ChipSession::connection() {
    if (connection_) {
        return *connection_;
    }
    try {
        reader_ = findChipReader();
        connection_ = cards_.connect(reader_, CardAccess::Shared);
    } catch (const pcsc::PcscError& error) {
        connection_.reset();
        throw ChipUnavailableError(std::string("the secure chip cannot be reached: ") +
                                   error.what());
    }
    return *connection_;
}

apdu::ResponseApdu ChipSession::transmit(const apdu::CommandApdu& command) {
    const std::lock_guard lock(mutex_);
    const ScopedTimer timer(busy_);
    try {
        return connection().transmit(command);
    } catch (const pcsc::PcscError& error) {
        if (breaksConnection(error.kind())) {
            connection_.reset();
            cacheIdentity(nullptr);
            clientIdentity_.reset();
        }
        if (chipLeft(error.kind())) {
            throw ChipUnavailableError(std::string("the secure chip left its reader: ") +
                                       error.what());
        }
        throw;
    }
}

std::shared_ptr<const DeviceIdentity> ChipSession::cachedIdentity() const {
    const std::lock_guard lock(identityMutex_);
    return identity_;
}

void ChipSession::cacheIdentity(std::shared_ptr<const DeviceIdentity> identity) {
    const std::lock_guard lock(identityMutex_);
    identity_ = std::move(identity);
}

std::shared_ptr<const DeviceIdentity> ChipSession::identity() {
    // Read without the chip's lock: a snapshot is enough, and the chip may be busy for a
    // whole server call (lock order: chip, then HTTPS).
    if (auto cached = cachedIdentity()) {
        return cached;
    }
    const std::lock_guard lock(mutex_);
    if (auto cached = cachedIdentity()) {
        return cached;
    }
    chip::PivChip piv(*channel_);
    if (!piv.select()) {
        throw ChipUnavailableError("the secure chip has no PIV application");
    }
    Bytes der;
    try {
        der = piv.readCertificate();
    } catch (const chip::PivError& error) {
        throw ChipUnavailableError(
            std::string("the secure chip has no device certificate; enroll it first "
                        "(certs/enroll-device.sh): ") +
            error.what());
    }
    const unsigned char* cursor = der.data();
    crypto::X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
    if (!certificate) {
        throw ChipUnavailableError("the device certificate in the chip is not valid DER X.509");
    }
    chip::LoadSam sam(*channel_);
    if (!sam.select()) {
        throw ChipUnavailableError("the secure chip has no load SAM application");
    }
    const Bytes samSerial = sam.info().chipSerial;
    DeviceIdentity identity;
    identity.reader = reader_;
    try {
        identity.chipSerial = chip::chipSerialOf(certificate.get());
    } catch (const chip::DeviceCertificateError& error) {
        throw ChipUnavailableError(std::string("the device certificate is unusable: ") +
                                   error.what());
    }
    if (identity.chipSerial != samSerial) {
        throw ChipUnavailableError("the device certificate names chip " +
                                   toHex(identity.chipSerial) + " but this chip is " +
                                   toHex(samSerial));
    }
    identity.terminalId = chip::terminalIdOf(identity.chipSerial);
    identity.subject = x509Name(X509_get_subject_name(certificate.get()));
    identity.issuer = x509Name(X509_get_issuer_name(certificate.get()));
    identity.notAfter = isoTime(X509_get0_notAfter(certificate.get()));
    identity.sha256 = certificateSha256(certificate.get());
    identity.certificate = std::move(certificate);
    auto made = std::make_shared<const DeviceIdentity>(std::move(identity));
    cacheIdentity(made);
    return made;
}

std::shared_ptr<const net::ClientIdentity> ChipSession::clientIdentity() {
    const std::lock_guard lock(mutex_);
    if (clientIdentity_) {
        return clientIdentity_;
    }
    const auto device = identity();
    auto identity = std::make_shared<net::ClientIdentity>();
    X509_up_ref(device->certificate.get());
    identity->certificate.reset(device->certificate.get());
    unsigned char* spki = nullptr;
    const int spkiLength = i2d_PUBKEY(X509_get0_pubkey(device->certificate.get()), &spki);
    if (spkiLength <= 0) {
        throw ChipUnavailableError("the device certificate's public key cannot be encoded");
    }
    const Bytes spkiDer(spki, spki + spkiLength);
    OPENSSL_free(spki);
    auto signer = std::make_shared<chip::PivDigestSigner>(*channel_, pin_);
    identity->key = crypto::makeSignerKey(std::move(signer), spkiDer);
    clientIdentity_ = std::move(identity);
    return clientIdentity_;
}

Bytes ChipSession::sign(ByteView message) {
    const Bytes digest = crypto::sha256(message);
    const std::lock_guard lock(mutex_);
    chip::PivDigestSigner signer(*channel_, pin_);
    return signer.signDigest(digest);
}

}  // namespace taplink::service
