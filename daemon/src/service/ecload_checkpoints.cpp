#include "service/ecload_checkpoints.hpp"

#include "taplink/protocol/ecload_wire.hpp"

namespace taplink::service {

using journal::EcLoadState;
using nlohmann::json;

json detailsOf(const script::Variables& saved) {
    json details = json::object();
    for (const auto& [name, value] : saved) {
        if (name == "panMasked" || name == "authCode") {  // text (a purchase's 89 is an 6)
            const Bytes& text = std::get<Bytes>(value);
            details[name] = std::string(text.begin(), text.end());
        } else if (script::isBytes(value)) {
            details[name] = toHex(std::get<Bytes>(value));
        } else {
            details[name] = std::get<std::uint64_t>(value);
        }
    }
    return details;
}

void EcLoadCheckpoints::checkpoint(std::string_view name, const script::Variables& saved) {
    json details = detailsOf(saved);
    if (name == "arqc") {
        beforeArqc_();  // from here the account may be debited: cancel is too late
        details.update(daemonData_);
        journal_.advance(orderId_, EcLoadState::Arqc, details);
    } else if (name == "authorized") {
        journal_.advance(orderId_, EcLoadState::Authorized, details);
    } else if (name == "script_sending") {
        if ((saved.bytes("cid2").at(0) & net::wire::kCidTypeMask) == net::wire::kCidAac) {
            throw CardDeclinedLoad();
        }
        journal_.advance(orderId_, EcLoadState::ScriptSending, details);
    } else if (name == "loaded") {
        journal_.advance(orderId_, EcLoadState::Loaded, details);
    } else {
        throw std::invalid_argument("the daemon has no EC-load checkpoint '" + std::string(name) +
                                    "'");
    }
}

}  // namespace taplink::service
