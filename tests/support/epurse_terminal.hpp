// The other half of an e-purse transaction, for tests: what the server (load) or a
// terminal's SAM (purchase) computes, from the simulated issuer's master keys.
#pragma once

#include "cards/test_issuer.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/crypto/epurse_keys.hpp"

namespace taplink::testing {

class EpurseTerminal {
  public:
    EpurseTerminal(crypto::epurse::Suite suite, ByteView serial)
        : suite_(suite),
          dlk_(crypto::epurse::diversify(suite, sim::testIssuerKeys(suite).load, serial)),
          dpk_(crypto::epurse::diversify(suite, sim::testIssuerKeys(suite).purchase, serial)),
          dtk_(crypto::epurse::diversify(suite, sim::testIssuerKeys(suite).tac, serial)) {}

    static Bytes terminalId() { return fromHex("112233445566"); }
    static Bytes date() { return fromHex("20261121"); }
    static Bytes time() { return fromHex("195000"); }

    Bytes loadSessionKey(const cards::epurse::LoadInitialization& init) const {
        return crypto::epurse::loadSessionKey(suite_, dlk_, init.random, init.onlineAtc);
    }

    Bytes expectedMac1(const cards::epurse::LoadInitialization& init, std::uint32_t amount) const {
        return crypto::epurse::sessionMac(
            suite_, loadSessionKey(init),
            cards::epurse::mac1InputForLoad(init.balance, amount, terminalId()));
    }

    Bytes mac2(const cards::epurse::LoadInitialization& init, std::uint32_t amount) const {
        return crypto::epurse::sessionMac(
            suite_, loadSessionKey(init),
            cards::epurse::mac2InputForLoad(amount, terminalId(), date(), time()));
    }

    Bytes expectedLoadTac(const cards::epurse::LoadInitialization& init,
                          std::uint32_t amount) const {
        return crypto::epurse::tac(
            suite_, dtk_,
            cards::epurse::tacInputForLoad(init.balance + amount, init.onlineAtc, amount,
                                           terminalId(), date(), time()));
    }

    Bytes purchaseSessionKey(const cards::epurse::PurchaseInitialization& init,
                             ByteView sequence) const {
        return crypto::epurse::purchaseSessionKey(suite_, dpk_, init.random, init.offlineAtc,
                                                  sequence);
    }

    Bytes purchaseMac1(const cards::epurse::PurchaseInitialization& init, std::uint32_t amount,
                       ByteView sequence) const {
        return crypto::epurse::sessionMac(
            suite_, purchaseSessionKey(init, sequence),
            cards::epurse::mac1InputForPurchase(amount, terminalId(), date(), time()));
    }

    Bytes expectedPurchaseTac(std::uint32_t amount, ByteView sequence) const {
        return crypto::epurse::tac(
            suite_, dtk_,
            cards::epurse::tacInputForPurchase(amount, terminalId(), sequence, date(), time()));
    }

  private:
    crypto::epurse::Suite suite_;
    Bytes dlk_;
    Bytes dpk_;
    Bytes dtk_;
};

}  // namespace taplink::testing
