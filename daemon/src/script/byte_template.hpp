// APDU data templates: literal hex and {variable:encoding} references, e.g.
// "01 {amount:u32} {terminalId:hex}". Encodings: u8, u16, u24, u32, u64 (an integer
// variable, big-endian, must fit) and hex (a bytes variable as it is). Whitespace between
// tokens is ignored; a literal run has an even number of hex digits.
#pragma once

#include <string>
#include <string_view>

#include "script/script.hpp"
#include "script/variables.hpp"

namespace taplink::script {

// Syntax only (variables are checked by the script parser); std::invalid_argument saying
// what is wrong.
ByteTemplate parseByteTemplate(std::string_view source);

// The bytes, with the variables' current values. ScriptError(value_invalid, step, ...) for a
// variable that is not set, of the other type, or an integer too large for its encoding.
Bytes renderByteTemplate(const ByteTemplate& byteTemplate, const Variables& variables,
                         const std::string& step);

// Big-endian, width bytes; false when value does not fit.
bool appendInteger(Bytes& out, std::uint64_t value, std::size_t width);

}  // namespace taplink::script
