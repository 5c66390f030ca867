// The server's signature on its money answers (docs/server.md, "Signed answers"): every answer
// to a POST under /v1/orders/ (the load, EC load and purchase authorizations, the results and
// the reversals, refusals included) carries two header fields,
//   TapLink-Signature:     base64 DER ECDSA-Sig-Value, P-256 over SHA-256 of the statement
//   TapLink-Signature-Key: 64 lower-case hex digits, SHA-256 of the key's DER
//                          SubjectPublicKeyInfo
// by the server's allowance key, whose public key taplinkd pins. The statement binds the answer
// to the request it answers and to the device that asked, so that the allowance (and the
// receipt) with the request and the signature is a proof of who allowed what.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink::net::wire {

inline constexpr std::string_view kAnswerSignatureHeader = "TapLink-Signature";
inline constexpr std::string_view kAnswerKeyIdHeader = "TapLink-Signature-Key";

// Whether the server signs the answer to this request: a POST under /v1/orders/ whose request
// line fits the statement (at most 255 bytes; an order id is at most 64 characters).
bool isSignedAnswerRequest(std::string_view method, std::string_view path);

// What the signature covers, big-endian:
//   magic "TLA1"(4) || HTTP status(2) || request length(1) || method SP path (ASCII)
//   || chip serial length(1) || chip serial (the device certificate's, 1..32)
//   || SHA-256(request body)(32) || SHA-256(answer body)(32)
inline constexpr std::string_view kAnswerStatementMagic = "TLA1";
// The request is held as its digest: a device keeps the proof without the request itself,
// which may hold a PAN (the EC load's authorize request).
struct AnswerStatement {
    int status = 0;          // 100..599
    std::string method;      // "POST"
    std::string path;        // "/v1/orders/ORD-1/authorize"
    Bytes chipSerial;        // 1..32
    Bytes requestDigest;     // 32: bodyDigest(the request body as sent)
    std::string answerBody;  // as received
};

// SHA-256 of a body's bytes.
Bytes bodyDigest(std::string_view body);

// WireFormatError for a status, request line, chip serial or digest outside the sizes above.
Bytes encodeAnswerStatement(const AnswerStatement& statement);

// A signed answer as the device keeps it (its journal): all an auditor needs to check the
// signature again with the allowance key's public key.
struct SignedAnswer {
    std::string orderId;
    AnswerStatement statement;
    std::string keyId;  // 64 lower-case hex digits
    Bytes signature;    // DER ECDSA-Sig-Value
};

}  // namespace taplink::net::wire
