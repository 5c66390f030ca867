// The fuzz targets as ordinary tests (ctest -L fuzz): runs LLVMFuzzerTestOneInput over the
// empty input and every file of the folders and files on the command line, so that the
// committed corpus is a regression suite in the gcc builds, with ASan and UBSan in the asan
// build. A finding aborts, as it does under libFuzzer.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "fuzz_support.hpp"

namespace {

namespace fs = std::filesystem;

// The files of a corpus folder (and its subfolders) in name order, or the file itself.
std::vector<fs::path> inputsOf(const fs::path& path) {
    if (!fs::is_directory(path)) {
        return {path};
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

taplink::Bytes contentsOf(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw std::runtime_error("cannot read " + path.string());
    }
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void replay(const taplink::Bytes& input) {
    LLVMFuzzerTestOneInput(input.data(), input.size());
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<const char*> arguments(argv + 1, argv + argc);
    replay({});
    std::size_t replayed = 0;
    for (const char* argument : arguments) {
        for (const fs::path& input : inputsOf(argument)) {
            std::printf("replay: %s\n", input.c_str());
            std::fflush(stdout);  // named before it runs: a finding aborts
            replay(contentsOf(input));
            ++replayed;
        }
    }
    // An empty or misnamed corpus would make a test that checks nothing.
    if (replayed == 0) {
        std::fprintf(stderr, "replay: no input files\n");
        return 1;
    }
    std::printf("replay: %zu inputs, no finding\n", replayed);
    return 0;
}
