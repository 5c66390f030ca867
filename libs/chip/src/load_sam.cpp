#include "taplink/chip/load_sam.hpp"

#include <utility>

namespace taplink::chip {

LoadSamError::LoadSamError(std::string operation, std::uint16_t statusWord)
    : std::runtime_error(operation + ": " + sam::describeStatusWord(statusWord) + " (SW " +
                         apdu::statusWordHex(statusWord) + ")"),
      operation_(std::move(operation)),
      statusWord_(statusWord) {}

Bytes LoadSam::exchange(const apdu::CommandApdu& command, const char* operation) {
    apdu::ResponseApdu response = channel_.transmit(command);
    if (!response.ok()) {
        throw LoadSamError(operation, response.sw);
    }
    return std::move(response.data);
}

bool LoadSam::select() {
    const apdu::ResponseApdu response = channel_.transmit(sam::selectApplication());
    if (response.sw == apdu::sw::kFileNotFound) {
        return false;
    }
    if (!response.ok()) {
        throw LoadSamError("SELECT load SAM", response.sw);
    }
    return true;
}

sam::ChipInfo LoadSam::info() {
    return sam::ChipInfo::parse(exchange(sam::getChipInfo(), "GET CHIP INFO"));
}

void LoadSam::importAuthorization(ByteView envelope, ByteView allowanceSignature) {
    exchange(sam::importLoadAuthorization(envelope, allowanceSignature),
             "IMPORT LOAD AUTHORIZATION");
}

Bytes LoadSam::computeLoadMac2(ByteView cardSerial,
                               const cards::epurse::LoadInitialization& initialization,
                               std::uint32_t amount, ByteView terminalId, ByteView date,
                               ByteView time) {
    sam::LoadMac2Request request;
    request.cardSerial.assign(cardSerial.begin(), cardSerial.end());
    request.initialization = initialization;
    request.amount = amount;
    request.terminalId.assign(terminalId.begin(), terminalId.end());
    request.date.assign(date.begin(), date.end());
    request.time.assign(time.begin(), time.end());
    Bytes mac2 = exchange(sam::computeLoadMac2(request), "COMPUTE LOAD MAC2");
    if (mac2.size() != sam::kMac2Size) {
        throw sam::LoadSamFormatError("COMPUTE LOAD MAC2: answer of " +
                                      std::to_string(mac2.size()) + " bytes, expected 4");
    }
    return mac2;
}

Bytes LoadSam::sm2Sign(ByteView message) {
    Bytes signature = exchange(sam::sm2Sign(message), "SM2 SIGN");
    if (signature.empty()) {
        throw sam::LoadSamFormatError("SM2 SIGN: empty answer");
    }
    return signature;
}

}  // namespace taplink::chip
