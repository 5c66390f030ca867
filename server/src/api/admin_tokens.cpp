// The admin API's dynamic token verification (docs/server.md, "Dynamic token verification"):
// the bank checks the code a device's payment applet gave for its challenge, e.g. as a
// step-up. The token seed is opened from the TSM's sealed payment keys and never answered.
#include <openssl/crypto.h>

#include "api/admin_api.hpp"
#include "api/api_calls.hpp"
#include "api/token_verification.hpp"
#include "api/tsm_jobs.hpp"
#include "taplink/chip/payment_protocol.hpp"

namespace taplink::server {

namespace {

namespace pay = chip::pay;
namespace wire = net::wire;
using http::Request;
using http::Response;
using nlohmann::json;

struct TokenClaim {
    std::string chipSerial;
    std::string challenge;
    std::string code;
};

// QN08 (RFC 6287 6.3) and the 8-digit code of HOTP-SHA1-8.
std::string eightDigits(wire::StrictObject& in, const char* name) {
    std::string text = in.string(name);
    if (text.size() != pay::kTokenChallengeDigits || !pay::isDigits(text)) {
        in.failMember(name, "must be 8 digits");
    }
    return text;
}

}  // namespace

void AdminApi::addTokenRoutes() {
    router_.add("POST", "/admin/tokens/verify", memberRoute(this, &AdminApi::verifyToken));
}

// POST /admin/tokens/verify {"chipSerial","challenge","code"}
Response AdminApi::verifyToken(const Request& request, Call& /*call*/, const Params& /*path*/) {
    const Bytes& sealKey = requireTsm();
    TokenClaim claim = readBody(request, "token", [](wire::StrictObject& in) {
        return TokenClaim{in.string("chipSerial"), eightDigits(in, "challenge"),
                          eightDigits(in, "code")};
    });
    claim.chipSerial = chipSerialOf(claim.chipSerial);
    // A lock by the TSM (a lost device) stops its tokens at once, before the chip applies it.
    if (store_.isTsmAppletLocked(claim.chipSerial, chip::mgmt::Applet::Payment)) {
        throw ApiError(403, wire::refusal::kChipLocked,
                       "the payment applet of " + claim.chipSerial +
                           " is locked or ordered locked by the TSM: its tokens are refused");
    }
    auto keys = openPaymentKeys(store_, sealKey, claim.chipSerial);
    if (!keys) {
        throw ApiError(404, "no_token_seed",
                       "the TSM has no payment keys for chip " + claim.chipSerial +
                           " (personalise its payment applet first)");
    }
    const auto counter = ::taplink::server::verifyToken(store_, keys->tokenSeed, claim.chipSerial,
                                                        claim.challenge, claim.code);
    for (Bytes* key : {&keys->channelKey, &keys->pinKey, &keys->tokenSeed}) {
        OPENSSL_cleanse(key->data(), key->size());
    }
    // The audit trail: what was accepted and what was tried.
    store_.recordEvent(EventRecord{0, 0, counter ? "token_accepted" : "refused", "",
                                   claim.chipSerial, counter ? "" : "token_refused",
                                   counter ? "counter " + std::to_string(*counter) : ""});
    if (!counter) {
        throw ApiError(403, "token_refused",
                       "the code is not the chip's for this challenge within its counter window, "
                       "or was already accepted");
    }
    return http::jsonResponse(
        200, json{{"chipSerial", claim.chipSerial}, {"verified", true}, {"counter", *counter}});
}

}  // namespace taplink::server
