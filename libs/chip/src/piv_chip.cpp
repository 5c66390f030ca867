#include "taplink/chip/piv_chip.hpp"

namespace taplink::chip {

namespace {

std::string messageFor(const std::string& operation, std::uint16_t statusWord) {
    return operation + ": " + describePivStatusWord(statusWord) + " (SW " +
           apdu::statusWordHex(statusWord) + ")";
}

[[noreturn]] void throwFor(const std::string& operation, std::uint16_t statusWord) {
    if (const auto triesLeft = piv::triesLeftOf(statusWord)) {
        if (*triesLeft == 0) {
            throw PinBlockedError(operation, statusWord);
        }
        throw WrongPinError(operation, statusWord, *triesLeft);
    }
    if (statusWord == piv::sw::kPinBlocked) {
        throw PinBlockedError(operation, statusWord);
    }
    if (statusWord == apdu::sw::kSecurityNotSatisfied) {
        throw PinRequiredError(operation, statusWord);
    }
    throw PivError(operation, statusWord);
}

}  // namespace

std::string describePivStatusWord(std::uint16_t statusWord) {
    if (const auto triesLeft = piv::triesLeftOf(statusWord)) {
        return "wrong PIN, " + std::to_string(*triesLeft) + " tries left";
    }
    switch (statusWord) {
        case piv::sw::kPinBlocked:
            return "PIN blocked";
        case apdu::sw::kSecurityNotSatisfied:
            return "PIN not verified";
        case apdu::sw::kFileNotFound:
            return "application or data object not found";
        case apdu::sw::kWrongData:
            return "data not accepted";
        case apdu::sw::kIncorrectP1P2:
            return "key or algorithm reference not supported";
        case apdu::sw::kConditionsNotSatisfied:
            return "conditions of use not satisfied";
        case apdu::sw::kWrongLength:
            return "wrong length";
        default:
            return "status " + apdu::statusWordHex(statusWord);
    }
}

PivError::PivError(const std::string& operation, std::uint16_t statusWord)
    : PivError(operation, statusWord, messageFor(operation, statusWord)) {}

PivError::PivError(std::string operation, std::uint16_t statusWord, const std::string& message)
    : std::runtime_error(message), operation_(std::move(operation)), statusWord_(statusWord) {}

WrongPinError::WrongPinError(const std::string& operation, std::uint16_t statusWord, int triesLeft)
    : PivError(operation, statusWord), triesLeft_(triesLeft) {}

PinBlockedError::PinBlockedError(const std::string& operation, std::uint16_t statusWord)
    : PivError(operation, statusWord) {}

PinRequiredError::PinRequiredError(const std::string& operation, std::uint16_t statusWord)
    : PivError(operation, statusWord) {}

bool PivChip::select() {
    const auto response = channel_.transmit(piv::selectApplication());
    if (response.sw == apdu::sw::kFileNotFound) {
        return false;
    }
    if (!response.ok()) {
        throwFor("SELECT PIV", response.sw);
    }
    if (!response.data.empty() &&
        piv::pixFromPropertyTemplate(response.data) != piv::applicationPix()) {
        throw piv::PivFormatError("SELECT PIV: the application announces another PIX");
    }
    return true;
}

Bytes PivChip::readCertificate() {
    const Bytes object =
        exchange(piv::getData(piv::kObjectAuthenticationCert), "GET DATA certificate 9A");
    return piv::certificateFromObject(object);
}

void PivChip::verifyPin(std::string_view pin) {
    exchange(piv::verifyPin(pin), "VERIFY PIN");
}

std::optional<int> PivChip::pinTriesLeft() {
    const auto response = channel_.transmit(piv::pinStatus());
    if (response.ok()) {
        return std::nullopt;
    }
    if (const auto triesLeft = piv::triesLeftOf(response.sw)) {
        return *triesLeft;
    }
    if (response.sw == piv::sw::kPinBlocked) {
        return 0;
    }
    throwFor("VERIFY PIN status", response.sw);
}

void PivChip::changePin(std::string_view oldPin, std::string_view newPin) {
    exchange(piv::changePin(oldPin, newPin), "CHANGE REFERENCE DATA");
}

Bytes PivChip::signDigest(ByteView digest) {
    const Bytes answer =
        exchange(piv::signWithAuthenticationKey(digest), "GENERAL AUTHENTICATE 9A");
    return piv::signatureFromResponse(answer);
}

Bytes PivChip::generateKey() {
    const Bytes answer =
        exchange(piv::generateAuthenticationKey(), "GENERATE ASYMMETRIC KEY PAIR 9A");
    return piv::pointFromPublicKeyTemplate(answer);
}

void PivChip::writeCertificate(ByteView certificateDer) {
    for (const auto& command : piv::putAuthenticationCertificate(certificateDer)) {
        exchange(command, "PUT DATA certificate 9A");
    }
}

Bytes PivChip::exchange(const apdu::CommandApdu& command, const char* operation) {
    auto response = channel_.transmit(command);
    if (!response.ok()) {
        throwFor(operation, response.sw);
    }
    return std::move(response.data);
}

}  // namespace taplink::chip
