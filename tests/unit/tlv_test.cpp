#include "taplink/apdu/tlv.hpp"

#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace taplink::tlv {
namespace {

// EMV FCI for a Visa AID: 6F{84, A5{50, 87, BF0C{61{4F, 50}}}}.
Bytes fciBytes() {
    return fromHex(
        "6F2F"
        "  8407A0000000031010"
        "  A524"
        "    500B5649534120435245444954"  // "VISA CREDIT"
        "    870101"
        "    BF0C11"
        "      610F"
        "        4F07A0000000031010"
        "        500456495341");  // "VISA"
}

Tlv fciTree() {
    const Bytes aid = fromHex("A0000000031010");
    return Tlv::constructedOf(
        0x6F, {Tlv::primitive(0x84, aid),
               Tlv::constructedOf(
                   0xA5, {Tlv::primitive(0x50, fromHex("5649534120435245444954")),
                          Tlv::primitive(0x87, fromHex("01")),
                          Tlv::constructedOf(
                              0xBF0C, {Tlv::constructedOf(
                                          0x61, {Tlv::primitive(0x4F, aid),
                                                 Tlv::primitive(0x50, fromHex("56495341"))})})})});
}

Bytes filled(std::size_t size) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = static_cast<std::uint8_t>(i * 13 + 5);
    }
    return out;
}

// `levels` objects nested inside each other: 70{70{...{5A 01 AA}}}.
Bytes nested(int levels) {
    Bytes bytes = fromHex("5A01AA");
    for (int i = 1; i < levels; ++i) {
        Bytes wrapped = fromHex("70");
        const Bytes length = encodeLength(bytes.size());
        wrapped.insert(wrapped.end(), length.begin(), length.end());
        wrapped.insert(wrapped.end(), bytes.begin(), bytes.end());
        bytes = std::move(wrapped);
    }
    return bytes;
}

std::string parseError(const Bytes& bytes) {
    try {
        parse(bytes);
    } catch (const TlvError& e) {
        return e.what();
    }
    ADD_FAILURE() << "parse accepted " << toHex(bytes, true);
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

void expectSameTree(const Tlv& actual, const Tlv& expected) {
    EXPECT_EQ(actual.tag, expected.tag);
    EXPECT_EQ(actual.value, expected.value) << "tag " << std::hex << expected.tag;
    ASSERT_EQ(actual.children.size(), expected.children.size()) << std::hex << expected.tag;
    for (std::size_t i = 0; i < actual.children.size(); ++i) {
        expectSameTree(actual.children[i], expected.children[i]);
    }
}

TEST(TlvParseTest, SingleBytePrimitive) {
    const std::vector<Tlv> objects = parse(fromHex("5A084761739001010010"));
    ASSERT_EQ(objects.size(), 1U);
    EXPECT_EQ(objects[0].tag, 0x5AU);
    EXPECT_EQ(objects[0].value, fromHex("4761739001010010"));
    EXPECT_FALSE(objects[0].constructed());
    EXPECT_TRUE(objects[0].children.empty());
}

TEST(TlvParseTest, EmptyValue) {
    const std::vector<Tlv> objects = parse(fromHex("5A00 9F7900"));
    ASSERT_EQ(objects.size(), 2U);
    EXPECT_TRUE(objects[0].value.empty());
    EXPECT_EQ(objects[1].tag, 0x9F79U);
    EXPECT_TRUE(objects[1].value.empty());
}

TEST(TlvParseTest, EmptyInputGivesNoObjects) {
    EXPECT_TRUE(parse(Bytes{}).empty());
}

TEST(TlvParseTest, TwoByteTags) {
    const std::vector<Tlv> objects = parse(fromHex("9F7906000000001000 5F2D04656E6672 BF0C00"));
    ASSERT_EQ(objects.size(), 3U);
    EXPECT_EQ(objects[0].tag, 0x9F79U);
    EXPECT_EQ(objects[0].value, fromHex("000000001000"));
    EXPECT_FALSE(objects[0].constructed());
    EXPECT_EQ(objects[1].tag, 0x5F2DU);
    EXPECT_EQ(objects[1].value, fromHex("656E6672"));
    EXPECT_FALSE(objects[1].constructed());
    EXPECT_EQ(objects[2].tag, 0xBF0CU);
    EXPECT_TRUE(objects[2].constructed());
}

TEST(TlvParseTest, ThreeAndFourByteTags) {
    const std::vector<Tlv> objects = parse(fromHex("DF810101AA DF81810102BBCC"));
    ASSERT_EQ(objects.size(), 2U);
    EXPECT_EQ(objects[0].tag, 0xDF8101U);
    EXPECT_EQ(objects[0].value, fromHex("AA"));
    EXPECT_EQ(objects[1].tag, 0xDF818101U);
    EXPECT_EQ(objects[1].value, fromHex("BBCC"));
}

TEST(TlvParseTest, LongFormLength81) {
    const Bytes value = filled(0x80);
    const std::vector<Tlv> objects = parse(concat(fromHex("5A8180"), value));
    ASSERT_EQ(objects.size(), 1U);
    EXPECT_EQ(objects[0].value, value);
}

TEST(TlvParseTest, LongFormLength82With256Bytes) {
    const Bytes value = filled(256);
    const std::vector<Tlv> objects = parse(concat(fromHex("9F79820100"), value));
    ASSERT_EQ(objects.size(), 1U);
    EXPECT_EQ(objects[0].tag, 0x9F79U);
    EXPECT_EQ(objects[0].value, value);
}

TEST(TlvParseTest, LongFormLengths83And84) {
    // Not the shortest form, but legal BER: the value length is what counts.
    EXPECT_EQ(parse(fromHex("5A83000002AABB"))[0].value, fromHex("AABB"));
    EXPECT_EQ(parse(fromHex("5A8400000002AABB"))[0].value, fromHex("AABB"));
    EXPECT_EQ(parse(fromHex("5A8101AA"))[0].value, fromHex("AA"));
}

TEST(TlvParseTest, EmvFciNested) {
    const std::vector<Tlv> objects = parse(fciBytes());
    ASSERT_EQ(objects.size(), 1U);
    const Tlv& fci = objects[0];
    EXPECT_EQ(fci.tag, 0x6FU);
    EXPECT_TRUE(fci.constructed());
    ASSERT_EQ(fci.children.size(), 2U);
    EXPECT_EQ(fci.children[0].tag, 0x84U);
    EXPECT_EQ(fci.children[0].value, fromHex("A0000000031010"));

    const Tlv& proprietary = fci.children[1];
    EXPECT_EQ(proprietary.tag, 0xA5U);
    ASSERT_EQ(proprietary.children.size(), 3U);
    EXPECT_EQ(proprietary.children[0].tag, 0x50U);
    EXPECT_EQ(proprietary.children[1].tag, 0x87U);
    const Tlv& discretionary = proprietary.children[2];
    EXPECT_EQ(discretionary.tag, 0xBF0CU);
    ASSERT_EQ(discretionary.children.size(), 1U);
    const Tlv& entry = discretionary.children[0];
    EXPECT_EQ(entry.tag, 0x61U);
    ASSERT_EQ(entry.children.size(), 2U);
    EXPECT_EQ(entry.children[0].tag, 0x4FU);
    EXPECT_EQ(entry.children[1].value, fromHex("56495341"));
}

TEST(TlvParseTest, ConstructedValueKeepsRawChildBytes) {
    const Bytes fci = fciBytes();
    const Tlv parsed = parse(fci)[0];
    EXPECT_EQ(parsed.value, Bytes(fci.begin() + 2, fci.end()));
}

TEST(TlvParseTest, PaddingSkippedAtEveryLevel) {
    const std::vector<Tlv> objects =
        parse(fromHex("00FF 5A01AA 0000 70 08 00 5F2D01BB FF 00 FF 00 FF"));
    ASSERT_EQ(objects.size(), 2U);
    EXPECT_EQ(objects[0].tag, 0x5AU);
    EXPECT_EQ(objects[1].tag, 0x70U);
    ASSERT_EQ(objects[1].children.size(), 1U);
    EXPECT_EQ(objects[1].children[0].tag, 0x5F2DU);
    EXPECT_EQ(objects[1].children[0].value, fromHex("BB"));
}

TEST(TlvParseTest, OnlyPaddingGivesNoObjects) {
    EXPECT_TRUE(parse(fromHex("00 FF 00 FF")).empty());
    const std::vector<Tlv> objects = parse(fromHex("A5 02 FF00"));
    ASSERT_EQ(objects.size(), 1U);
    EXPECT_TRUE(objects[0].children.empty());
    EXPECT_EQ(objects[0].encode(), fromHex("A502FF00"));  // value kept, nothing lost
}

TEST(TlvParseTest, NestingUpToMaxDepthParses) {
    const std::vector<Tlv> objects = parse(nested(kMaxDepth));
    const Tlv* leaf = find(objects, 0x5A);
    ASSERT_NE(leaf, nullptr);
    EXPECT_EQ(leaf->value, fromHex("AA"));
}

TEST(TlvParseTest, EmptyConstructedAtMaxDepthParses) {
    Bytes bytes = fromHex("7000");
    for (int i = 1; i < kMaxDepth; ++i) {
        bytes = concat(concat(fromHex("70"), encodeLength(bytes.size())), bytes);
    }
    EXPECT_NO_THROW(parse(bytes));
}

TEST(TlvFindTest, FindsDeepObjects) {
    const std::vector<Tlv> objects = parse(fciBytes());
    const Tlv* aid = find(objects, 0x4F);
    ASSERT_NE(aid, nullptr);
    EXPECT_EQ(aid->value, fromHex("A0000000031010"));
    const Tlv* discretionary = find(objects, 0xBF0C);
    ASSERT_NE(discretionary, nullptr);
    EXPECT_EQ(discretionary->children.size(), 1U);
}

TEST(TlvFindTest, DepthFirstReturnsFirstInDocumentOrder) {
    // Two 50 tags: the application label in A5 comes before the one inside BF0C.
    const std::vector<Tlv> objects = parse(fciBytes());
    const Tlv* label = find(objects, 0x50);
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->value, fromHex("5649534120435245444954"));
}

TEST(TlvFindTest, MemberFindIncludesSelfAndMissesGiveNull) {
    const Tlv fci = parse(fciBytes())[0];
    EXPECT_EQ(fci.find(0x6F), &fci);
    EXPECT_EQ(fci.find(0x87), &fci.children[1].children[1]);
    EXPECT_EQ(fci.find(0x9F38), nullptr);
    const std::vector<Tlv> none;
    EXPECT_EQ(find(none, 0x6F), nullptr);
}

TEST(TlvFindTest, SearchesLaterTopLevelObjects) {
    const std::vector<Tlv> objects = parse(fromHex("5A01AA 7003 9F3600"));
    EXPECT_EQ(find(objects, 0x9F36), &objects[1].children[0]);
}

TEST(TlvEncodeTest, EncodeTagShortestForm) {
    EXPECT_EQ(encodeTag(0x5A), fromHex("5A"));
    EXPECT_EQ(encodeTag(0x9F79), fromHex("9F79"));
    EXPECT_EQ(encodeTag(0xBF0C), fromHex("BF0C"));
    EXPECT_EQ(encodeTag(0x5F2D), fromHex("5F2D"));
    EXPECT_EQ(encodeTag(0xDF8101), fromHex("DF8101"));
    EXPECT_EQ(encodeTag(0xDF818101), fromHex("DF818101"));
}

TEST(TlvEncodeTest, EncodeTagRejectsTagsThatWouldNotParseBack) {
    EXPECT_THROW(encodeTag(0x00), TlvError);      // padding
    EXPECT_THROW(encodeTag(0xFF01), TlvError);    // leading FF is padding
    EXPECT_THROW(encodeTag(0x9F), TlvError);      // announces more bytes
    EXPECT_THROW(encodeTag(0x5A01), TlvError);    // does not announce more bytes
    EXPECT_THROW(encodeTag(0x9F81), TlvError);    // last byte has bit 8 set
    EXPECT_THROW(encodeTag(0x9F0181), TlvError);  // middle byte lacks bit 8
}

TEST(TlvEncodeTest, EncodeLengthShortestForm) {
    EXPECT_EQ(encodeLength(0), fromHex("00"));
    EXPECT_EQ(encodeLength(0x7F), fromHex("7F"));
    EXPECT_EQ(encodeLength(0x80), fromHex("8180"));
    EXPECT_EQ(encodeLength(0xFF), fromHex("81FF"));
    EXPECT_EQ(encodeLength(0x100), fromHex("820100"));
    EXPECT_EQ(encodeLength(0xFFFF), fromHex("82FFFF"));
    EXPECT_EQ(encodeLength(0x10000), fromHex("83010000"));
    EXPECT_EQ(encodeLength(0xFFFFFF), fromHex("83FFFFFF"));
    EXPECT_EQ(encodeLength(0x1000000), fromHex("8401000000"));
    EXPECT_EQ(encodeLength(0xFFFFFFFFU), fromHex("84FFFFFFFF"));
}

TEST(TlvEncodeTest, EncodeLengthRejectsMoreThanFourLengthBytes) {
    if constexpr (sizeof(std::size_t) > 4) {
        EXPECT_THROW(encodeLength(std::size_t{0xFFFFFFFFU} + 1), TlvError);
    }
}

TEST(TlvEncodeTest, PrimitiveEncodes) {
    EXPECT_EQ(Tlv::primitive(0x5F2D, fromHex("656E")).encode(), fromHex("5F2D02656E"));
    EXPECT_EQ(Tlv::primitive(0x9F79, filled(256)).encode(),
              concat(fromHex("9F79820100"), filled(256)));
}

TEST(TlvEncodeTest, ConstructedOfMatchesKnownFci) {
    const Tlv built = fciTree();
    EXPECT_TRUE(built.constructed());
    EXPECT_EQ(built.encode(), fciBytes());
    // constructedOf keeps value as the encoded children, like parse().
    expectSameTree(parse(fciBytes())[0], built);
}

TEST(TlvEncodeTest, ParseEncodeRoundTrip) {
    const Bytes fci = fciBytes();
    const std::vector<Tlv> objects = parse(fci);
    ASSERT_EQ(objects.size(), 1U);
    EXPECT_EQ(objects[0].encode(), fci);
}

TEST(TlvEncodeTest, PaddingIsDroppedWhenReencodingChildren) {
    const Tlv parsed = parse(fromHex("70 07 00 5A01AA FF 00 00"))[0];
    EXPECT_EQ(parsed.encode(), fromHex("70035A01AA"));
}

TEST(TlvEncodeTest, ChildrenWinOverStaleValue) {
    Tlv object = Tlv::constructedOf(0x70, {Tlv::primitive(0x5A, fromHex("AA"))});
    object.value = fromHex("DEADBEEF");
    EXPECT_EQ(object.encode(), fromHex("70035A01AA"));
    object.children.clear();
    EXPECT_EQ(object.encode(), fromHex("7004DEADBEEF"));
}

TEST(TlvEncodeTest, EmptyConstructed) {
    EXPECT_EQ(Tlv::constructedOf(0xA5, {}).encode(), fromHex("A500"));
}

TEST(TlvErrorTest, TruncatedTag) {
    EXPECT_TRUE(contains(parseError(fromHex("9F")), "truncated"));
    EXPECT_THROW(parse(fromHex("DF81")), TlvError);
    EXPECT_THROW(parse(fromHex("5A01AA 5F")), TlvError);
}

TEST(TlvErrorTest, TagLongerThanFourBytes) {
    EXPECT_TRUE(contains(parseError(fromHex("DF8181810101AA")), "longer than 4"));
    EXPECT_THROW(parse(fromHex("9F80808080")), TlvError);
}

TEST(TlvErrorTest, MissingOrTruncatedLength) {
    EXPECT_THROW(parse(fromHex("5A")), TlvError);
    EXPECT_THROW(parse(fromHex("9F79")), TlvError);
    EXPECT_THROW(parse(fromHex("5A82")), TlvError);
    EXPECT_THROW(parse(fromHex("5A8201")), TlvError);
    EXPECT_THROW(parse(fromHex("5A84000000")), TlvError);
}

TEST(TlvErrorTest, IndefiniteLength) {
    EXPECT_TRUE(contains(parseError(fromHex("6F80 5A01AA 0000")), "indefinite"));
}

TEST(TlvErrorTest, MoreThanFourLengthBytes) {
    EXPECT_TRUE(contains(parseError(fromHex("5A850000000001AA")), "5 length bytes"));
    EXPECT_THROW(parse(fromHex("5AFF")), TlvError);
}

TEST(TlvErrorTest, LengthBeyondInput) {
    EXPECT_TRUE(contains(parseError(fromHex("5A050102")), "exceeds"));
    EXPECT_THROW(parse(fromHex("5A81800102")), TlvError);
    EXPECT_THROW(parse(fromHex("5A84FFFFFFFF01")), TlvError);
    EXPECT_THROW(parse(fromHex("5A820100")), TlvError);
}

TEST(TlvErrorTest, NestingDeeperThanMaxDepth) {
    EXPECT_TRUE(contains(parseError(nested(kMaxDepth + 1)), "nesting"));
    EXPECT_THROW(parse(nested(1000)), TlvError);
}

TEST(TlvErrorTest, TruncatedConstructedChild) {
    // 6F holds three bytes, but its child 84 claims five.
    const std::string message = parseError(fromHex("6F03 8405A0"));
    EXPECT_TRUE(contains(message, "offset 4")) << message;
    EXPECT_THROW(parse(fromHex("6F01 9F")), TlvError);
    EXPECT_THROW(parse(fromHex("6F02 5A81")), TlvError);
    Bytes fci = fciBytes();
    fci[1] = 0x2E;  // outer length one short, so A5 now claims a byte more than is left
    fci.pop_back();
    EXPECT_THROW(parse(fci), TlvError);
}

// Parses `bytes` and requires either success or TlvError; on success the objects must
// re-encode and parse back to the same encoding.
void parseOrTlvError(const Bytes& bytes) {
    // Exactly sized copy so that AddressSanitizer flags any read past the end.
    const Bytes exact(bytes.begin(), bytes.end());
    try {
        for (const Tlv& object : parse(exact)) {
            const Bytes encoded = object.encode();
            const std::vector<Tlv> again = parse(encoded);
            ASSERT_EQ(again.size(), 1U) << toHex(exact, true);
            EXPECT_EQ(again[0].encode(), encoded) << toHex(exact, true);
        }
    } catch (const TlvError&) {
        // Rejected cleanly.
    } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected exception " << e.what() << " for " << toHex(exact, true);
    }
}

TEST(TlvFuzzTest, EveryPrefixAndSingleByteMutation) {
    const std::vector<Bytes> seeds{
        fciBytes(),
        fromHex("00 9F7903000100 FF DF818101025F2D 70 81 05 5A8101AA 00"),
        concat(fromHex("BF0C 82 0103 5F2D 81 FF"), filled(0xFF)),
    };
    for (const Bytes& seed : seeds) {
        for (std::size_t size = 0; size <= seed.size(); ++size) {
            parseOrTlvError(Bytes(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(size)));
        }
        for (std::size_t pos = 0; pos < seed.size(); ++pos) {
            for (int value = 0; value < 256; ++value) {
                Bytes mutated = seed;
                mutated[pos] = static_cast<std::uint8_t>(value);
                parseOrTlvError(mutated);
            }
        }
    }
}

}  // namespace
}  // namespace taplink::tlv
