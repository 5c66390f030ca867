#include "taplink/crypto/openssl_handles.hpp"

#include <openssl/err.h>

#include <array>
#include <string>

namespace taplink::crypto {

void throwOpenSslError(std::string_view what) {
    std::string message(what);
    message += " failed";
    const char* separator = ": ";
    const char* data = nullptr;
    int flags = 0;
    for (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags);
         code != 0; code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
        std::array<char, 256> text{};
        ERR_error_string_n(code, text.data(), text.size());
        message += separator;
        message += text.data();
        // The detail a provider or library attached (e.g. the chip's "wrong PIN").
        if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
            message += " (";
            message += data;
            message += ")";
        }
        separator = "; ";
    }
    throw CryptoError(message);
}

}  // namespace taplink::crypto
