#include "control_protocol.hpp"

#include <stdexcept>

#include "cards/profiles.hpp"

namespace taplink::sim {

namespace {
using nlohmann::json;

Slot& slotFor(const json& request, std::vector<std::unique_ptr<Slot>>& slots) {
    const auto index = request.at("slot").get<long long>();
    if (index < 0 || static_cast<std::size_t>(index) >= slots.size()) {
        throw std::out_of_range("no slot " + std::to_string(index));
    }
    return *slots[static_cast<std::size_t>(index)];
}

json slotJson(const SlotStatus& status) {
    return json{
        {"index", status.index},         {"identity", status.identity},
        {"port", status.port},           {"card", status.card.empty() ? json() : json(status.card)},
        {"connected", status.connected}, {"apdus", status.apdus}};
}

FaultPlan faultPlanFrom(const json& request) {
    FaultPlan plan;
    if (request.contains("pull_at")) {
        plan.pullAt = request.at("pull_at").get<unsigned>();
        plan.pullAfterProcessing = request.value("after_processing", false);
    }
    if (request.contains("status_word")) {
        const Bytes word = fromHex(request.at("status_word").get<std::string>());
        if (word.size() != 2) {
            throw std::invalid_argument("status_word must be 2 bytes of hex");
        }
        plan.statusWordAt = request.value("at", 1U);
        plan.statusWord = static_cast<std::uint16_t>((word[0] << 8U) | word[1]);
    }
    if (request.contains("delay_ms")) {
        plan.delayAt = request.value("at", 0U);
        plan.delay = std::chrono::milliseconds(request.at("delay_ms").get<unsigned>());
    }
    if (!plan.pullAt && !plan.statusWordAt && !plan.delayAt) {
        throw std::invalid_argument("fault needs pull_at, status_word or delay_ms");
    }
    return plan;
}

CardOptions cardOptionsFrom(const json& request, const SimSettings& settings) {
    CardOptions options;
    options.stateDir = settings.stateDir;
    if (request.contains("serial")) {
        options.serial = fromHex(request.at("serial").get<std::string>());
    }
    if (request.contains("balance")) {
        options.balance = request.at("balance").get<std::uint32_t>();
    }
    if (request.contains("pan")) {
        options.pan = request.at("pan").get<std::string>();  // bank cards
    }
    if (request.contains("expiry")) {
        options.expiry = request.at("expiry").get<std::string>();
    }
    return options;
}

json dispatch(const json& request, std::vector<std::unique_ptr<Slot>>& slots,
              const SimSettings& settings) {
    const auto command = request.at("cmd").get<std::string>();
    if (command == "status") {
        json list = json::array();
        for (const auto& slot : slots) {
            list.push_back(slotJson(slot->status()));
        }
        return json{{"ok", true}, {"slots", list}};
    }
    if (command == "profiles") {
        return json{{"ok", true}, {"profiles", profileNames()}};
    }
    if (command == "insert") {
        Slot& slot = slotFor(request, slots);
        insertIntoSlot(slots, slot,
                       request.contains("card") ? makeCard(request.at("card").get<std::string>(),
                                                           cardOptionsFrom(request, settings))
                                                : nullptr);
        return json{{"ok", true}};
    }
    if (command == "remove") {
        slotFor(request, slots).remove();
        return json{{"ok", true}};
    }
    if (command == "fault") {
        slotFor(request, slots).arm(faultPlanFrom(request));
        return json{{"ok", true}};
    }
    if (command == "clear_faults") {
        slotFor(request, slots).clearFaults();
        return json{{"ok", true}};
    }
    throw std::invalid_argument("unknown command '" + command + "'");
}
}  // namespace

void insertIntoSlot(std::vector<std::unique_ptr<Slot>>& slots, Slot& slot,
                    std::shared_ptr<VirtualCard> card) {
    const std::string identity = slot.identityOfNextInsert(card);
    if (!identity.empty()) {
        for (const auto& other : slots) {
            const SlotStatus status = other->status();
            if (status.identity == identity) {
                throw std::logic_error("card " + identity + " is already in slot " +
                                       std::to_string(status.index));
            }
        }
    }
    slot.insert(std::move(card));
}

json handleControlRequest(const json& request, std::vector<std::unique_ptr<Slot>>& slots,
                          const SimSettings& settings) {
    try {
        if (!request.is_object()) {
            throw std::invalid_argument("a request is a JSON object");
        }
        return dispatch(request, slots, settings);
    } catch (const std::exception& error) {
        return json{{"ok", false}, {"error", error.what()}};
    }
}

}  // namespace taplink::sim
