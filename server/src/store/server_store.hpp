// The server's records in SQLite (WAL, synchronous FULL): orders, load authorizations,
// settlements (one per order, ever), the device registry and the event log. Every method is
// one SQLite transaction, and calls are serialised: a money decision (authorize, settle,
// cancel) reads and writes under one lock, so two requests cannot both pass its checks.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/account_records.hpp"
#include "store/purchase_records.hpp"
#include "store/tsm_records.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/protocol/topup_wire.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::server {

using StoreError = journal::JournalError;

struct OrderRecord {
    std::string orderId;
    std::uint32_t amount = 0;  // fen
    std::string currency = "CNY";
    std::string scheme;
    net::wire::OrderStatus status = net::wire::OrderStatus::Open;
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;
    std::string merchant;  // a bank-purchase order's merchant name; empty for the others
};

struct AuthorizationRecord {
    std::int64_t id = 0;  // set by the store
    std::string orderId;
    std::string deviceFingerprint;  // SHA-256 of the device certificate, hex
    std::string chipSerial;         // hex
    Bytes issuerId;
    Bytes cardSerial;
    std::uint8_t algorithmId = 0;
    std::uint8_t keyVersion = 0;
    std::uint32_t balance = 0;  // the card's, before the load
    std::uint16_t onlineAtc = 0;
    Bytes terminalId;
    Bytes nonce;
    std::int64_t expiresAt = 0;
    std::int64_t issuedAt = 0;
};

struct SettlementRecord {
    std::string orderId;
    std::int64_t authorizationId = 0;
    std::string receiptId;
    Bytes result;     // the signed result message, exactly as received
    Bytes signature;  // the device's
    std::string deviceFingerprint;
    std::string chipSerial;
    Bytes cardSerial;
    std::uint32_t balanceBefore = 0;
    std::uint32_t amount = 0;
    std::uint32_t balanceAfter = 0;
    std::uint16_t onlineAtc = 0;
    Bytes tac;
    std::int64_t settledAt = 0;
};

struct DeviceSighting {
    std::string fingerprint;
    std::string chipSerial;
    std::string subject;
    std::int64_t notAfter = 0;
};

struct DeviceRecord {
    std::string fingerprint;
    std::string chipSerial;
    std::string subject;
    std::int64_t notAfter = 0;
    bool revoked = false;
    std::int64_t firstSeen = 0;
    std::int64_t lastSeen = 0;
};

struct EventRecord {
    std::int64_t id = 0;  // set by the store
    std::int64_t at = 0;  // set by the store
    std::string kind;     // "order_created", "authorized", "settled", "refused", ...
    std::string orderId;
    std::string chipSerial;
    std::string code;  // the error code of a refusal
    std::string message;
};

struct CardTotal {
    Bytes cardSerial;
    std::uint64_t total = 0;  // fen loaded
    std::uint64_t loads = 0;
};

struct Ledger {
    std::vector<SettlementRecord> settlements;  // oldest first
    std::vector<CardTotal> cards;
    std::uint64_t total = 0;
};

enum class AuthorizeOutcome {
    Recorded,
    OrderNotFound,
    OrderSettled,
    OrderCancelled,
    Outstanding,
    BoundToAnotherDevice
};

struct AuthorizeResult {
    AuthorizeOutcome outcome = AuthorizeOutcome::Recorded;
    std::int64_t until = 0;  // BoundToAnotherDevice: as BindingDecision::until
};
enum class CancelOutcome { Cancelled, NotFound, NotOpen, Authorized };

struct SettleOutcome {
    enum class Kind { Settled, SameResult, Conflict, OrderNotFound, OrderCancelled };
    Kind kind = Kind::Settled;
    std::optional<SettlementRecord> settlement;  // the order's (new or earlier) settlement
};

class ServerStore {
  public:
    // Opens or creates the database (file mode 0600). StoreError on failure.
    explicit ServerStore(const std::string& path);
    ServerStore(const ServerStore&) = delete;
    ServerStore& operator=(const ServerStore&) = delete;

    // --- Orders. The id is random and unguessable ("ORD-" + 20 base32 characters).
    OrderRecord createOrder(std::uint32_t amount, const std::string& scheme,
                            const std::string& merchant = {});
    std::optional<OrderRecord> findOrder(std::string_view orderId);
    std::vector<OrderRecord> listOrders();
    // Only an open order that no authorization was issued for: once a card may have been
    // loaded, the order must be settled or stay open until its result is known.
    CancelOutcome cancelOrder(std::string_view orderId);

    // --- Load authorizations. The order's binding (store/load_binding.hpp) decides: the
    // money rule (one card and one online ATC per order) and the device while an
    // authorization lives. On Recorded, authorization.id is set.
    AuthorizeResult recordAuthorization(AuthorizationRecord& authorization);
    std::vector<AuthorizationRecord> authorizationsFor(std::string_view orderId);
    std::optional<AuthorizationRecord> findAuthorization(std::string_view orderId, ByteView nonce);

    // --- Settlement: exactly once per order. With a settlement already there, the same
    // result bytes are SameResult and other bytes are a Conflict; nothing changes either way.
    SettleOutcome settle(const SettlementRecord& settlement);
    std::optional<SettlementRecord> settlementFor(std::string_view orderId);
    Ledger ledger();

    // --- Devices: first and last seen, by certificate. A revoked chip stays revoked for any
    // certificate that names it, including ones seen later.
    DeviceRecord seeDevice(const DeviceSighting& sighting);
    std::vector<DeviceRecord> listDevices();
    // Returns how many known certificates name the chip (it is revoked even when none do).
    std::size_t revokeChip(std::string_view chipSerial);

    // --- Event log (the audit trail).
    void recordEvent(const EventRecord& event);
    std::vector<EventRecord> listEvents(std::size_t newest);

    // --- Cardholder accounts (bank-card EC load; store/account_store.cpp). The PAN keys are
    // 32 random bytes made with the store: HMAC-SHA-256 for an account's card, AES-256-GCM
    // for the PAN an EC authorization keeps for the cryptogram checks.
    const Bytes& panHashKey() const { return panHashKey_; }
    const Bytes& panSealKey() const { return panSealKey_; }
    // The key of the accounts' PIN hashes (api/account_pin.hpp), 32 random bytes likewise.
    const Bytes& pinHashKey() const { return pinHashKey_; }
    // Sets accountId and the times; CardAlreadyLinked when another account has the card.
    // pinHashOf, when given, makes the account's PIN hash from its new id.
    AccountCreateOutcome createAccount(
        AccountRecord& account,
        const std::function<std::string(const std::string& accountId)>& pinHashOf = {});
    // A new PIN hash (empty: none) and the tries back to kPinTries; false for no account.
    bool setAccountPin(std::string_view accountId, const std::string& pinHash);
    std::optional<AccountRecord> findAccountByPanHash(std::string_view panHash);
    AccountCreditOutcome creditAccount(std::string_view accountId, std::uint64_t amount);
    std::optional<AccountRecord> findAccount(std::string_view accountId);
    std::vector<AccountRecord> listAccounts();
    std::vector<AccountEntry> accountEntries(std::string_view accountId);

    // --- EC load orders (store/ecload_store.cpp). nullopt when there is no such account.
    std::optional<OrderRecord> createEcOrder(std::uint32_t amount, std::string_view accountId);
    std::optional<std::string> accountOfOrder(std::string_view orderId);
    // One transaction: an open order; one authorization per order (the same card, ATC, ARQC,
    // device and terminal again is SameRequest, anything else Outstanding); the card's ATC
    // above the highest seen for it (PAN hash) in any earlier order (AtcReplayed otherwise;
    // the same order's retry of the same ARQC passes), which then becomes the highest; the
    // debit, its ledger row and the authorization, or Declined without them. On SameRequest
    // the authorization is replaced by the stored one (its answer included).
    EcAuthorizeOutcome recordEcAuthorization(EcAuthorizationRecord& authorization,
                                             std::uint32_t amount);
    std::optional<EcAuthorizationRecord> ecAuthorizationFor(std::string_view orderId);
    // Settles or reverses (refunding the account) exactly once per order, never both.
    EcDecideOutcome decideEcLoad(const EcDecisionRecord& decision);
    std::optional<EcDecisionRecord> ecDecisionFor(std::string_view orderId);

    // --- Purchases (store/purchase_store.cpp). One transaction: the stored answer of the same
    // sealed bytes (SameRequest); an open order without an approval for other bytes; the
    // card's ATC above its highest (as recordEcAuthorization); then decide with the account of
    // the PAN hash, and store its PIN tries, the attempt and, approved, the debit with the
    // authorization.
    PurchaseAuthorizeResult authorizePurchase(const PurchaseAttemptRecord& attempt,
                                              const PurchaseDecider& decide);
    // The answer stored for these sealed bytes (hex SHA-256) of the chip, before any check:
    // a lost answer is answered again even when the order or the chip changed since.
    std::optional<std::string> purchaseAnswerFor(std::string_view orderId,
                                                 std::string_view requestHash,
                                                 std::string_view chipSerial);
    std::optional<PurchaseAuthorizationRecord> purchaseAuthorizationFor(std::string_view orderId);
    // Settles or reverses (refunding the account) exactly once per approved order.
    PurchaseDecideOutcome decidePurchase(const PurchaseDecisionRecord& decision);
    std::optional<PurchaseDecisionRecord> purchaseDecisionFor(std::string_view orderId);

    // --- Chip management, the TSM role (store/tsm_store.cpp). The payment keys come here
    // sealed with a key derived from the TSM master key (api/tsm_jobs.hpp), which the store
    // never holds: server.db alone does not open them.
    // Sets the job's id and time, and the parameters' version: the last queued or recorded
    // for the chip + 1 (TsmVersionExhausted past 2^32 - 1).
    TsmJobRecord queueTsmJob(const TsmJobDraft& draft);
    // The chip's pending jobs, oldest first, at most max. With activateLoadSam, queues an
    // "activate" of the load SAM first when the chip has no pending job and its load SAM is
    // neither recorded past installed nor ordered locked (so a device cannot unlock itself by
    // claiming to be new).
    std::vector<TsmJobRecord> syncTsmJobs(std::string_view chipSerial, bool activateLoadSam,
                                          std::size_t max);
    std::optional<TsmJobRecord> findTsmJob(std::string_view jobId);
    // Oldest first; every chip's without a serial.
    std::vector<TsmJobRecord> listTsmJobs(std::optional<std::string_view> chipSerial);
    std::vector<TsmAppletRecord> tsmApplets(std::string_view chipSerial);
    std::optional<TsmAppletRecord> tsmApplet(std::string_view chipSerial,
                                             chip::mgmt::Applet applet);
    // Replay unless counter is above the highest accepted for the applet, which it becomes.
    TsmCounterOutcome acceptTsmCounter(std::string_view chipSerial, chip::mgmt::Applet applet,
                                       std::uint32_t counter);
    // Done with status word 9000, refused with another; status (an authenticated answer)
    // becomes the applet's record. A refused job that asked for a lifecycle queues a status
    // job of its applet (the refusal's bare status word proves nothing, docs/server.md).
    // false when the job is not pending (nothing changes).
    bool finishTsmJob(std::string_view jobId, std::uint16_t statusWord,
                      const std::optional<chip::mgmt::AppletStatus>& status);
    // The applet is recorded locked or ordered locked: its latest lock or unlock job is a
    // lock, in any state, not yet replaced by a done unlock.
    bool isTsmAppletLocked(std::string_view chipSerial, chip::mgmt::Applet applet);
    bool isLoadSamLocked(std::string_view chipSerial) {
        return isTsmAppletLocked(chipSerial, chip::mgmt::Applet::LoadSam);
    }
    // Keeps sealed as the chip's payment keys unless it has some; returns the kept ones.
    Bytes keepTsmPaymentKeys(std::string_view chipSerial, ByteView sealed);
    std::optional<Bytes> tsmPaymentKeys(std::string_view chipSerial);
    std::optional<TsmParametersRecord> tsmParameters(std::string_view chipSerial);
    // The dynamic token (store/token_store.cpp): the highest counter accepted for the chip's
    // codes, and its acceptance (Replay unless counter is above it; it then becomes it).
    std::optional<std::uint64_t> tokenCounter(std::string_view chipSerial);
    TsmCounterOutcome acceptTokenCounter(std::string_view chipSerial, std::uint64_t counter);

  private:
    void createSchema();
    TsmJobRecord insertTsmJob(const TsmJobDraft& draft);
    void queueStatusAfterRefusal(const TsmJobRecord& refused);
    Bytes storeSecret(const std::string& name);
    // In the caller's transaction and lock.
    OrderRecord insertOrder(std::uint32_t amount, const std::string& scheme,
                            const std::string& merchant = {});
    void storeVerdict(const PurchaseAttemptRecord& attempt, const PurchaseVerdict& verdict,
                      std::uint32_t amount);
    void storePurchaseDecision(const PurchaseDecisionRecord& decision,
                               const std::string& accountId);
    void storeApproved(const EcAuthorizationRecord& authorization, std::uint32_t amount);
    // The decision's amount is the order's.
    void storeDecision(const EcDecisionRecord& decision, const std::string& accountId);
    void appendEvent(const EventRecord& event, std::int64_t now);

    std::mutex mutex_;
    journal::DatabasePtr database_;
    Bytes panHashKey_;
    Bytes panSealKey_;
    Bytes pinHashKey_;
};

}  // namespace taplink::server
