// RAII owner of an SCARDCONTEXT, the entry point to pcscd.
#pragma once

#include <PCSC/winscard.h>

#include <string>
#include <vector>

namespace taplink::pcsc {

class Context {
  public:
    // SCardEstablishContext(SCARD_SCOPE_SYSTEM); throws PcscError (ServiceDown when pcscd is
    // not running).
    static Context establish();

    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    Context(Context&& other) noexcept;
    Context& operator=(Context&& other) noexcept;
    ~Context();

    // Reader names; empty when pcscd runs without readers.
    std::vector<std::string> listReaders() const;

    // False once pcscd has gone away (SCardIsValidContext).
    bool isValid() const;

    // Wakes up a blocking SCardGetStatusChange on this context from another thread.
    void cancel() const noexcept;

    SCARDCONTEXT handle() const { return handle_; }

  private:
    explicit Context(SCARDCONTEXT handle) : handle_(handle) {}
    void release() noexcept;

    SCARDCONTEXT handle_ = 0;
    bool owned_ = false;
};

}  // namespace taplink::pcsc
