// The secure chip as the daemon uses it: one PC/SC connection to the reader slot that holds
// it, shared by the recharge scripts (load SAM) and the device key (PIV: mutual TLS and
// signed results). A recursive lock serialises it: a top-up holds the chip for its whole
// script run, and the TLS handshake the script's server exchange triggers signs on the same
// thread inside that hold.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "net/https_client.hpp"
#include "service/card_port.hpp"
#include "service/reader_registry.hpp"
#include "service/timed_channel.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::service {

// The chip cannot be found or used: no reader holds it, its PIN is refused, it has no
// device certificate yet (not enrolled), or it stopped answering.
class ChipUnavailableError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct DeviceIdentity {
    std::string reader;
    Bytes chipSerial;
    Bytes terminalId;  // rightmost 6 bytes of the chip serial
    crypto::X509Ptr certificate;
    std::string subject;
    std::string issuer;
    std::string notAfter;  // ISO 8601
    std::string sha256;    // of the DER certificate, hex
};

class ChipSession {
  public:
    // Finds the chip among `readers` (unless configuredReader names it) and reaches it
    // through `cards`.
    ChipSession(CardPort& cards, const ReaderRegistry& readers, std::string configuredReader,
                std::string pin);
    ~ChipSession();
    ChipSession(const ChipSession&) = delete;
    ChipSession& operator=(const ChipSession&) = delete;

    // Holds the chip for the caller's thread (recursive).
    std::unique_lock<std::recursive_mutex> hold();

    // An ApduChannel to the chip: each command takes the hold, connects (finding the chip
    // first) when there is no connection, and drops a connection the card or pcscd broke so
    // that the next command starts afresh. ChipUnavailableError when there is no chip.
    apdu::ApduChannel& channel();

    // Reads (once) the device certificate from PIV slot 9A and the identity it names.
    // A snapshot: it stays valid when the session drops its identity (chip reset, swap).
    std::shared_ptr<const DeviceIdentity> identity();
    // The device certificate with a key whose signing the chip does (for mutual TLS).
    std::shared_ptr<const net::ClientIdentity> clientIdentity();
    // ECDSA P-256 signature (DER) by the device key over SHA-256 of message.
    Bytes sign(ByteView message);

    // Forgets the connection and identity (a chip swapped or re-enrolled).
    void reset();

    // Time spent in exchanges with the chip since start, nanoseconds (for timings).
    std::int64_t busyNanos() const { return busy_.load(); }

  private:
    class Channel;
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command);
    apdu::ApduChannel& connection();
    std::string findChipReader();

    CardPort& cards_;
    const ReaderRegistry& readers_;
    std::string configuredReader_;
    std::string pin_;
    std::recursive_mutex mutex_;
    std::unique_ptr<apdu::ApduChannel> connection_;
    std::string reader_;
    std::unique_ptr<Channel> channel_;
    // Guarded by its own mutex, never held across chip I/O (libstdc++ 12's
    // atomic<shared_ptr> uses an internal lock that ThreadSanitizer cannot see).
    mutable std::mutex identityMutex_;
    std::shared_ptr<const DeviceIdentity> identity_;
    std::shared_ptr<const DeviceIdentity> cachedIdentity() const;
    void cacheIdentity(std::shared_ptr<const DeviceIdentity> identity);
    std::shared_ptr<const net::ClientIdentity> clientIdentity_;
    Nanos busy_{0};
};

}  // namespace taplink::service
