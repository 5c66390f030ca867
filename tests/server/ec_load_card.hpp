// The bank card's and the daemon's half of an EC load (圈存), in process, for the server
// tests: a PBOC card's keys derived from the server's issuers.json with crypto::emv, the
// first GENERATE AC's ARQC, the card's checks of the ARPC and of the issuer script's MAC
// (as sim/src/applets/pboc_transaction.cpp makes them), the second GENERATE AC and the
// signed result and reversal messages.
#pragma once

#include <cstdint>
#include <string>

#include "taplink/crypto/emv_keys.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/issuer_keys.hpp"
#include "test_pki.hpp"

namespace taplink::servertest {

// The terminal data of the first GENERATE AC, changeable per test.
struct EcTerms {
    std::uint32_t amount = 0;
    Bytes currency{0x01, 0x56};
    std::uint8_t transactionType = 0x60;
};

class EcLoadCard {
  public:
    EcLoadCard(const sim::BankIssuer& issuer, crypto::emv::Suite suite, std::string pan,
               std::uint32_t ecBalance, std::uint32_t ecBalanceLimit);

    // CDOL1 9F02 06 9F03 06 9F1A 02 95 05 5F2A 02 9A 03 9C 01 9F37 04 with the ARQC; the
    // card's ATC moves on.
    net::wire::EcAuthorizeRequest firstGenerateAc(const EcTerms& terms, ByteView terminalId);
    // The card's issuer authentication: the ARPC for the ARQC and the answer's ARC.
    bool authenticates(const net::wire::EcAuthorizeResponse& answer) const;
    // The card's PUT DATA with its MAC check; the balance changes only when it verifies.
    bool runScript(ByteView issuerScriptTemplate);
    // The second GENERATE AC (TC or AAC) and the result message after the script.
    net::wire::EcLoadResult result(const std::string& orderId,
                                   const net::wire::EcAuthorizeResponse& answer, bool tc,
                                   std::uint8_t scriptResultByte);
    // A result message as a device could make it: the card's real cryptogram over cdol2Data,
    // AIP, ATC and cvr, under the CID given (the forgeries the server must refuse).
    net::wire::EcLoadResult secondAc(const std::string& orderId,
                                     const net::wire::EcAuthorizeResponse& answer,
                                     ByteView cdol2Data, ByteView cvr, std::uint8_t cid,
                                     std::uint8_t scriptResultByte) const;
    net::wire::EcLoadReversal reversal(const std::string& orderId,
                                       const net::wire::EcAuthorizeResponse& answer) const;

    std::uint32_t balance() const { return balance_; }
    const std::string& pan() const { return pan_; }
    std::uint16_t atc() const { return atc_; }
    const Bytes& lastArqc() const { return arqc_; }
    const Bytes& cdol1Data() const { return cdol1Data_; }

  private:
    Bytes sessionKey(ByteView issuerMasterKey) const;
    Bytes iad() const;

    crypto::emv::Suite suite_;
    sim::BankMasterKeys keys_;
    std::string pan_;
    std::uint8_t psn_ = 0x01;
    std::uint32_t balance_;
    std::uint32_t limit_;
    std::uint16_t atc_ = 0x0010;
    Bytes aip_{0x1C, 0x00};
    Bytes arqc_;
    Bytes cdol1Data_;
    Bytes terminalId_;
};

// {"result","signature"} over message with the device key.
nlohmann::json signedReport(const Device& device, ByteView message);

}  // namespace taplink::servertest
