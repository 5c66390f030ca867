// Writing byte layouts: fields and big-endian integers appended in order.
//   Bytes out = ByteWriter().u32(balance).u16(atc).bytes(random).take();
// Sizes are the caller's to check (requireSize in byte_reader.hpp) before writing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink {

class ByteWriter {
  public:
    ByteWriter& bytes(ByteView field);
    // The characters of text, one byte each (ASCII fields).
    ByteWriter& ascii(std::string_view text);

    ByteWriter& u8(std::uint8_t value);
    ByteWriter& u16(std::uint16_t value) { return number(value, 2); }
    ByteWriter& u32(std::uint32_t value) { return number(value, 4); }
    ByteWriter& u64(std::uint64_t value) { return number(value, 8); }
    // The low `width` bytes of value (1..8), most significant first; std::invalid_argument
    // for another width.
    ByteWriter& number(std::uint64_t value, std::size_t width);

    std::size_t size() const { return out_.size(); }
    // The bytes written; the writer is empty afterwards.
    Bytes take();

  private:
    Bytes out_;
};

}  // namespace taplink
