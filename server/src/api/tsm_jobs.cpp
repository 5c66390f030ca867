#include "api/tsm_jobs.hpp"

#include <openssl/crypto.h>

#include <array>
#include <stdexcept>

#include "api/pan_privacy.hpp"
#include "taplink/crypto/hkdf.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::server {

namespace {

namespace mgmt = chip::mgmt;

constexpr std::array kOperations{"activate", "lock",        "unlock",
                                 "status",   "personalise", "update-params"};

constexpr std::uint32_t kDefaultPerTransaction = 100000;  // fen
constexpr std::uint32_t kDefaultDaily = 500000;
constexpr std::uint32_t kDefaultCvm = 30000;

constexpr std::string_view kSealKeyLabel = "TapLink TSM payment-key seal v1";
constexpr std::size_t kSealKeySize = 32;  // AES-256-GCM (api/pan_privacy.hpp)

// The associated data of a chip's sealed keys: they open for that chip only.
std::string sealContext(const std::string& chipSerial) {
    return "tsm-payment-keys " + chipSerial;
}

std::optional<mgmt::Lifecycle> lifecycleTarget(std::string_view operation) {
    if (operation == "lock") {
        return mgmt::Lifecycle::Locked;
    }
    if (operation == "activate" || operation == "unlock" || operation == "personalise") {
        return mgmt::Lifecycle::Operational;
    }
    return std::nullopt;
}

}  // namespace

bool isTsmOperation(std::string_view operation) {
    for (const char* known : kOperations) {
        if (operation == known) {
            return true;
        }
    }
    return false;
}

bool operationNeedsParameters(std::string_view operation) {
    return operation == "personalise" || operation == "update-params";
}

TsmJobDraft tsmJobDraft(const std::string& chipSerial, mgmt::Applet applet,
                        const std::string& operation,
                        const std::optional<mgmt::PaymentParameters>& parameters) {
    if (!isTsmOperation(operation)) {
        throw std::invalid_argument("no TSM operation " + operation);
    }
    const bool paymentOnly = operationNeedsParameters(operation);
    if (paymentOnly && applet != mgmt::Applet::Payment) {
        throw std::invalid_argument(operation + " is for the payment applet only");
    }
    TsmJobDraft draft;
    draft.chipSerial = chipSerial;
    draft.applet = applet;
    draft.operation = operation;
    draft.lifecycle = lifecycleTarget(operation);
    if (paymentOnly) {
        draft.parameters = parameters.value_or(defaultPaymentParameters());
    }
    draft.carriesKeys = operation == "personalise";
    return draft;
}

mgmt::PaymentParameters defaultPaymentParameters() {
    mgmt::PaymentParameters parameters;
    // PBOC debit and credit (JR/T 0025 application identifiers).
    parameters.allowedAids = {fromHex("A000000333010101"), fromHex("A000000333010102")};
    parameters.perTransactionLimit = kDefaultPerTransaction;
    parameters.dailyLimit = kDefaultDaily;
    parameters.cvmLimit = kDefaultCvm;
    return parameters;
}

void checkManageSize(const TsmJobDraft& draft) {
    mgmt::ManageRequest request;
    request.lifecycle = draft.lifecycle;
    request.parameters = draft.parameters;
    if (draft.carriesKeys) {
        request.keys = mgmt::PaymentKeys{Bytes(mgmt::kChannelKeySize), Bytes(mgmt::kPinKeySize),
                                         Bytes(mgmt::kTokenSeedSize)};
    }
    const std::size_t size = request.encode().size();
    if (size > kMaxManagePlainData) {
        throw std::invalid_argument("the MANAGE data would be " + std::to_string(size) +
                                    " bytes, over " + std::to_string(kMaxManagePlainData) +
                                    ": give fewer or shorter AIDs");
    }
}

Bytes paymentKeySealKey(const protocol::TsmMasterKey& master) {
    const Bytes info(kSealKeyLabel.begin(), kSealKeyLabel.end());
    return crypto::hkdfSha256(master.master, info, kSealKeySize);
}

void keepPaymentKeys(ServerStore& store, ByteView sealKey, const std::string& chipSerial) {
    if (store.tsmPaymentKeys(chipSerial)) {
        return;
    }
    mgmt::PaymentKeys keys;
    keys.channelKey = crypto::randomBytes(mgmt::kChannelKeySize);
    keys.pinKey = crypto::randomBytes(mgmt::kPinKeySize);
    keys.tokenSeed = crypto::randomBytes(mgmt::kTokenSeedSize);
    Bytes plain = keys.encode();
    store.keepTsmPaymentKeys(chipSerial, sealSecret(sealKey, sealContext(chipSerial), plain));
    OPENSSL_cleanse(plain.data(), plain.size());
    for (Bytes* key : {&keys.channelKey, &keys.pinKey, &keys.tokenSeed}) {
        OPENSSL_cleanse(key->data(), key->size());
    }
}

std::optional<mgmt::PaymentKeys> openPaymentKeys(ServerStore& store, ByteView sealKey,
                                                 const std::string& chipSerial) {
    const auto sealed = store.tsmPaymentKeys(chipSerial);
    if (!sealed) {
        return std::nullopt;
    }
    auto plain = openSecret(sealKey, sealContext(chipSerial), *sealed);
    if (!plain) {
        return std::nullopt;
    }
    mgmt::PaymentKeys keys = mgmt::PaymentKeys::parse(*plain);
    OPENSSL_cleanse(plain->data(), plain->size());
    return keys;
}

}  // namespace taplink::server
