// Book 1 12.4 over the PPSE: candidate list, choice, final SELECT.
#include "taplink/emv/selection.hpp"

#include <algorithm>
#include <array>

#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_transport.hpp"

namespace taplink::emv {

namespace {

constexpr std::uint16_t kApplicationBlocked = 0x6283;  // selected file deactivated (Book 1 12.4)

// The application is not there or blocked: it leaves the candidate list (Book 1 12.4).
constexpr std::array<std::uint16_t, 3> kDropCandidate{apdu::sw::kFunctionNotSupported,
                                                      apdu::sw::kFileNotFound, kApplicationBlocked};

std::vector<Candidate> readCandidates(apdu::ApduChannel& channel,
                                      const std::vector<Bytes>& supportedAids) {
    const Bytes name(kPpseName.begin(), kPpseName.end());
    const apdu::ResponseApdu answer = exchange(channel, selectByName(name));
    if (answer.sw == apdu::sw::kFileNotFound) {
        throw EmvError(EmvErrorCode::NoApplication, "the card has no PPSE", answer.sw);
    }
    return candidateList(parsePpseFci(requireSuccess(answer, "SELECT PPSE")), supportedAids);
}

std::size_t chooseFrom(const std::vector<Candidate>& candidates, ApplicationChooser& chooser) {
    if (candidates.size() == 1 && !candidates.front().needsConfirmation) {
        return 0;
    }
    const std::optional<std::size_t> chosen = chooser.choose(candidates);
    if (!chosen) {
        throw EmvError(EmvErrorCode::Cancelled, "the cardholder chose no application");
    }
    if (*chosen >= candidates.size()) {
        throw EmvError(EmvErrorCode::TerminalDataInvalid, "the chooser picked no candidate");
    }
    return *chosen;
}

bool dropsCandidate(std::uint16_t statusWord) {
    return std::find(kDropCandidate.begin(), kDropCandidate.end(), statusWord) !=
           kDropCandidate.end();
}

}  // namespace

SelectedApplication selectApplication(apdu::ApduChannel& channel,
                                      const std::vector<Bytes>& supportedAids,
                                      ApplicationChooser& chooser) {
    std::vector<Candidate> candidates = readCandidates(channel, supportedAids);
    while (!candidates.empty()) {
        const std::size_t index = chooseFrom(candidates, chooser);
        const Candidate candidate = candidates[index];
        const apdu::ResponseApdu answer = exchange(channel, selectByName(candidate.aid));
        if (dropsCandidate(answer.sw)) {
            candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(index));
            continue;
        }
        const Bytes fci = requireSuccess(answer, "SELECT " + toHex(candidate.aid));
        return SelectedApplication{candidate, parseApplicationFci(fci, candidate.aid)};
    }
    throw EmvError(EmvErrorCode::NoApplication, "no application on the card that we support");
}

}  // namespace taplink::emv
