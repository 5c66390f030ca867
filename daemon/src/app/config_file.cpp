#include "app/config_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace taplink::app {

namespace {

using nlohmann::json;

json readJson(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ConfigError("cannot read the config file " + path);
    }
    try {
        return json::parse(in);
    } catch (const json::exception& error) {
        throw ConfigError(path + " is not valid JSON: " + error.what());
    }
}

void merge(json& target, const json& patch) {
    for (const auto& [key, value] : patch.items()) {
        if (value.is_object() && target.contains(key) && target[key].is_object()) {
            merge(target[key], value);
        } else {
            target[key] = value;
        }
    }
}

// Writes the text to a new owner-only file and flushes it to disk.
void writePrivateFile(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw ConfigError("cannot create " + path + ": " + std::strerror(errno));
    }
    std::size_t written = 0;
    bool ok = true;
    while (ok && written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        ok = n > 0;
        written += ok ? static_cast<std::size_t>(n) : 0;
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        throw ConfigError("cannot write " + path);
    }
}

}  // namespace

DaemonConfig patchConfigFile(const std::string& path, const json& patch) {
    json document = readJson(path);
    merge(document, patch);
    const std::string staged = path + ".new";
    ::unlink(staged.c_str());  // a leftover of a write that died half-way
    writePrivateFile(staged, document.dump(2) + "\n");
    try {
        DaemonConfig config = loadConfig(staged);
        if (std::rename(staged.c_str(), path.c_str()) != 0) {
            throw ConfigError("cannot replace " + path + ": " + std::strerror(errno));
        }
        config.sourcePath = path;
        return config;
    } catch (...) {
        ::unlink(staged.c_str());
        throw;
    }
}

}  // namespace taplink::app
