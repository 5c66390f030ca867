// Unguessable identifiers: a prefix and 20 characters of RFC 4648 base32 (100 random bits).
#pragma once

#include <string>

namespace taplink::server {

std::string newOrderId();    // "ORD-" + 20 base32 characters
std::string newReceiptId();  // "RCP-" + 20 base32 characters
std::string newAccountId();  // "ACC-" + 20 base32 characters
std::string newTsmJobId();   // "TSM-" + 20 base32 characters

}  // namespace taplink::server
