// The script engine: runs a verified command script against the card and the secure chip,
// talks to the server through the daemon and has the daemon journal each checkpoint before
// it goes on. docs/scripts.md describes what each step does.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string_view>

#include "script/script.hpp"
#include "script/secret_string.hpp"
#include "script/variables.hpp"
#include "taplink/apdu/apdu_channel.hpp"

namespace taplink::script {

// The daemon's side of a "server" step: name is the script's call ("authorize"), which the
// daemon maps to one of its allow-listed HTTPS endpoints. A std::exception thrown here
// stops the run with ScriptError(server, ...) whose cause() is that exception.
class ServerExchange {
  public:
    ServerExchange() = default;
    ServerExchange(const ServerExchange&) = delete;
    ServerExchange& operator=(const ServerExchange&) = delete;
    virtual ~ServerExchange() = default;

    virtual nlohmann::json call(std::string_view name, const nlohmann::json& request) = 0;

  protected:
    ServerExchange(ServerExchange&&) = default;
    ServerExchange& operator=(ServerExchange&&) = default;
};

// Where checkpoints go: the daemon writes its journal here, durably, before returning. An
// exception thrown here stops the run before the next step and reaches run()'s caller
// unchanged.
class CheckpointSink {
  public:
    CheckpointSink() = default;
    CheckpointSink(const CheckpointSink&) = delete;
    CheckpointSink& operator=(const CheckpointSink&) = delete;
    virtual ~CheckpointSink() = default;

    // name: one of the script's scheme (scheme_rules.hpp): "authorized", "card_initialized",
    // "credited" for city-epurse; "arqc", "authorized", "script_sending", "loaded" for
    // bank-ec; "sealed", "authorized", "completed" for bank-purchase. saved: the step's save
    // list.
    virtual void checkpoint(std::string_view name, const Variables& saved) = 0;

  protected:
    CheckpointSink(CheckpointSink&&) = default;
    CheckpointSink& operator=(CheckpointSink&&) = default;
};

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct RunContext {
    RunContext(apdu::ApduChannel& cardChannel, apdu::ApduChannel& chipChannel,
               ServerExchange& serverExchange, CheckpointSink& checkpointSink)
        : card(cardChannel),
          chip(chipChannel),
          server(serverExchange),
          checkpoints(checkpointSink) {}

    apdu::ApduChannel& card;
    apdu::ApduChannel& chip;
    ServerExchange& server;
    CheckpointSink& checkpoints;
    // "authorizing", "writing", "confirming", "completing"; may be empty.
    std::function<void(std::string_view stage)> progress;
    // Polled between steps (never between a money APDU and its checkpoint); may be empty.
    std::function<bool()> cancelled;
    // Monotonic time for the run-time limit; empty: std::chrono::steady_clock.
    Clock clock;
    // The cardholder's online PIN (4..12 ASCII digits), asked for by an onlinePin step only
    // when the card's CVM needs it, at most once per step. Empty: that step stops the run
    // with not_accepted, outcome pin_unavailable. An exception thrown here (the cardholder
    // cancelled) propagates unchanged. The engine wipes the PIN after PUT PIN.
    std::function<SecretString()> pinEntry;
    // The script's declared inputs, exactly.
    Variables inputs;
};

// Runs the script and returns its declared outputs. ScriptError for everything the script
// or its answers get wrong, the limits and cancellation; exceptions from the channels (e.g.
// pcsc::PcscError when the card is pulled), the checkpoint sink and the progress callback
// propagate unchanged, so that the daemon can tell what happened to the card.
Variables run(const Script& script, RunContext& context);

}  // namespace taplink::script
