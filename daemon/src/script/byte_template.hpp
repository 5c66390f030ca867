// APDU data templates: literal hex and {variable:encoding} references, e.g.
// "01 {amount:u32} {terminalId:hex}". Encodings: u8, u16, u24, u32, u64 (an integer
// variable, big-endian, must fit), n1..n9 (an integer as n, BCD in that many bytes, EMV
// Book 3 4.3), hex (a bytes variable as it is), lv (its BER length, then it) and dol (the
// data the DOL in a bytes variable asks for, EMV Book 3 5.4). Whitespace between tokens is
// ignored; a literal run has an even number of hex digits.
#pragma once

#include <string>
#include <string_view>

#include "script/script.hpp"
#include "script/variables.hpp"
#include "taplink/emv/dol.hpp"

namespace taplink::script {

// Syntax only (variables are checked by the script parser); std::invalid_argument saying
// what is wrong.
ByteTemplate parseByteTemplate(std::string_view source);

// The bytes, with the variables' current values and the terminal data store for {x:dol}.
// ScriptError(value_invalid, step, ...) for a variable that is not set, of the other type, or
// an integer too large for its encoding; response_invalid for a DOL that is not one.
Bytes renderByteTemplate(const ByteTemplate& byteTemplate, const Variables& variables,
                         const std::string& step, const TerminalDataMap& terminalData = {});

// The terminal data store of the variables that are set (script.hpp, TerminalDataMap).
emv::TerminalData terminalDataOf(const TerminalDataMap& map, const Variables& variables);

}  // namespace taplink::script
