#include "crypto/openssl_handles.hpp"

#include <openssl/err.h>

#include <array>
#include <string>

namespace taplink::crypto {

void throwOpenSslError(std::string_view what) {
    std::string message(what);
    message += " failed";
    const char* separator = ": ";
    for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
        std::array<char, 256> text{};
        ERR_error_string_n(code, text.data(), text.size());
        message += separator;
        message += text.data();
        separator = "; ";
    }
    throw CryptoError(message);
}

}  // namespace taplink::crypto
