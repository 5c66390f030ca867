// What taplink prints for a person (without --json). Each function takes a method's result
// as docs/api.md describes it and returns whole lines; nlohmann::json::exception when the
// daemon's answer does not have that shape.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace taplink::cli {

// "¥50.00" for 5000 fen, "-¥2.00" for -200.
std::string formatYuan(std::int64_t fen);

std::string formatReaders(const nlohmann::json& readersList);
std::string formatCardInfo(const nlohmann::json& cardInfo);
std::string formatHistory(const nlohmann::json& cardHistory);
std::string formatProgress(const nlohmann::json& progress);  // one topup.progress
std::string formatReceipt(const nlohmann::json& topupResult);
std::string formatEcloadProgress(const nlohmann::json& progress);  // one ecload.progress
std::string formatEcloadReceipt(const nlohmann::json& ecloadResult);
std::string formatPayProgress(const nlohmann::json& progress);  // one pay.progress
std::string formatPayReceipt(const nlohmann::json& payResult);
// What `taplink pay` shows before the PIN (ui.request kind "pin"): amount, merchant, card,
// and after a wrong PIN the tries left ("还可尝试 N 次 · N tries left").
std::string formatPinPrompt(const nlohmann::json& pinRequest);
// Who asks a trusted-UI question (a whole ui.request): the web page's origin and whether the
// browser vouched for it (originVouched, docs/api.md "Trusted UI") or a local program only
// claimed it, in Chinese and English; nothing for an owner's question (no origin).
std::string formatAsker(const nlohmann::json& uiRequest);
std::string formatEvent(std::string_view event, const nlohmann::json& params);
// chip.status: one line per applet; chip.sync: one line per job, then the applets.
std::string formatChipStatus(const nlohmann::json& chipStatus);
std::string formatChipSync(const nlohmann::json& chipSync);
// token.generate: the code and the counter it used.
std::string formatToken(const nlohmann::json& token);

}  // namespace taplink::cli
