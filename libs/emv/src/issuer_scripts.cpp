// Running issuer scripts (Book 3 10.10) and their results (Book 4 Annex A5).
#include <algorithm>

#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_transport.hpp"
#include "taplink/emv/online.hpp"

namespace taplink::emv {

namespace {

constexpr std::uint8_t kScriptFailed = 0x10;
constexpr std::uint8_t kScriptSucceeded = 0x20;
constexpr std::size_t kLastNumberedCommand = 15;  // F: the 15th command or a later one

// SW1 90, 62 or 63: the command was processed (Book 3 10.10).
bool commandSucceeded(std::uint16_t statusWord) {
    return statusWord >> 8U == 0x90U || isWarning(statusWord);
}

ScriptResult runScript(apdu::ApduChannel& channel, const IssuerScript& script) {
    for (std::size_t i = 0; i < script.commands.size(); ++i) {
        if (!commandSucceeded(exchange(channel, script.commands[i]).sw)) {
            const auto sequence = static_cast<std::uint8_t>(std::min(i + 1, kLastNumberedCommand));
            return ScriptResult{static_cast<std::uint8_t>(kScriptFailed | sequence), script.id};
        }
    }
    return ScriptResult{kScriptSucceeded, script.id};
}

}  // namespace

std::vector<ScriptResult> runIssuerScripts(apdu::ApduChannel& channel,
                                           const std::vector<IssuerScript>& scripts,
                                           std::uint32_t templateTag, Tvr& tvr, Tsi& tsi) {
    std::vector<ScriptResult> results;
    for (const IssuerScript& script : scripts) {
        if (script.templateTag != templateTag) {
            continue;
        }
        tsi.set(TsiBit::ScriptProcessingPerformed);
        results.push_back(runScript(channel, script));
        if ((results.back().result & 0xF0U) == kScriptFailed) {
            tvr.set(templateTag == tag::kIssuerScriptBeforeFinalGac
                        ? TvrBit::ScriptFailedBeforeFinalGac
                        : TvrBit::ScriptFailedAfterFinalGac);
        }
    }
    return results;
}

}  // namespace taplink::emv
