#include "applets/load_sam_applet.hpp"

#include "applets/management_channel.hpp"
#include "taplink/base/private_file.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <utility>

#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/aes_gcm.hpp"
#include "taplink/crypto/block_cipher.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/epurse_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/signatures.hpp"

namespace taplink::sim {

namespace {

namespace sam = chip::sam;
namespace mgmt = chip::mgmt;
namespace ep = cards::epurse;
namespace keys = crypto::epurse;
using sam::Lifecycle;

using crypto::MdCtxPtr;
using crypto::Pkcs8Ptr;
using crypto::PkeyCtxPtr;
using crypto::PkeyPtr;

// --- The chip's keys.

// PKCS#8 PrivateKeyInfo, DER.
Bytes privateKeyDer(EVP_PKEY* key) {
    const Pkcs8Ptr info(EVP_PKEY2PKCS8(key));
    if (!info) {
        crypto::throwOpenSslError("load SAM (simulated chip): EVP_PKEY2PKCS8");
    }
    const int length = i2d_PKCS8_PRIV_KEY_INFO(info.get(), nullptr);
    crypto::checkOpenSsl(length, "load SAM (simulated chip): i2d_PKCS8_PRIV_KEY_INFO (size)");
    Bytes der(static_cast<std::size_t>(length));
    unsigned char* cursor = der.data();
    crypto::checkOpenSsl(i2d_PKCS8_PRIV_KEY_INFO(info.get(), &cursor),
                         "load SAM (simulated chip): i2d_PKCS8_PRIV_KEY_INFO");
    return der;
}

PkeyPtr privateKeyFromDer(ByteView der, const char* what) {
    const unsigned char* cursor = der.data();
    PkeyPtr key(d2i_AutoPrivateKey(nullptr, &cursor, static_cast<long>(der.size())));
    if (!key) {
        ERR_clear_error();
        throw std::runtime_error(std::string("load SAM state: unreadable ") + what);
    }
    return key;
}

// --- SM2 signature with SM3 and the default distinguishing identifier.

Bytes sm2Signature(EVP_PKEY* key, ByteView message) {
    const PkeyCtxPtr keyContext(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!keyContext) {
        crypto::throwOpenSslError("load SAM (simulated chip): EVP_PKEY_CTX_new_from_pkey(SM2)");
    }
    crypto::checkOpenSsl(EVP_PKEY_CTX_set1_id(keyContext.get(), sam::kSm2DefaultId.data(),
                                              static_cast<int>(sam::kSm2DefaultId.size())),
                         "load SAM (simulated chip): EVP_PKEY_CTX_set1_id");
    // Declared after keyContext so that it goes first: it only borrows keyContext.
    const MdCtxPtr digestContext(EVP_MD_CTX_new());
    if (!digestContext) {
        crypto::throwOpenSslError("load SAM (simulated chip): EVP_MD_CTX_new");
    }
    EVP_MD_CTX_set_pkey_ctx(digestContext.get(), keyContext.get());
    crypto::checkOpenSsl(EVP_DigestSignInit(digestContext.get(), nullptr, EVP_sm3(), nullptr, key),
                         "load SAM (simulated chip): EVP_DigestSignInit(SM2, SM3)");
    std::size_t length = 0;
    crypto::checkOpenSsl(
        EVP_DigestSign(digestContext.get(), nullptr, &length, message.data(), message.size()),
        "load SAM (simulated chip): EVP_DigestSign (size)");
    Bytes signature(length);
    crypto::checkOpenSsl(EVP_DigestSign(digestContext.get(), signature.data(), &length,
                                        message.data(), message.size()),
                         "load SAM (simulated chip): EVP_DigestSign");
    signature.resize(length);
    return signature;
}

// --- What the chip remembers (JSON, written atomically like the city cards' state).

struct SamState {
    Lifecycle lifecycle = Lifecycle::Installed;
    Bytes samPrivateKey;  // P-256, PKCS#8 DER
    Bytes sm2PrivateKey;  // SM2, PKCS#8 DER
    // Nonce of every authorization that produced a MAC2 (or was used up by a bad MAC1),
    // with that authorization's expiry. Once expired, the expiry check refuses the
    // authorization anyway, so the entry is dropped.
    std::map<Bytes, std::uint64_t> usedNonces;
    // The management channel's SCP03 sequence counter: the last one used.
    std::uint32_t sequenceCounter = 0;
    // The server's allowance public key (P-256, 04 || X || Y) the TSM set (MANAGE C3);
    // empty: none yet.
    Bytes allowanceKey;
};

using nlohmann::json;

std::optional<SamState> loadState(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    try {
        const json saved = json::parse(in);
        SamState state;
        const auto lifecycle = sam::lifecycleFromName(saved.at("lifecycle").get<std::string>());
        if (!lifecycle) {
            throw std::runtime_error("unknown lifecycle state");
        }
        state.lifecycle = *lifecycle;
        state.samPrivateKey = fromHex(saved.at("sam_private_key").get<std::string>());
        state.sm2PrivateKey = fromHex(saved.at("sm2_private_key").get<std::string>());
        for (const auto& [nonce, expiry] : saved.at("used_nonces").items()) {
            state.usedNonces.emplace(fromHex(nonce), expiry.get<std::uint64_t>());
        }
        // A chip saved before the management channel existed has used no counter.
        state.sequenceCounter = saved.value("scp_sequence_counter", std::uint32_t{0});
        // A chip saved before the SAM verified allowances holds no key: it imports nothing
        // until the TSM sets one.
        state.allowanceKey = fromHex(saved.value("allowance_key", std::string()));
        return state;
    } catch (const std::exception& error) {
        throw std::runtime_error("load SAM state " + path + " is unreadable: " + error.what());
    }
}

// Owner-only, written to a temporary file renamed over the old one: a crash leaves the old
// state or the new one.
void saveState(const SamState& state, const std::string& path) {
    json nonces = json::object();
    for (const auto& [nonce, expiry] : state.usedNonces) {
        nonces[toHex(nonce)] = expiry;
    }
    const json saved{{"lifecycle", std::string(sam::lifecycleName(state.lifecycle))},
                     {"sam_private_key", toHex(state.samPrivateKey)},
                     {"sm2_private_key", toHex(state.sm2PrivateKey)},
                     {"used_nonces", nonces},
                     {"scp_sequence_counter", state.sequenceCounter},
                     {"allowance_key", toHex(state.allowanceKey)}};
    writeFileAtomically(path, saved.dump(2) + "\n");
}

SamState newChipState() {
    SamState state;
    state.samPrivateKey = privateKeyDer(crypto::generateKey("EC", crypto::kP256Group).get());
    state.sm2PrivateKey = privateKeyDer(crypto::generateKey("SM2", {}).get());
    return state;
}

// The saved state of this chip, or a new chip (keys generated now) saved at once.
SamState initialState(const std::string& stateFile) {
    if (stateFile.empty()) {
        return newChipState();
    }
    if (auto saved = loadState(stateFile)) {
        return std::move(*saved);
    }
    createPrivateDirectory(std::filesystem::path(stateFile).parent_path().string());
    SamState state = newChipState();
    saveState(state, stateFile);
    return state;
}

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

bool sameBytes(ByteView a, ByteView b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

class LoadSamApplet : public Applet {
  public:
    LoadSamApplet(Bytes chipSerial, std::string stateFile, const protocol::TsmMasterKey& tsmKeys,
                  ChipClock clock);

    // The imported authorization lives in RAM: a reset loses it, and the management channel.
    void onReset() override {
        authorization_.reset();
        channel_.close();
    }
    void onSelect() override { channel_.close(); }
    void onDeselect() override { channel_.close(); }
    std::optional<ResponseApdu> process(const CommandApdu& command, DedicatedFile& df) override;

  private:
    ResponseApdu getChipInfo(const CommandApdu& command) const;
    // MANAGE inside the management channel: C3 and C0 (docs/chip.md, "Chip management").
    ResponseApdu manage(ByteView plainData);
    ResponseApdu applyManage(const SamState& next);
    bool verifiesAllowance(const sam::SignedEnvelope& signedEnvelope) const;
    ResponseApdu importAuthorization(const CommandApdu& command);
    ResponseApdu computeLoadMac2(const CommandApdu& command);
    ResponseApdu sm2Sign(const CommandApdu& command) const;

    std::optional<Bytes> openEnvelope(ByteView envelope) const;
    bool expired(const sam::LoadAuthorization& authorization) const;
    bool used(const sam::LoadAuthorization& authorization) const;
    // Card serial, amount, terminal, suite and key version are the authorization's.
    static bool bindsTo(const sam::LoadAuthorization& authorization,
                        const sam::LoadMac2Request& request);
    // One authorization, one answer: records its nonce and forgets it.
    void useUpAuthorization();
    void save();

    Bytes chipSerial_;
    std::string stateFile_;
    ChipClock clock_;
    SamState state_;
    PkeyPtr samKey_;
    PkeyPtr sm2Key_;
    std::optional<sam::LoadAuthorization> authorization_;
    ManagementChannel channel_;
};

LoadSamApplet::LoadSamApplet(Bytes chipSerial, std::string stateFile,
                             const protocol::TsmMasterKey& tsmKeys, ChipClock clock)
    : chipSerial_(std::move(chipSerial)),
      stateFile_(std::move(stateFile)),
      clock_(std::move(clock)),
      state_(initialState(stateFile_)),
      samKey_(privateKeyFromDer(state_.samPrivateKey, "SAM private key")),
      sm2Key_(privateKeyFromDer(state_.sm2PrivateKey, "SM2 private key")),
      channel_(tsmKeys, mgmt::Applet::LoadSam, chipSerial_, state_.sequenceCounter,
               [this](std::uint32_t counter) {
                   state_.sequenceCounter = counter;
                   save();
               }) {
    if (!crypto::isP256(samKey_.get()) || EVP_PKEY_is_a(sm2Key_.get(), "SM2") != 1) {
        throw std::runtime_error("load SAM state " + stateFile_ + ": keys of the wrong type");
    }
}

std::optional<ResponseApdu> LoadSamApplet::process(const CommandApdu& command, DedicatedFile&) {
    if (auto handled =
            channel_.process(command, [this](ByteView plainData) { return manage(plainData); })) {
        return handled;
    }
    if (command.cla != sam::kCla) {
        return std::nullopt;  // interindustry commands go to the file system
    }
    switch (command.ins) {
        case sam::ins::kGetChipInfo:
            return getChipInfo(command);
        case sam::ins::kImportAuthorization:
            return importAuthorization(command);
        case sam::ins::kComputeLoadMac2:
            return computeLoadMac2(command);
        case sam::ins::kSm2Sign:
            return sm2Sign(command);
        default:
            return status(sam::sw::kInsNotSupported);
    }
}

// 80 30 00 00 00 -> 80 lifecycle, 81 chip serial, 82 SAM key, 83 SM2 key. Any state.
ResponseApdu LoadSamApplet::getChipInfo(const CommandApdu& command) const {
    if (command.p1 != 0x00 || command.p2 != 0x00) {
        return status(sam::sw::kIncorrectP1P2);
    }
    sam::ChipInfo info;
    info.lifecycle = state_.lifecycle;
    info.chipSerial = chipSerial_;
    info.samPublicKey = crypto::uncompressedPoint(samKey_.get());
    info.sm2PublicKey = crypto::uncompressedPoint(sm2Key_.get());
    return ResponseApdu{info.encode(), sam::sw::kOk};
}

// MANAGE data after C-DEC: C3 (the allowance key) and C0; the load SAM has no parameters or
// payment keys to receive. All or nothing: a refusal changes nothing. C0 = the current state
// and C3 = the key held are no-ops (a re-run job); the answer is the status with the
// channel's sequence counter and whether an allowance key is held (85).
ResponseApdu LoadSamApplet::manage(ByteView plainData) {
    mgmt::ManageRequest request;
    try {
        request = mgmt::ManageRequest::parse(plainData);
    } catch (const mgmt::ManagementFormatError&) {
        return status(sam::sw::kWrongData);
    }
    if (request.parameters || request.keys) {
        return status(sam::sw::kWrongData);
    }
    SamState next = state_;
    if (request.allowanceKey) {
        if (!crypto::publicKeyFromPoint("EC", crypto::kP256Group, *request.allowanceKey)) {
            return status(sam::sw::kWrongData);  // not a point on P-256
        }
        next.allowanceKey = *request.allowanceKey;
    }
    if (request.lifecycle) {
        if (!mgmt::isAcceptedLifecycleTarget(state_.lifecycle, *request.lifecycle)) {
            return status(sam::sw::kConditionsNotSatisfied);
        }
        next.lifecycle = *request.lifecycle;
    }
    // Operational means able to load: that needs the key that allowances are checked with. A
    // status read, or a lock, of a chip saved before the key existed still works.
    if (request.lifecycle == Lifecycle::Operational && next.allowanceKey.empty()) {
        return status(sam::sw::kConditionsNotSatisfied);
    }
    return applyManage(next);
}

// Saved before the applet changes: a state file that cannot be written changes nothing. A new
// allowance key, or a lock, drops an imported authorization.
ResponseApdu LoadSamApplet::applyManage(const SamState& next) {
    if (next.lifecycle != state_.lifecycle || next.allowanceKey != state_.allowanceKey) {
        if (!stateFile_.empty()) {
            saveState(next, stateFile_);
        }
        state_ = next;
        authorization_.reset();
    }
    mgmt::AppletStatus answer;
    answer.lifecycle = state_.lifecycle;
    answer.chipSerial = chipSerial_;
    answer.sequenceCounter = channel_.sequenceCounter();
    answer.keysPresent = !state_.allowanceKey.empty();
    return ResponseApdu{answer.encode(), sam::sw::kOk};
}

// 80 34 00 00 Lc <envelope || allowance signature>: operational only, with an allowance key
// (a chip from before the key existed has none). The signature is checked before the envelope
// is opened. A refused envelope changes nothing.
ResponseApdu LoadSamApplet::importAuthorization(const CommandApdu& command) {
    if (state_.lifecycle != Lifecycle::Operational || state_.allowanceKey.empty()) {
        return status(sam::sw::kConditionsNotSatisfied);
    }
    if (command.p1 != 0x00 || command.p2 != 0x00) {
        return status(sam::sw::kIncorrectP1P2);
    }
    sam::SignedEnvelope signedEnvelope;
    try {
        signedEnvelope = sam::splitSignedEnvelope(command.data);
    } catch (const sam::LoadSamFormatError&) {
        return status(sam::sw::kWrongLength);
    }
    if (!verifiesAllowance(signedEnvelope)) {
        return status(sam::sw::kAllowanceSignatureInvalid);
    }
    const std::optional<Bytes> plaintext = openEnvelope(signedEnvelope.envelope);
    if (!plaintext) {
        return status(sam::sw::kEnvelopeInvalid);
    }
    sam::LoadAuthorization authorization;
    try {
        authorization = sam::LoadAuthorization::parse(*plaintext);
    } catch (const sam::LoadSamFormatError&) {
        return status(sam::sw::kWrongData);
    }
    if (expired(authorization)) {
        return status(sam::sw::kAuthorizationExpired);
    }
    if (used(authorization)) {
        return status(sam::sw::kAuthorizationUsed);
    }
    authorization_ = std::move(authorization);
    return status(sam::sw::kOk);
}

// 80 36 00 00 2B <card serial, INITIALIZE FOR LOAD answer, amount, terminal, date, time> 04
//   -> MAC2. Operational only, with an authorization imported.
ResponseApdu LoadSamApplet::computeLoadMac2(const CommandApdu& command) {
    if (state_.lifecycle != Lifecycle::Operational) {
        return status(sam::sw::kConditionsNotSatisfied);
    }
    if (command.p1 != 0x00 || command.p2 != 0x00) {
        return status(sam::sw::kIncorrectP1P2);
    }
    if (command.data.size() != sam::kMac2RequestSize) {
        return status(sam::sw::kWrongLength);
    }
    if (!authorization_) {
        return status(sam::sw::kConditionsNotSatisfied);
    }
    if (expired(*authorization_)) {
        authorization_.reset();
        return status(sam::sw::kAuthorizationExpired);
    }
    const sam::LoadMac2Request request = sam::LoadMac2Request::parse(command.data);
    const sam::LoadAuthorization& authorization = *authorization_;
    if (!bindsTo(authorization, request)) {
        return status(sam::sw::kWrongData);  // the authorization stays for the right card
    }
    const ep::LoadInitialization& card = request.initialization;
    const keys::Suite suite = authorization.suite();
    const Bytes sessionKey =
        keys::loadSessionKey(suite, authorization.dlk, card.random, card.onlineAtc);
    const Bytes expectedMac1 = keys::sessionMac(
        suite, sessionKey, ep::mac1InputForLoad(card.balance, request.amount, request.terminalId));
    if (!sameBytes(expectedMac1, card.mac1)) {
        // Another card, another key, or someone guessing MAC1: no second try.
        useUpAuthorization();
        return status(sam::sw::kMac1Invalid);
    }
    Bytes mac2 = keys::sessionMac(
        suite, sessionKey,
        ep::mac2InputForLoad(request.amount, request.terminalId, request.date, request.time));
    useUpAuthorization();  // saved before MAC2 leaves the chip
    return ResponseApdu{std::move(mac2), sam::sw::kOk};
}

// 80 38 00 00 Lc <message> 00 -> DER signature. Installed or operational.
ResponseApdu LoadSamApplet::sm2Sign(const CommandApdu& command) const {
    if (state_.lifecycle == Lifecycle::Locked) {
        return status(sam::sw::kConditionsNotSatisfied);
    }
    if (command.p1 != 0x00 || command.p2 != 0x00) {
        return status(sam::sw::kIncorrectP1P2);
    }
    return ResponseApdu{sm2Signature(sm2Key_.get(), command.data), sam::sw::kOk};
}

std::optional<Bytes> LoadSamApplet::openEnvelope(ByteView envelope) const {
    sam::EnvelopeParts parts;
    try {
        parts = sam::splitEnvelope(envelope);
    } catch (const sam::LoadSamFormatError&) {
        return std::nullopt;
    }
    // The envelope's ephemeral key: a valid point on P-256, or the envelope does not open.
    const PkeyPtr ephemeral =
        crypto::publicKeyFromPoint("EC", crypto::kP256Group, parts.ephemeralPublicKey);
    if (!ephemeral) {
        return std::nullopt;
    }
    std::optional<Bytes> secret = crypto::ecdhSharedSecret(samKey_.get(), ephemeral.get());
    if (!secret) {
        return std::nullopt;
    }
    sam::EnvelopeKey key = sam::deriveEnvelopeKey(*secret, chipSerial_);
    OPENSSL_cleanse(secret->data(), secret->size());
    std::optional<Bytes> plaintext = crypto::aes256GcmOpen(
        key.key, key.iv, parts.ephemeralPublicKey, parts.ciphertext, parts.tag);
    OPENSSL_cleanse(key.key.data(), key.key.size());
    return plaintext;
}

bool LoadSamApplet::verifiesAllowance(const sam::SignedEnvelope& signedEnvelope) const {
    const PkeyPtr key = crypto::publicKeyFromPoint("EC", crypto::kP256Group, state_.allowanceKey);
    return key &&
           crypto::verifySha256Signature(
               key.get(), sam::encodeAllowanceStatement(chipSerial_, signedEnvelope.envelope),
               signedEnvelope.signature);
}

bool LoadSamApplet::expired(const sam::LoadAuthorization& authorization) const {
    return clock_() >= authorization.expiry;
}

bool LoadSamApplet::used(const sam::LoadAuthorization& authorization) const {
    return state_.usedNonces.count(authorization.nonce) != 0;
}

// The card's algorithm id must be the very byte the server authorized (00 and 01 are both
// triple DES, JR/T 0025, but the server bound the load to what this card said).
bool LoadSamApplet::bindsTo(const sam::LoadAuthorization& authorization,
                            const sam::LoadMac2Request& request) {
    const ep::LoadInitialization& card = request.initialization;
    return request.cardSerial == authorization.cardSerial &&
           request.amount == authorization.amount &&
           request.terminalId == authorization.terminalId &&
           card.algorithmId == authorization.algorithmId &&
           card.keyVersion == authorization.keyVersion && card.onlineAtc == authorization.onlineAtc;
}

void LoadSamApplet::useUpAuthorization() {
    state_.usedNonces[authorization_->nonce] = authorization_->expiry;
    authorization_.reset();
    save();
}

// Used nonces are never forgotten: pruning them by the chip's clock would let a clock set
// back revive a spent authorization.
void LoadSamApplet::save() {
    if (!stateFile_.empty()) {
        saveState(state_, stateFile_);
    }
}

void requireChipSerial(ByteView chipSerial) {
    if (chipSerial.empty() || chipSerial.size() > sam::kMaxChipSerialSize) {
        throw std::invalid_argument("a chip serial is 1.." +
                                    std::to_string(sam::kMaxChipSerialSize) + " bytes, got " +
                                    std::to_string(chipSerial.size()));
    }
}

}  // namespace

std::uint64_t hostClock() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

std::string loadSamStateFile(ByteView chipSerial, const std::string& stateDir) {
    if (stateDir.empty()) {
        return {};
    }
    return stateDir + "/chip-" + toHex(chipSerial) + "/sam.json";
}

std::shared_ptr<Applet> makeLoadSamApplet(ByteView chipSerial, const std::string& stateDir,
                                          const protocol::TsmMasterKey& tsmKeys, ChipClock clock) {
    requireChipSerial(chipSerial);
    return std::make_shared<LoadSamApplet>(Bytes(chipSerial.begin(), chipSerial.end()),
                                           loadSamStateFile(chipSerial, stateDir), tsmKeys,
                                           clock ? std::move(clock) : ChipClock(hostClock));
}

DedicatedFile loadSamApplication(ByteView chipSerial, const std::string& stateDir,
                                 const protocol::TsmMasterKey& tsmKeys, ChipClock clock) {
    DedicatedFile df;
    df.fid = kLoadSamFid;
    df.aid = sam::applicationId();
    df.applet = makeLoadSamApplet(chipSerial, stateDir, tsmKeys, std::move(clock));
    return df;
}

}  // namespace taplink::sim
