// libs/chip, the secure chip's layouts and answers: PIV (SELECT, GET DATA, GENERAL
// AUTHENTICATE, GENERATE KEY PAIR and the command data the simulated chip reads), the load
// SAM (authorization, envelope, chip info, MAC2 request), the payment applet's purchase
// layouts and the TSM's MANAGE data and status. The input is tried as each, and as the
// chip's successive answers to the PIV and load SAM drivers.
#include <optional>
#include <string_view>

#include "fuzz_support.hpp"
#include "scripted_card.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/chip/piv_protocol.hpp"

namespace taplink::chip {
namespace {

using fuzz::require;

template <class Layout, class Error>
std::optional<Layout> parsedAs(ByteView bytes) {
    try {
        return Layout::parse(bytes);
    } catch (const Error&) {
        return std::nullopt;
    }
}

// A parsed layout's encoding parses back and encodes to itself. TLV layouts accept their
// objects in any order, so the first encoding may reorder the input.
template <class Layout, class Error>
void checkCanonical(ByteView bytes, const char* invariant) {
    if (const auto parsed = parsedAs<Layout, Error>(bytes)) {
        const Bytes encoded = parsed->encode();
        require(Layout::parse(encoded).encode() == encoded, invariant);
    }
}

// Fixed layouts encode back to exactly the bytes parsed.
template <class Layout, class Error>
void checkExact(ByteView bytes, const char* invariant) {
    if (const auto parsed = parsedAs<Layout, Error>(bytes)) {
        require(parsed->encode() == Bytes(bytes.begin(), bytes.end()), invariant);
    }
}

void checkLoadSam(ByteView bytes) {
    checkExact<sam::LoadAuthorization, sam::LoadSamFormatError>(bytes, "SAM authorization");
    checkExact<sam::LoadMac2Request, sam::LoadSamFormatError>(bytes, "SAM MAC2 request");
    checkCanonical<sam::ChipInfo, sam::LoadSamFormatError>(bytes, "SAM chip info");
    try {
        const auto parts = sam::splitEnvelope(bytes);
        require(parts.ephemeralPublicKey.size() + parts.ciphertext.size() + parts.tag.size() ==
                    bytes.size(),
                "SAM envelope: the parts are the whole");
    } catch (const sam::LoadSamFormatError&) {
    }
    try {
        const auto parts = sam::splitSignedEnvelope(bytes);
        require(parts.envelope.size() == sam::kEnvelopeSize &&
                    parts.envelope.size() + parts.signature.size() == bytes.size(),
                "IMPORT data: the envelope and the signature are the whole");
    } catch (const sam::LoadSamFormatError&) {
    }
}

void checkPayment(ByteView bytes) {
    using pay::PurchaseFormatError;
    checkCanonical<pay::PurchaseRequest, PurchaseFormatError>(bytes, "BEGIN PURCHASE data");
    checkCanonical<pay::PurchaseStart, PurchaseFormatError>(bytes, "BEGIN PURCHASE answer");
    checkCanonical<pay::TokenAnswer, PurchaseFormatError>(bytes, "GENERATE TOKEN answer");
    checkCanonical<pay::SealedPurchase, PurchaseFormatError>(bytes, "sealed purchase");
    if (const auto digits = pay::panDigits(bytes)) {
        require(pay::isDigits(*digits), "PAN: digits only");
    }
}

void checkManagement(ByteView bytes) {
    using mgmt::ManagementFormatError;
    checkCanonical<mgmt::PaymentParameters, ManagementFormatError>(bytes, "MANAGE C1");
    checkCanonical<mgmt::PaymentKeys, ManagementFormatError>(bytes, "MANAGE C2");
    checkCanonical<mgmt::ManageRequest, ManagementFormatError>(bytes, "MANAGE data");
    checkCanonical<mgmt::AppletStatus, ManagementFormatError>(bytes, "applet status");
}

// What a PIV parser takes out of an answer, wrapped again by its encoder, comes out the same.
void checkPivAnswer(ByteView bytes, Bytes (*take)(ByteView), Bytes (*wrap)(ByteView),
                    const char* invariant) {
    std::optional<Bytes> taken;
    try {
        taken = take(bytes);
    } catch (const piv::PivFormatError&) {
        return;
    }
    require(take(wrap(*taken)) == *taken, invariant);
}

void checkPivAnswers(ByteView bytes) {
    checkPivAnswer(bytes, piv::pointFromPublicKeyTemplate, piv::publicKeyTemplate, "7F49 { 86 }");
    checkPivAnswer(bytes, piv::signatureFromResponse, piv::signatureResponse, "7C { 82 }");
    checkPivAnswer(bytes, piv::certificateFromObject, piv::certificateObject, "53 { 70 }");
    try {
        piv::pixFromPropertyTemplate(bytes);
    } catch (const piv::PivFormatError&) {
    }
}

// The command data the simulated chip reads; each gives nothing for what it cannot read.
void checkPivCommandData(ByteView bytes) {
    if (const auto challenge = piv::challengeFromRequest(bytes)) {
        require(piv::challengeFromRequest(piv::signatureRequest(*challenge)) == challenge,
                "7C { 82 00, 81 }");
    }
    if (const auto algorithm = piv::algorithmFromGenerationRequest(bytes)) {
        require(
            piv::algorithmFromGenerationRequest(piv::keyGenerationRequest(*algorithm)) == algorithm,
            "AC { 80 }");
    }
    piv::requestedObject(bytes);
    piv::certificateFromPutData(bytes);
}

// The daemon's PIV and load SAM drivers over the chip's successive answers.
template <class Session>
void overAnswers(ByteView answers, Session session) {
    fuzz::ScriptedCard chip(answers);
    try {
        session(chip);
    } catch (const piv::PivFormatError&) {
    } catch (const PivError&) {
    } catch (const sam::LoadSamFormatError&) {
    } catch (const LoadSamError&) {
    } catch (const fuzz::CardGone&) {
    } catch (const apdu::TransportError&) {
    }
}

void usePiv(apdu::ApduChannel& channel) {
    PivChip chip(channel);
    if (chip.select()) {
        chip.pinTriesLeft();
        chip.readCertificate();
        chip.generateKey();
        chip.signDigest(Bytes(32, 0x5A));
    }
}

void useLoadSam(apdu::ApduChannel& channel) {
    LoadSam sam(channel);
    if (sam.select()) {
        const sam::ChipInfo info = sam.info();
        require(!info.chipSerial.empty(), "chip info: a chip serial");
    }
}

// A wrong PIN's status word 63Cx says x tries are left, and x gives the word back.
void checkTriesLeft(ByteView bytes) {
    if (bytes.size() < 2) {
        return;
    }
    const auto statusWord = static_cast<std::uint16_t>(bigEndian(bytes.first(2)));
    if (const auto tries = piv::triesLeftOf(statusWord)) {
        require(piv::triesLeftStatus(*tries) == statusWord, "63Cx");
    }
}

void checkInput(ByteView bytes) {
    checkLoadSam(bytes);
    checkPayment(bytes);
    checkManagement(bytes);
    checkPivAnswers(bytes);
    checkPivCommandData(bytes);
    checkTriesLeft(bytes);
    overAnswers(bytes, usePiv);
    overAnswers(bytes, useLoadSam);
}

}  // namespace
}  // namespace taplink::chip

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::chip::checkInput(taplink::fuzz::bytesOf(data, size));
    return 0;
}
