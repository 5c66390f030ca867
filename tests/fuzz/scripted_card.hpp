// A card (or chip) whose answers come from the fuzzer's bytes, for the targets that run a
// driver over a card's successive answers.
#pragma once

#include <stdexcept>
#include <utility>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/apdu/transport.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::fuzz {

// The input has no answer left: the card went away mid-exchange, as a pulled card does.
class CardGone : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A card whose answers are the fuzzer's bytes, one after the other: a length byte, that many
// data bytes and the status word. The transport's 61xx and 6Cxx handling runs over it, as it
// runs over a PC/SC connection.
class ScriptedCard : public apdu::ApduChannel {
  public:
    explicit ScriptedCard(ByteView answers) : answers_(answers, "scripted answers") {}

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        return apdu::completeExchange(command,
                                      [this](const apdu::CommandApdu&) { return nextAnswer(); });
    }

  private:
    apdu::ResponseApdu nextAnswer() {
        Bytes data = answers_.take(answers_.u8("answer length"), "answer data");
        const std::uint16_t statusWord = answers_.u16("status word");
        return {std::move(data), statusWord};
    }

    ByteReader<CardGone> answers_;
};

}  // namespace taplink::fuzz
