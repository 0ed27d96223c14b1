// `axon predict --run RUN_DIR [--json] [--batch N]`: reads sentences on stdin, one per
// line (--format jsonl: a JSON object per line), and writes `label<TAB>probability` per
// line (--json: one JSON object per line with every class's probability, and with a run
// that fuses a KG the entities linked in the sentence), using the run's best checkpoint,
// loaded once. A blank input line gets a blank output line (--json: label
// null) and is not labelled, so output line N answers input line N. Lines are answered
// as they arrive, in batches of what has been read (at most --batch): a line typed on an
// open stdin is answered at once, and memory stays bounded whatever the input's size
// (line_batches.hpp: a line is cut once it holds the word pieces the model reads,
// data.max-len or a chunked run's data.max-chunks windows, or at a word of more than
// 1 MiB, token_reach.hpp). A chunked run classifies each line as a document from its windows.
// Invalid input (not UTF-8, not JSON) ends the command with exit 2 naming the line, after
// the answers to the lines before it.
#include "apps/axon/commands.hpp"
#include "apps/axon/entities_json.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/line_batches.hpp"
#include "apps/axon/token_reach.hpp"
#include "apps/axon/trained_run.hpp"
#include "runtime/data/basic_tokenizer.hpp"
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace axon::app {

namespace {

/// The sentence of one stdin line (numbered from 1), or a data_error naming the line.
std::string sentence_of(std::string line, std::size_t number, data::text_encoding encoding,
                        const std::string& format, const std::string& text_key) {
  auto bad = [&](const std::string& what) {
    return data::data_error("stdin:" + std::to_string(number) + ": " + what);
  };
  const bool convert = encoding == data::text_encoding::latin1
                       || (encoding == data::text_encoding::detect
                           && data::find_invalid_utf8(line) != std::string::npos);
  if (convert)
    line = data::latin1_to_utf8(line);
  if (auto at = data::find_invalid_utf8(line); at != std::string::npos)
    throw bad("invalid UTF-8 at byte " + std::to_string(at + 1));
  if (format == "lines" || data::trim(line).empty())
    return line;
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) { // "[json.exception.parse_error.101] parse error at ..."
    const std::string what = e.what();
    throw bad("not JSON: " + what.substr(what.find("parse error")));
  }
  if (!object.is_object())
    throw bad("not a JSON object");
  if (!object.contains(text_key) || !object[text_key].is_string())
    throw bad("no string \"" + text_key + "\"");
  return object[text_key].get<std::string>();
}

// "0.9731": four decimals, as the classification report prints them.
std::string format_probability(float p) {
  char text[16];
  std::snprintf(text, sizeof text, "%.4f", p);
  return text;
}

} // namespace

int predict(args words) {
  std::string run_dir, format = "lines", encoding = "utf-8", text_column = "text";
  bool json = false;
  int batch = 64;
  flag_parser flags{"axon predict --run RUN_DIR [FLAGS] < sentences.txt"};
  flags.add("run", &run_dir, "run directory written by `axon train`");
  flags.add("json", &json, "one JSON object per line, with every class's probability (and "
                           "the linked entities when the run fuses a KG)");
  flags.add("format", &format, "lines (a sentence per line) or jsonl (an object per line)");
  flags.add("encoding", &encoding, "utf-8, latin-1 or auto (utf-8 where valid, else latin-1)");
  flags.add("text-column", &text_column, "the key of the sentence in --format jsonl objects");
  flags.add("batch", &batch, "sentences per forward pass");
  if (auto status = flags.parse(words))
    return *status;
  const auto usage = run_dir.empty() ? "--run RUN_DIR is required"
                     : batch < 1   ? "--batch must be at least 1"
                     : format != "lines" && format != "jsonl" ? "--format is lines or jsonl"
                                                              : "";
  if (*usage) {
    std::cerr << "axon predict: " << usage << " (see --help)\n";
    return 2;
  }
  try {
    const auto text_encoding = data::parse_text_encoding(encoding);
    auto run = trained_run::load(run_dir);
    const auto k = static_cast<std::int64_t>(run.labels.size());
    // A plain line is cut where its word pieces pass what the model reads (without [CLS]
    // and [SEP]); JSON lines carry other fields and must stay whole.
    constexpr std::size_t max_bytes = std::size_t{64} << 20;
    token_reach reach{*run.tokenizer, run.max_tokens() - 2, text_encoding};
    line_batches input{0, static_cast<std::size_t>(batch), max_bytes,
                       format == "lines" ? &reach : nullptr};
    std::size_t number = 0; // of the last line read, from 1
    for (auto lines = input.next(); !lines.empty(); lines = input.next()) {
      std::vector<std::string> texts;
      std::vector<data::tokenized_example> examples; // the non-blank lines, in order
      std::vector<std::vector<kg::linked_entity>> linked; // theirs, with --json and a KG
      const bool show_entities = json && run.kg;
      std::string failure; // of a bad line: said after the answers to the lines before it
      for (std::size_t i = 0; i < lines.size() && failure.empty(); ++i) {
        try {
          ++number;
          if (format == "jsonl" && input.cut()[i])
            throw data::data_error("stdin:" + std::to_string(number) + ": longer than 64 MiB "
                                   "(a --format jsonl line is read whole)");
          texts.push_back(sentence_of(std::move(lines[i]), number, text_encoding, format,
                                      text_column));
        } catch (const data::data_error& e) {
          failure = e.what();
          break;
        }
        if (!data::has_no_words(texts.back()))
          examples.push_back(run.encode(texts.back(),
                                        show_entities ? &linked.emplace_back() : nullptr));
      }
      auto probs = run.probabilities(examples, static_cast<std::size_t>(batch));
      std::size_t labelled = 0;
      for (const auto& text : texts) {
        if (data::has_no_words(text)) {
          std::cout << (json ? nlohmann::json{{"text", text}, {"label", nullptr}}.dump() : "")
                    << '\n';
          continue;
        }
        const auto row = labelled++;
        const float* p = probs.data<float>() + row * k;
        auto best = std::max_element(p, p + k) - p;
        if (json) {
          nlohmann::json out{{"text", text}, {"label", run.labels[best]},
                             {"probability", p[best]}};
          for (std::int64_t c = 0; c < k; ++c)
            out["probabilities"][run.labels[c]] = p[c];
          if (show_entities)
            out["entities"] = entities_json(linked[static_cast<std::size_t>(row)]);
          std::cout << out.dump() << '\n';
        } else {
          std::cout << run.labels[best] << '\t' << format_probability(p[best]) << '\n';
        }
      }
      std::cout.flush(); // answered before the next line is read
      if (!failure.empty())
        throw data::data_error(failure);
    }
    if (input.truncated() > 0)
      std::cerr << "axon predict: " << input.truncated() << " line(s) were cut after the "
                << run.max_tokens() - 2 << " word pieces the model reads (or at a word of "
                   "more than 1 MiB)\n";
  } catch (const std::exception& e) {
    std::cerr << "axon predict: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

} // namespace axon::app
