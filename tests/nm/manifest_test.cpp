// The extension id the build puts in the manifests, and the manifests themselves.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "taplink/base/base64.hpp"

namespace {

using nlohmann::json;

std::string readFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    EXPECT_TRUE(file) << "cannot read " << path;
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

json readJson(const std::string& path) {
    return json::parse(readFile(path));
}

// The key file is base64 (RFC 4648 section 4) wrapped over lines.
taplink::Bytes decodeKeyFile(std::string text) {
    std::erase_if(text, [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
    const auto bytes = taplink::base64Decode(text);
    EXPECT_TRUE(bytes.has_value()) << "not base64";
    return bytes.value_or(taplink::Bytes{});
}

// Chromium's id of an extension with this "key": the first 128 bits of the SHA-256 of the
// DER public key, as 32 hex digits written with the letters a-p instead of 0-f.
std::string chromiumExtensionId(const std::vector<unsigned char>& publicKeyDer) {
    std::array<unsigned char, 32> digest{};
    unsigned int length = 0;
    EXPECT_EQ(EVP_Digest(publicKeyDer.data(), publicKeyDer.size(), digest.data(), &length,
                         EVP_sha256(), nullptr),
              1);
    std::string id;
    for (std::size_t i = 0; i < 16; ++i) {
        id += static_cast<char>('a' + (digest[i] >> 4));
        id += static_cast<char>('a' + (digest[i] & 0x0f));
    }
    return id;
}

TEST(NmExtensionId, IsTheOneDerivedFromTheExtensionKey) {
    const auto key = decodeKeyFile(
        readFile(TAPLINK_SOURCE_DIR "/native-messaging/extension/extension-key.pub.b64"));
    ASSERT_FALSE(key.empty());
    EXPECT_EQ(key.front(), 0x30) << "a DER SEQUENCE (SubjectPublicKeyInfo)";
    EXPECT_EQ(chromiumExtensionId(key), TAPLINK_NM_CHROME_EXTENSION_ID);
}

void expectCommonFields(const json& manifest, const std::string& path) {
    EXPECT_EQ(manifest.at("name"), "com.taplink.nm");
    EXPECT_EQ(manifest.at("type"), "stdio");
    EXPECT_EQ(manifest.at("path"), path);
    EXPECT_FALSE(manifest.at("description").get<std::string>().empty());
    EXPECT_EQ(path.front(), '/') << "Linux browsers need an absolute path";
}

void expectChromiumManifest(const std::string& file, const std::string& path) {
    const json manifest = readJson(file);
    expectCommonFields(manifest, path);
    EXPECT_EQ(manifest.at("allowed_origins"),
              json::array({"chrome-extension://" TAPLINK_NM_CHROME_EXTENSION_ID "/"}));
    EXPECT_FALSE(manifest.contains("allowed_extensions"));
}

void expectFirefoxManifest(const std::string& file, const std::string& path) {
    const json manifest = readJson(file);
    expectCommonFields(manifest, path);
    EXPECT_EQ(manifest.at("allowed_extensions"), json::array({TAPLINK_NM_FIREFOX_EXTENSION_ID}));
    EXPECT_FALSE(manifest.contains("allowed_origins"));
}

TEST(NmManifests, InstalledOnesPointAtTheInstalledHost) {
    for (const std::string browser : {"chromium", "chrome", "edge"}) {
        SCOPED_TRACE(browser);
        expectChromiumManifest(TAPLINK_NM_MANIFEST_DIR "/" + browser + "/com.taplink.nm.json",
                               TAPLINK_NM_INSTALLED_PATH);
    }
    expectFirefoxManifest(TAPLINK_NM_MANIFEST_DIR "/firefox/com.taplink.nm.json",
                          TAPLINK_NM_INSTALLED_PATH);
}

TEST(NmManifests, BuildTreeOnesPointAtTheBuiltHost) {
    expectChromiumManifest(TAPLINK_NM_MANIFEST_DIR "/build-tree/com.taplink.nm.json",
                           TAPLINK_NM_PATH);
    expectFirefoxManifest(TAPLINK_NM_MANIFEST_DIR "/build-tree/firefox/com.taplink.nm.json",
                          TAPLINK_NM_PATH);
}

}  // namespace
