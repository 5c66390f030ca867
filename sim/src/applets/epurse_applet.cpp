#include "applets/epurse_applet.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::sim {

namespace ep = cards::epurse;
namespace keys = crypto::epurse;
namespace isw = apdu::sw;

namespace {

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

// Command data, read after its length was checked (a wrong length answers 6700 first).
using Reader = ByteReader<std::invalid_argument>;

bool sameMac(ByteView a, ByteView b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

EpurseApplet::EpurseApplet(EpurseConfig config, EpurseState state)
    : config_(std::move(config)), state_(std::move(state)) {}

void EpurseApplet::onSelect() {
    load_.reset();
    purchase_.reset();
}

void EpurseApplet::onReset() {
    onSelect();
}

void EpurseApplet::onFileSystemCommand() {
    onSelect();
}

std::optional<ResponseApdu> EpurseApplet::process(const CommandApdu& command, DedicatedFile& df) {
    // A session lives for exactly one command: only its second half may use it.
    auto loadSession = std::exchange(load_, std::nullopt);
    auto purchaseSession = std::exchange(purchase_, std::nullopt);
    if (command.cla == 0x00 && command.ins == ep::kInsVerify) {
        return verifyPin(command);
    }
    if (command.cla != ep::kCla) {
        return std::nullopt;  // interindustry commands (READ BINARY/RECORD) go to the files
    }
    switch (command.ins) {
        case ep::kInsGetBalance:
            return getBalance(command);
        case ep::kInsInitialize:
            return command.p1 == ep::kP1Load ? initializeForLoad(command)
                                             : initializeForPurchase(command);
        case ep::kInsCreditForLoad:
            load_ = std::move(loadSession);
            return creditForLoad(command, df);
        case ep::kInsDebitForPurchase:
            purchase_ = std::move(purchaseSession);
            return debitForPurchase(command, df);
        case ep::kInsGetTransactionProve:
            return getTransactionProve(command);
        default:
            return status(isw::kInsNotSupported);
    }
}

ResponseApdu EpurseApplet::getBalance(const CommandApdu& command) const {
    if (command.p1 != 0x00 || command.p2 != ep::kP2Purse) {
        return status(isw::kIncorrectP1P2);
    }
    return ResponseApdu{ByteWriter().u32(state_.balance).take(), isw::kOk};
}

ResponseApdu EpurseApplet::verifyPin(const CommandApdu& command) {
    constexpr int kPinTries = 3;
    if (state_.pinTriesLeft <= 0) {
        return status(0x6983);  // authentication method blocked
    }
    if (command.data.empty() || command.data.size() > 6) {
        return status(isw::kWrongLength);
    }
    const bool right = command.data == config_.pin;
    const int triesLeft = right ? kPinTries : state_.pinTriesLeft - 1;
    if (triesLeft != state_.pinTriesLeft) {
        EpurseState next = state_;
        next.pinTriesLeft = triesLeft;
        if (!config_.stateFile.empty()) {
            next.save(config_.stateFile);  // a pulled card must not forget a wrong try
        }
        state_ = std::move(next);
    }
    if (right) {
        return status(isw::kOk);
    }
    return status(static_cast<std::uint16_t>(0x63C0U | static_cast<unsigned>(triesLeft)));
}

// 80 50 00 02 0B | key index(1) amount(4) terminal(6) -> balance ATC keyVer alg random MAC1
ResponseApdu EpurseApplet::initializeForLoad(const CommandApdu& command) {
    if (command.p2 != ep::kP2Purse) {
        return status(isw::kIncorrectP1P2);
    }
    if (command.data.size() != 1 + 4 + ep::kTerminalIdSize) {
        return status(isw::kWrongLength);
    }
    Reader in(command.data, "INITIALIZE FOR LOAD data");
    if (in.u8("key index") != config_.keys.keyIndex) {
        return status(ep::sw::kKeyIndexUnsupported);
    }
    const std::uint32_t amount = in.u32("amount");
    if (amount == 0 || amount > config_.maxBalance - std::min(state_.balance, config_.maxBalance)) {
        return status(isw::kWrongData);  // nothing to load, or over the card's maximum balance
    }
    const Bytes terminal = in.take(ep::kTerminalIdSize, "terminal id");
    ep::LoadInitialization answer;
    answer.balance = state_.balance;
    answer.onlineAtc = state_.onlineAtc;
    answer.keyVersion = config_.keys.keyVersion;
    answer.algorithmId = config_.keys.algorithmId;
    answer.random = crypto::randomBytes(4);
    Bytes sessionKey =
        keys::loadSessionKey(config_.keys.suite, config_.keys.dlk, answer.random, state_.onlineAtc);
    answer.mac1 = keys::sessionMac(config_.keys.suite, sessionKey,
                                   ep::mac1InputForLoad(state_.balance, amount, terminal));
    load_ = LoadSession{amount, terminal, std::move(sessionKey)};
    return ResponseApdu{answer.encode(), isw::kOk};
}

// 80 52 00 00 0B | date(4) time(3) MAC2(4) -> TAC
ResponseApdu EpurseApplet::creditForLoad(const CommandApdu& command, DedicatedFile& df) {
    if (!load_) {
        return status(isw::kConditionsNotSatisfied);
    }
    const LoadSession session = *std::exchange(load_, std::nullopt);
    if (command.data.size() != 4 + 3 + 4) {
        return status(isw::kWrongLength);
    }
    Reader in(command.data, "CREDIT FOR LOAD data");
    const Bytes date = in.take(4, "date");
    const Bytes time = in.take(3, "time");
    const Bytes mac2 = in.take(4, "MAC2");
    const Bytes expected =
        keys::sessionMac(config_.keys.suite, session.sessionKey,
                         ep::mac2InputForLoad(session.amount, session.terminalId, date, time));
    if (!sameMac(mac2, expected)) {
        return status(ep::sw::kMacInvalid);  // the purse stays exactly as it was
    }
    const std::uint16_t atc = state_.onlineAtc;
    EpurseState next = state_;
    next.balance += session.amount;
    next.onlineAtc = static_cast<std::uint16_t>(atc + 1U);
    const Bytes tac = keys::tac(
        config_.keys.suite, config_.keys.dtk,
        ep::tacInputForLoad(next.balance, atc, session.amount, session.terminalId, date, time));
    next.lastLoad = CompletedTransaction{atc, mac2, tac};
    commit(df, std::move(next),
           ep::LogRecord{atc, 0, session.amount, ep::kTypeLoad, session.terminalId, date, time}
               .encode());
    return ResponseApdu{tac, isw::kOk};
}

// 80 50 01 02 0B | key index(1) amount(4) terminal(6) -> balance ATC overdraft keyVer alg random
ResponseApdu EpurseApplet::initializeForPurchase(const CommandApdu& command) {
    if (command.p1 != ep::kP1Purchase || command.p2 != ep::kP2Purse) {
        return status(isw::kIncorrectP1P2);
    }
    if (command.data.size() != 1 + 4 + ep::kTerminalIdSize) {
        return status(isw::kWrongLength);
    }
    Reader in(command.data, "INITIALIZE FOR PURCHASE data");
    if (in.u8("key index") != config_.keys.keyIndex) {
        return status(ep::sw::kKeyIndexUnsupported);
    }
    const std::uint32_t amount = in.u32("amount");
    if (amount > state_.balance) {
        return status(ep::sw::kInsufficientFunds);
    }
    ep::PurchaseInitialization answer;
    answer.balance = state_.balance;
    answer.offlineAtc = state_.offlineAtc;
    answer.overdraftLimit = 0;
    answer.keyVersion = config_.keys.keyVersion;
    answer.algorithmId = config_.keys.algorithmId;
    answer.random = crypto::randomBytes(4);
    purchase_ = PurchaseSession{amount, in.take(ep::kTerminalIdSize, "terminal id"), answer.random};
    return ResponseApdu{answer.encode(), isw::kOk};
}

// 80 54 01 00 0F | terminal sequence(4) date(4) time(3) MAC1(4) -> TAC(4) MAC2(4)
ResponseApdu EpurseApplet::debitForPurchase(const CommandApdu& command, DedicatedFile& df) {
    if (!purchase_) {
        return status(isw::kConditionsNotSatisfied);
    }
    const PurchaseSession session = *std::exchange(purchase_, std::nullopt);
    if (command.data.size() != 4 + 4 + 3 + 4) {
        return status(isw::kWrongLength);
    }
    Reader in(command.data, "DEBIT FOR PURCHASE data");
    const Bytes sequence = in.take(4, "terminal sequence number");
    const Bytes date = in.take(4, "date");
    const Bytes time = in.take(3, "time");
    const Bytes mac1 = in.take(4, "MAC1");
    const Bytes sessionKey = keys::purchaseSessionKey(config_.keys.suite, config_.keys.dpk,
                                                      session.random, state_.offlineAtc, sequence);
    const Bytes expected =
        keys::sessionMac(config_.keys.suite, sessionKey,
                         ep::mac1InputForPurchase(session.amount, session.terminalId, date, time));
    if (!sameMac(mac1, expected)) {
        return status(ep::sw::kMacInvalid);
    }
    const std::uint16_t atc = state_.offlineAtc;
    EpurseState next = state_;
    next.balance -= session.amount;
    next.offlineAtc = static_cast<std::uint16_t>(atc + 1U);
    const Bytes tac = keys::tac(
        config_.keys.suite, config_.keys.dtk,
        ep::tacInputForPurchase(session.amount, session.terminalId, sequence, date, time));
    const Bytes mac2 =
        keys::sessionMac(config_.keys.suite, sessionKey, ep::mac2InputForPurchase(session.amount));
    next.lastPurchase = CompletedTransaction{atc, mac2, tac};
    commit(df, std::move(next),
           ep::LogRecord{atc, 0, session.amount, ep::kTypePurchase, session.terminalId, date, time}
               .encode());
    return ResponseApdu{concat(tac, mac2), isw::kOk};
}

// 80 5A 00 type 02 | ATC(2) -> MAC2(4) TAC(4) of that transaction, if it completed
ResponseApdu EpurseApplet::getTransactionProve(const CommandApdu& command) const {
    if (command.data.size() != 2) {
        return status(isw::kWrongLength);
    }
    const auto atc = static_cast<std::uint16_t>(bigEndian(command.data));
    const std::optional<CompletedTransaction>* last = nullptr;
    if (command.p2 == ep::kTypeLoad) {
        last = &state_.lastLoad;
    } else if (command.p2 == ep::kTypePurchase) {
        last = &state_.lastPurchase;
    } else {
        return status(isw::kIncorrectP1P2);
    }
    if (!*last || (*last)->atc != atc) {
        return status(ep::sw::kProofUnavailable);
    }
    return ResponseApdu{concat((*last)->mac2, (*last)->tac), isw::kOk};
}

void EpurseApplet::commit(DedicatedFile& df, EpurseState next, Bytes logRecord) {
    next.log.insert(next.log.begin(), std::move(logRecord));
    if (next.log.size() > ep::kLogRecords) {
        next.log.resize(ep::kLogRecords);  // cyclic: the oldest record goes
    }
    if (!config_.stateFile.empty()) {
        next.save(config_.stateFile);  // throws before anything changed: the card answers 6F00
    }
    state_ = std::move(next);
    if (ElementaryFile* log = df.efBySfi(ep::kSfiTransactionLog)) {
        log->records = state_.log;
    }
}

}  // namespace taplink::sim
