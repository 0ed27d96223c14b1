// Replays fuzz inputs without libFuzzer: every file named, or found in a folder named, is
// passed once to LLVMFuzzerTestOneInput. ctest runs it over each target's corpus and
// regression inputs (under ASan+UBSan in the sanitizer build), so a fixed crash stays fixed.
#include "test/fuzz/fuzz_target.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    fs::path arg{argv[i]};
    if (fs::is_directory(arg)) {
      for (const auto& entry : fs::recursive_directory_iterator{arg})
        if (entry.is_regular_file() && !entry.path().filename().string().starts_with("."))
          inputs.push_back(entry.path()); // .gitkeep holds an empty folder in git
    } else if (fs::is_regular_file(arg)) {
      inputs.push_back(arg);
    } else {
      std::cerr << "replay: " << arg.string() << " is neither a file nor a folder\n";
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::cerr << "replay: no inputs (give files or folders of a target's corpus)\n";
    return 2;
  }
  for (const auto& input : inputs) {
    std::ifstream in{input, std::ios::binary};
    std::vector<char> bytes{std::istreambuf_iterator<char>{in}, {}};
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << "replay: " << inputs.size() << " inputs, no crash\n";
  return 0;
}
