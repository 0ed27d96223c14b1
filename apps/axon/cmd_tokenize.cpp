// `axon tokenize`: WordPiece token ids ([CLS] ... [SEP]) of each line on stdin, one output
// line per input line, ids space-separated. Output is written only when all input is good.
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/wordpiece.hpp"

#include <charconv>
#include <iostream>

namespace axon::app {

int tokenize(args words) {
  std::string vocab_file;
  bool cased = false;
  std::int64_t max_len = 512;
  flag_parser flags("axon tokenize --vocab FILE [FLAGS] < lines.txt");
  flags.add("vocab", &vocab_file, "vocab.txt, one token per line (BERT's format)");
  flags.add("cased", &cased, "keep case and accents (default: lower-case, strip accents)");
  flags.add("max-len", &max_len, "truncate to this many tokens, [CLS] and [SEP] included");
  if (auto status = flags.parse(words))
    return *status;
  if (vocab_file.empty()) {
    std::cerr << "axon tokenize: --vocab FILE is required (see --help)\n";
    return 2;
  }
  if (max_len < 2) {
    std::cerr << "axon tokenize: --max-len must be at least 2, got " << max_len << "\n";
    return 2;
  }
  try {
    data::wordpiece_tokenizer tokenizer(data::vocabulary::load(vocab_file), !cased);
    std::ios::sync_with_stdio(false);
    std::string line, output;
    char number[16];
    for (std::size_t line_number = 1; std::getline(std::cin, line); ++line_number) {
      if (line.ends_with('\r'))
        line.pop_back();
      data::encoding encoded;
      try {
        encoded = tokenizer.encode(line, static_cast<std::size_t>(max_len));
      } catch (const data::data_error& e) {
        throw data::data_error("stdin:" + std::to_string(line_number) + ": " + e.what());
      }
      for (std::size_t i = 0; i < encoded.ids.size(); ++i) {
        if (i > 0)
          output += ' ';
        auto end = std::to_chars(number, number + sizeof number, encoded.ids[i]).ptr;
        output.append(number, end);
      }
      output += '\n';
    }
    std::cout << output << std::flush;
  } catch (const data::data_error& e) {
    std::cerr << "axon tokenize: " << e.what() << "\n";
    return 2;
  }
  return std::cout ? 0 : 1;
}

} // namespace axon::app
