// The cards taplink-sim can insert, by profile name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "card/virtual_card.hpp"

namespace taplink::sim {

// "iso-t1": a T=1 card with an ISO 7816-4 file system and the diagnostics application.
// "iso-t0": the same files behind a T=0 ATR, answering like a T=0 card (61xx, 6Cxx).
std::vector<std::string> profileNames();

// Throws std::invalid_argument for an unknown profile.
std::shared_ptr<VirtualCard> makeCard(std::string_view profile);

}  // namespace taplink::sim
