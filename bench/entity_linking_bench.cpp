// Entity-linking throughput: 100k distinct generated aliases (1-4 words from a syllable
// lexicon, many sharing prefixes) and ~16 MB of generated text in which about one word in eight
// starts a mention; prints one JSON line with MB/s of text linked on one core
// (normalisation included). Usage: axon-bench-link [ALIASES [MEGABYTES]].
#include "runtime/kg/entity_linker.hpp"

#include <chrono>
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const int aliases = argc > 1 ? std::atoi(argv[1]) : 100000;
  const double megabytes = argc > 2 ? std::atof(argv[2]) : 16.0;
  std::mt19937_64 rng(42);
  const std::vector<std::string> syllables{"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi",
                                           "ber", "dan", "fel", "gor", "hal", "jun", "kor", "lin"};
  auto word = [&] {
    std::string w;
    for (int k = 0, n = 2 + int(rng() % 3); k < n; ++k)
      w += syllables[rng() % syllables.size()];
    return w;
  };
  std::vector<std::string> surfaces;
  axon::kg::entity_linker linker;
  for (int id = 0; linker.alias_count() < std::size_t(aliases); ++id) {
    std::string surface = word();
    for (int k = 1, n = 1 + int(rng() % 4); k < n; ++k)
      surface += " " + word();
    if (id % 3 == 0)
      surface[0] = char(std::toupper(surface[0]));
    if (linker.add_alias(surface, id)) // a repeated surface form is not a new alias
      surfaces.push_back(surface);
  }
  const std::vector<std::string> filler{"the", "shares", "of", "rose", "fell", "by", "percent",
                                        "in", "March", ",", "said", "analysts", "."};
  std::string text;
  const auto target = std::size_t(megabytes * 1e6);
  std::vector<std::string> lines;
  std::string line;
  while (text.size() < target) {
    line += (rng() % 8 == 0) ? surfaces[rng() % surfaces.size()] : filler[rng() % filler.size()];
    line += ' ';
    if (line.size() > 160) {
      text += line;
      lines.push_back(std::move(line));
      line.clear();
    }
  }
  std::size_t mentions = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& l : lines)
    mentions += linker.link_text(l).size();
  const double seconds =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"bench\":\"entity_linking\",\"aliases\":%zu,\"text_mb\":%.2f,\"lines\":%zu,"
              "\"mentions\":%zu,\"seconds\":%.3f,\"mb_per_s\":%.2f,\"threads\":1}\n",
              linker.alias_count(), double(text.size()) / 1e6, lines.size(), mentions, seconds,
              double(text.size()) / 1e6 / seconds);
}
