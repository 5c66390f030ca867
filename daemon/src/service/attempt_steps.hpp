// What a city top-up and a bank EC load do alike before the card is written: fetch the
// order and the signed script, wait for a card, and make sure the card the user confirmed
// is still the one on the reader. TopupAttempt and EcLoadAttempt build on it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "script/script.hpp"
#include "script/signed_script.hpp"
#include "service/topup_types.hpp"
#include "taplink/protocol/error_code.hpp"

namespace taplink::service {

class RunningTopup;

// The transaction's date (BCD YYYYMMDD) and time (hhmmss), local time: CREDIT FOR LOAD's, and
// an EC load's 9A (the last three date bytes) and 9F21.
std::pair<Bytes, Bytes> transactionDateTime();
Bytes asciiBytes(const std::string& text);

class AttemptSteps {
  public:
    AttemptSteps(TopupPorts& ports, const std::vector<script::TrustedKey>& scriptKeys,
                 const TopupSettings& settings, RunningTopup& running)
        : ports_(ports), scriptKeys_(scriptKeys), settings_(settings), running_(running) {}

  protected:
    // The open order; `unsupported` is the error for an order of another scheme.
    net::wire::Order fetchOrder(std::string_view scheme, api::ErrorCode unsupported);
    script::Script fetchScript(const net::wire::Order& order);
    // pcsc_unavailable while pcscd is down; no_reader for a named reader that is not there.
    void requireReaders(const std::string& wanted) const;
    ReaderInfo waitForCard(const std::string& reader);
    // The card the user confirmed, still: card_removed when it left or was swapped.
    void requireSameCard(const ReaderInfo& confirmed) const;

    TopupPorts& ports_;
    const std::vector<script::TrustedKey>& scriptKeys_;
    const TopupSettings& settings_;
    RunningTopup& running_;
};

}  // namespace taplink::service
