// The device's half of a top-up, in process, for the server tests: a simulated city card
// personalised from the server's issuers.json (as taplink-sim --issuer-keys does), and the
// chip's half played with the test's software SAM key: open the sealed load authorization,
// check MAC1, produce MAC2 from its DLK, credit the card, sign the result with the device key.
#pragma once

#include <memory>
#include <string>

#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/protocol/issuer_keys.hpp"
#include "taplink/protocol/topup_wire.hpp"
#include "test_pki.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::servertest {

// Opens an envelope sealed to samKey for chipSerial; throws std::runtime_error when it does
// not open.
chip::sam::LoadAuthorization openEnvelope(EVP_PKEY* samKey, ByteView chipSerial, ByteView envelope);

class LoadDevice {
  public:
    // profile "city-3des", "city-3des-00" or "city-sm4"; the card's issuer is the first in
    // issuersFile; serial: the card's application serial (empty: the profile's).
    LoadDevice(const Device& device, const std::string& issuersFile, const std::string& profile,
               std::uint32_t balance, Bytes serial = {});

    const cards::epurse::PublicInfo& card() const { return info_; }
    const sim::Issuer& issuer() const { return *issuer_; }

    // INITIALIZE FOR LOAD on the card, for this device's terminal or another's.
    cards::epurse::LoadInitialization initialize(std::uint32_t amount);
    cards::epurse::LoadInitialization initializeAt(std::uint32_t amount, ByteView terminalId);
    // The authorize request body for that initialization (this device's terminal id).
    net::wire::AuthorizeRequest authorizeRequest(
        const cards::epurse::LoadInitialization& init) const;
    // Opens the envelope, checks MAC1 with its DLK, runs CREDIT FOR LOAD with the MAC2 and
    // returns the result message (not yet signed).
    net::wire::TopupResult credit(const std::string& orderId,
                                  const cards::epurse::LoadInitialization& init,
                                  std::uint32_t amount, const net::wire::AuthorizeResponse& answer);
    // {"result","signature"} signed by the device key.
    nlohmann::json report(const net::wire::TopupResult& result) const;
    std::uint32_t balance() { return purse_.readBalance(); }

    static Bytes date() { return fromHex("20261121"); }
    static Bytes time() { return fromHex("221500"); }

  private:
    const Device& device_;
    std::shared_ptr<const sim::Issuer> issuer_;
    std::shared_ptr<sim::VirtualCard> virtualCard_;
    testing::VirtualCardChannel channel_;
    cards::epurse::EpurseCard purse_;
    cards::epurse::PublicInfo info_;
};

}  // namespace taplink::servertest
