#include "script/byte_template.hpp"

#include <cctype>
#include <stdexcept>

#include "script/json_reader.hpp"
#include "script/script_error.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/emv_error.hpp"

namespace taplink::script {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isHexDigit(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// "name:encoding" between the braces.
TemplatePart parseReference(std::string_view reference) {
    const auto colon = reference.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw std::invalid_argument("{" + std::string(reference) +
                                    "}: a reference is {variable:encoding}");
    }
    TemplatePart part;
    part.variable = std::string(reference.substr(0, colon));
    const std::string_view encoding = reference.substr(colon + 1);
    if (encoding == "hex") {
        part.kind = TemplatePart::Kind::Bytes;
        return part;
    }
    if (encoding == "dol") {
        part.kind = TemplatePart::Kind::Dol;
        return part;
    }
    if (encoding == "lv") {
        part.kind = TemplatePart::Kind::LengthValue;
        return part;
    }
    if (encoding.size() == 2 && encoding[0] == 'n' && encoding[1] >= '1' && encoding[1] <= '9') {
        part.kind = TemplatePart::Kind::Numeric;  // n1..n9: 2 to 18 digits
        part.width = static_cast<std::size_t>(encoding[1] - '0');
        return part;
    }
    part.kind = TemplatePart::Kind::Integer;
    if (encoding == "u8") {
        part.width = 1;
    } else if (encoding == "u16") {
        part.width = 2;
    } else if (encoding == "u24") {
        part.width = 3;
    } else if (encoding == "u32") {
        part.width = 4;
    } else if (encoding == "u64") {
        part.width = 8;
    } else {
        throw std::invalid_argument("{" + std::string(reference) + "}: unknown encoding \"" +
                                    std::string(encoding) +
                                    "\" (u8, u16, u24, u32, u64, n1-n9, hex, lv, dol)");
    }
    return part;
}

void flushLiteral(ByteTemplate& out, std::string& digits) {
    if (digits.empty()) {
        return;
    }
    const auto bytes = strictHex(digits);
    if (!bytes) {
        throw std::invalid_argument("odd number of hex digits in \"" + digits + "\"");
    }
    out.parts.push_back(TemplatePart{TemplatePart::Kind::Literal, *bytes, {}, 0});
    digits.clear();
}

void append(Bytes& out, ByteView bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
}

}  // namespace

std::optional<Bytes> ByteTemplate::literal() const {
    Bytes out;
    for (const TemplatePart& part : parts) {
        if (part.kind != TemplatePart::Kind::Literal) {
            return std::nullopt;
        }
        out.insert(out.end(), part.literal.begin(), part.literal.end());
    }
    return out;
}

ByteTemplate parseByteTemplate(std::string_view source) {
    ByteTemplate out;
    out.source = std::string(source);
    std::string digits;
    for (std::size_t i = 0; i < source.size(); ++i) {
        const char c = source[i];
        if (isSpace(c)) {
            continue;
        }
        if (isHexDigit(c)) {
            digits.push_back(c);
            continue;
        }
        if (c != '{') {
            throw std::invalid_argument(std::string("unexpected character '") + c + "'");
        }
        flushLiteral(out, digits);
        const auto close = source.find('}', i);
        if (close == std::string_view::npos) {
            throw std::invalid_argument("a { without its }");
        }
        out.parts.push_back(parseReference(source.substr(i + 1, close - i - 1)));
        i = close;
    }
    flushLiteral(out, digits);
    return out;
}

emv::TerminalData terminalDataOf(const TerminalDataMap& map, const Variables& variables) {
    emv::TerminalData data;
    for (const auto& [tag, name] : map) {
        if (const Variables::Value* value = variables.find(name)) {
            data[tag] = isBytes(*value) ? std::get<Bytes>(*value)
                                        : emv::encodeAmount(std::get<std::uint64_t>(*value));
        }
    }
    return data;
}

namespace {

// Big-endian (u8..u64) or n, BCD (n1..n9, the kernel's bcd); it must fit.
std::optional<Bytes> encodedInteger(std::uint64_t value, const TemplatePart& part) {
    if (part.kind == TemplatePart::Kind::Numeric) {
        try {
            return emv::encodeNumeric(value, part.width);
        } catch (const emv::EmvError&) {
            return std::nullopt;
        }
    }
    constexpr std::size_t kMaxWidth = 8;
    if (part.width < kMaxWidth && (value >> (8U * part.width)) != 0) {
        return std::nullopt;
    }
    return ByteWriter().number(value, part.width).take();
}

Bytes integerOf(const Variables& variables, const TemplatePart& part, const std::string& step) {
    const Variables::Value* value = variables.find(part.variable);
    if (value == nullptr) {
        throw ScriptError(ErrorCode::ValueInvalid, step,
                          "variable " + part.variable + " is not set");
    }
    const std::optional<Bytes> encoded =
        isBytes(*value) ? std::nullopt : encodedInteger(std::get<std::uint64_t>(*value), part);
    if (!encoded) {
        throw ScriptError(ErrorCode::ValueInvalid, step,
                          "variable " + part.variable + " does not fit in " +
                              std::to_string(part.width) + " byte(s)");
    }
    return *encoded;
}

const Bytes& bytesOf(const Variables& variables, const std::string& name, const std::string& step) {
    const Variables::Value* value = variables.find(name);
    if (value == nullptr || !isBytes(*value)) {
        throw ScriptError(ErrorCode::ValueInvalid, step,
                          "variable " + name + " is not set to bytes");
    }
    return std::get<Bytes>(*value);
}

// The DOL's data (EMV Book 3 5.4); a DOL the kernel cannot read came from the card.
Bytes dolData(const Bytes& dol, const TerminalDataMap& map, const Variables& variables,
              const std::string& step) {
    try {
        return emv::buildDolData(emv::parseDol(dol), terminalDataOf(map, variables));
    } catch (const emv::EmvError& error) {
        // A value of the store that does not fit is the script's; a bad DOL is the card's.
        const bool ours = error.code() == emv::EmvErrorCode::TerminalDataInvalid;
        throw ScriptError(ours ? ErrorCode::ValueInvalid : ErrorCode::ResponseInvalid, step,
                          std::string("DOL: ") + error.what());
    }
}

}  // namespace

Bytes renderByteTemplate(const ByteTemplate& byteTemplate, const Variables& variables,
                         const std::string& step, const TerminalDataMap& terminalData) {
    Bytes out;
    for (const TemplatePart& part : byteTemplate.parts) {
        Bytes piece;
        switch (part.kind) {
            case TemplatePart::Kind::Literal:
                piece = part.literal;
                break;
            case TemplatePart::Kind::Bytes:
                piece = bytesOf(variables, part.variable, step);
                break;
            case TemplatePart::Kind::LengthValue:
                piece = tlv::encodeLength(bytesOf(variables, part.variable, step).size());
                append(piece, bytesOf(variables, part.variable, step));
                break;
            case TemplatePart::Kind::Dol:
                piece =
                    dolData(bytesOf(variables, part.variable, step), terminalData, variables, step);
                break;
            case TemplatePart::Kind::Integer:
            case TemplatePart::Kind::Numeric:
                piece = integerOf(variables, part, step);
                break;
        }
        append(out, piece);
    }
    return out;
}

}  // namespace taplink::script
