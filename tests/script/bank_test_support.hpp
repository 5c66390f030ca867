// What the bank EC-load script tests share: a simulated bank card in process (taplink-sim's
// bank-3des, bank-sm4, bank-dual) behind a counting channel, and a server stand-in that plays
// the issuer with crypto::emv and the test bank issuer's keys: it reads the request with the
// server's parser (net::wire::EcAuthorizeRequest), verifies the ARQC and answers ARC 3030,
// the ARPC and a template-72 PUT DATA 9F79 script with the right MAC, or declines like the
// server (ARC 3531 and its ARPC only, docs/server.md).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "script_test_support.hpp"
#include "taplink/crypto/emv_keys.hpp"

namespace taplink::script::testing {

// What the issuer knows of one ARQC, with the test bank issuer's keys: the card's keys come
// from PAN and PSN, the suite from the IAD's algorithm indicator (byte 8, JR/T 0025.5).
struct IssuerCryptogram {
    crypto::emv::Suite suite;
    std::string pan;
    std::uint8_t psn = 0;
    std::uint16_t atc = 0;
    Bytes arqc;

    Bytes sessionKey(ByteView imk) const;
    // The ARQC over this CDOL1 data, AIP and the IAD's CVR (CVN 01).
    bool verifies(ByteView cdol1Data, ByteView aip, ByteView iad) const;
    Bytes arpc(ByteView arc) const;
};

// The issuer's side of ecload-authorize (docs/scripts.md, "Bank EC load").
class BankIssuerServer : public ServerExchange {
  public:
    explicit BankIssuerServer(std::uint64_t amountToLoad) : amount(amountToLoad) {}

    nlohmann::json call(std::string_view name, const nlohmann::json& request) override;

    std::uint64_t amount;  // the order's, added to the card's ecBalance
    std::vector<std::string> calls;
    std::vector<nlohmann::json> requests;
    bool arqcVerified = false;
    bool spoilArpc = false;
    bool spoilScriptMac = false;
    bool decline = false;  // ARC "51" (insufficient funds): no nonce, script or newBalance
    // The commands of the template-72 script; empty: the PUT DATA of the new balance.
    std::vector<Bytes> scriptCommands;
    std::function<void(nlohmann::json&)> tamper;
};

struct BankCase {
    std::string profile;
    std::string aid;  // hex
    crypto::emv::Suite suite;
};

inline void PrintTo(const BankCase& bankCase, std::ostream* out) {
    *out << bankCase.profile << " " << bankCase.aid;
}

// A bank card with kInitialBalance in its EC, the issuer stand-in and a recording sink; the
// chip is a secure chip no bank script may talk to.
struct BankBed {
    static constexpr std::uint32_t kInitialBalance = 10000;  // 100.00 yuan
    static constexpr std::uint32_t kAmount = 5000;           // 50.00 yuan
    static constexpr std::uint64_t kEcLimit = 100000;        // the card's 9F77, 1000.00 yuan

    // expiry: the card's 5F24 (YYMMDD); empty: the simulator's default 311231.
    explicit BankBed(const BankCase& bankCase, std::string expiry = "");

    Variables inputs(std::uint32_t amount = kAmount) const;
    RunContext context(Variables runInputs);
    // The EC balance (9F79) of the application, read past the counting channel.
    std::uint64_t cardBalance();
    std::string pan() const;

    BankCase bankCase;
    std::shared_ptr<sim::VirtualCard> card;
    std::shared_ptr<sim::VirtualCard> chip;
    taplink::testing::VirtualCardChannel cardLink{card};
    taplink::testing::VirtualCardChannel chipLink{chip};
    CountingChannel cardChannel{cardLink};
    CountingChannel chipChannel{chipLink};
    BankIssuerServer server{kAmount};
    RecordingSink sink;
    std::vector<std::string> stages;
};

std::vector<BankCase> bankCases();

}  // namespace taplink::script::testing
