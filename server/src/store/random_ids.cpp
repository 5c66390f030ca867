#include "store/random_ids.hpp"

#include "taplink/crypto/random.hpp"

namespace taplink::server {

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kCharacters = 20;  // 5 bits each

std::string randomBase32() {
    const Bytes random = crypto::randomBytes((kCharacters * 5 + 7) / 8);
    std::string out;
    unsigned buffer = 0;
    unsigned bits = 0;
    for (const std::uint8_t octet : random) {
        buffer = (buffer << 8U) | octet;
        bits += 8;
        while (bits >= 5 && out.size() < kCharacters) {
            out.push_back(kBase32[(buffer >> (bits - 5)) & 0x1FU]);
            bits -= 5;
        }
        buffer &= (1U << bits) - 1U;
    }
    return out;
}

}  // namespace

std::string newOrderId() {
    return "ORD-" + randomBase32();
}

std::string newReceiptId() {
    return "RCP-" + randomBase32();
}

std::string newAccountId() {
    return "ACC-" + randomBase32();
}

std::string newTsmJobId() {
    return "TSM-" + randomBase32();
}

}  // namespace taplink::server
