#include "taplink/pcsc/context.hpp"

#include <PCSC/pcsclite.h>

#include <utility>

#include "taplink/pcsc/errors.hpp"

namespace taplink::pcsc {

Context Context::establish() {
    SCARDCONTEXT handle = 0;
    check(SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &handle),
          "SCardEstablishContext");
    Context context(handle);
    context.owned_ = true;
    return context;
}

Context::Context(Context&& other) noexcept
    : handle_(std::exchange(other.handle_, 0)), owned_(std::exchange(other.owned_, false)) {}

Context& Context::operator=(Context&& other) noexcept {
    if (this != &other) {
        release();
        handle_ = std::exchange(other.handle_, 0);
        owned_ = std::exchange(other.owned_, false);
    }
    return *this;
}

Context::~Context() {
    release();
}

void Context::release() noexcept {
    if (owned_) {
        SCardReleaseContext(handle_);
        owned_ = false;
    }
}

std::vector<std::string> Context::listReaders() const {
    // The list can grow between the two calls; retry on a short buffer.
    for (int attempt = 0; attempt < 3; ++attempt) {
        DWORD length = 0;
        LONG rv = SCardListReaders(handle_, nullptr, nullptr, &length);
        if (classify(rv) == ErrorKind::NoReaders) {
            return {};
        }
        check(rv, "SCardListReaders");
        std::string buffer(length, '\0');
        rv = SCardListReaders(handle_, nullptr, buffer.data(), &length);
        if (classify(rv) == ErrorKind::NoReaders) {
            return {};
        }
        if (bufferTooSmall(rv)) {
            continue;
        }
        check(rv, "SCardListReaders");
        buffer.resize(length);
        // A multi-string: names separated by NUL, ended by an empty name.
        std::vector<std::string> names;
        for (std::size_t pos = 0; pos < buffer.size() && buffer[pos] != '\0';) {
            const std::size_t end = buffer.find('\0', pos);
            names.emplace_back(buffer.substr(pos, end - pos));
            pos = end + 1;
        }
        return names;
    }
    throw PcscError(ErrorKind::Internal, "SCardListReaders", 0, "reader list kept changing");
}

bool Context::isValid() const {
    return owned_ && succeeded(SCardIsValidContext(handle_));
}

void Context::cancel() const noexcept {
    if (owned_) {
        SCardCancel(handle_);
    }
}

}  // namespace taplink::pcsc
