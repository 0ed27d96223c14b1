// synth-longdocs generator (see synth_longdocs.hpp and docs/synth-longdocs.md). All choices
// come from one std::mt19937_64 through seeded_random.hpp, so the output is the same on
// every platform.
#include "runtime/data/synth_longdocs.hpp"

#include "runtime/data/csv_writer.hpp"
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/seeded_random.hpp"
#include "runtime/data/synth_longdocs_words.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string_view>

namespace axon::data {

namespace {

using namespace synth_longdocs_words;

struct company {
  std::string full_name, short_name, ticker;
};

std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = c == ' ';
    words += !space && !in_word;
    in_word = !space;
  }
  return words;
}

class generator {
public:
  explicit generator(const synth_longdocs_options& options)
      : options_(options), rng_(options.seed) {}

  synth_longdocs_data run() {
    make_companies();
    synth_longdocs_data data;
    const std::size_t train = options_.docs * 8 / 10, dev = options_.docs / 10;
    for (std::size_t i = 0; i < options_.docs; ++i) {
      auto& part = i < train ? data.train : i < train + dev ? data.dev : data.test;
      part.push_back(document());
    }
    return data;
  }

private:
  const std::string& pick(const word_list& words) {
    return words[uniform_below(rng_, words.size())];
  }
  bool chance(double p) { return uniform_unit(rng_) < p; }
  std::string number(std::uint64_t low, std::uint64_t high) {
    return std::to_string(low + uniform_below(rng_, high - low + 1));
  }

  void make_companies() {
    std::set<std::string> names, tickers;
    while (companies_.size() < options_.companies) {
      std::string short_name = pick(name_starts) + pick(name_ends);
      if (!names.insert(short_name).second)
        continue;
      std::string ticker;
      for (char c : short_name)
        if (ticker.size() < 4 && std::string_view{"aeiouAEIOU"}.find(c) == std::string_view::npos)
          ticker += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      while (!tickers.insert(ticker).second)
        ticker += static_cast<char>('A' + uniform_below(rng_, 26));
      companies_.push_back({short_name + " " + pick(legal_forms), short_name, ticker});
    }
  }

  // The document being written: its company, another one for rivals, its dates.
  struct context {
    const company* co = nullptr;
    std::string year;
    std::string prev_year;
    std::string quarter;
    std::string month;
  };

  std::string mention(const company& c) { return chance(0.4) ? c.full_name : c.short_name; }

  /// Replaces every {slot} of `pattern`; a sentence's first letter is made upper-case.
  std::string fill(const std::string& pattern, const context& doc, bool sentence = true) {
    std::string out;
    for (std::size_t pos = 0; pos < pattern.size();) {
      if (pattern[pos] != '{') {
        out += pattern[pos++];
        continue;
      }
      const auto close = pattern.find('}', pos);
      const auto slot = std::string_view{pattern}.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      if (slot == "co")
        out += mention(*doc.co);
      else if (slot == "full")
        out += doc.co->full_name;
      else if (slot == "ticker")
        out += doc.co->ticker;
      else if (slot == "other")
        out += mention(rival_of(*doc.co));
      else if (slot == "year")
        out += doc.year;
      else if (slot == "prev_year")
        out += doc.prev_year;
      else if (slot == "quarter")
        out += doc.quarter;
      else if (slot == "month")
        out += pick(months);
      else if (slot == "pct")
        out += chance(0.3) ? number(1, 40) + "." + number(1, 9) : number(2, 60);
      else if (slot == "amt")
        out += chance(0.5) ? number(3, 950) : number(1, 99) + "." + number(1, 9);
      else if (slot == "n")
        out += number(2, 60) + (chance(0.5) ? "0" : "");
      else if (slot == "few")
        out += number(3, 40);
      else if (slot == "small")
        out += number(5, 12);
      else if (slot == "country")
        out += pick(countries);
      else if (slot == "city")
        out += pick(cities);
      else if (slot == "exchange")
        out += pick(exchanges);
      else if (slot == "person")
        out += pick(people);
      else if (slot == "segment")
        out += pick(segments);
      else if (slot == "bank")
        out += pick(banks);
      else if (slot == "auditor")
        out += pick(auditors);
    }
    if (sentence && !out.empty() && out[0] >= 'a' && out[0] <= 'z')
      out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
  }

  const company& rival_of(const company& c) {
    const company* other;
    do
      other = &companies_[uniform_below(rng_, companies_.size())];
    while (other == &c);
    return *other;
  }

  std::string predicate(bool positive, const context& doc) {
    return fill(pick(positive ? positive_predicates : negative_predicates), doc, false);
  }

  std::string distractor(const context& doc) {
    const bool up = chance(0.5); // independent of the label
    if (chance(0.6)) {
      auto rival = pick(rival_markers) + " " + mention(rival_of(*doc.co));
      return rival + " " +
             fill(pick(up ? rival_positive_predicates : rival_negative_predicates), doc, false) +
             " .";
    }
    const auto& t = market_templates[uniform_below(rng_, market_templates.size())];
    auto pattern = t.pattern;
    pattern.replace(pattern.find("{move}"), 6, up ? t.up : t.down);
    return fill(pattern, doc);
  }

  synth_document document() {
    context doc;
    doc.co = &companies_[uniform_below(rng_, companies_.size())];
    const auto year = 2019 + uniform_below(rng_, 6);
    doc.year = std::to_string(year);
    doc.prev_year = std::to_string(year - 1);
    doc.quarter = pick(quarters);
    const bool positive = chance(0.5);
    // Log-uniform length: as many documents between 200 and 400 words as between 1500
    // and 3000.
    const double low = std::log(double(options_.min_words));
    const double high = std::log(double(options_.max_words));
    const auto target = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::exp(low + (high - low) * uniform_unit(rng_))),
      options_.min_words, options_.max_words);

    struct draft {
      doc_sentence_kind kind;
      std::string text;
    };
    const draft title{doc_sentence_kind::title, fill(pick(title_templates), doc)};
    const auto& opening = pick(verdict_openings);
    const draft deciding{doc_sentence_kind::deciding,
                         fill(opening + "{co} " + predicate(positive, doc) + " .", doc)};
    std::vector<draft> body;
    std::size_t total = count_words(title.text) + count_words(deciding.text);
    while (total < target) {
      body.push_back(chance(options_.distractor_share)
                       ? draft{doc_sentence_kind::distractor, distractor(doc)}
                       : draft{doc_sentence_kind::filler, fill(pick(filler_templates), doc)});
      total += count_words(body.back().text);
    }
    if (total > options_.max_words) { // only the last sentence can overshoot: drop it
      total -= count_words(body.back().text);
      body.pop_back();
    }
    // The deciding sentence goes before body[at] (at == size: last).
    const auto at = uniform_below(rng_, body.size() + 1);
    body.insert(body.begin() + static_cast<std::ptrdiff_t>(at), deciding);
    body.insert(body.begin(), title);

    synth_document out;
    bool flip = chance(options_.label_noise);
    out.label = positive != flip ? "positive" : "negative";
    for (const auto& sentence : body) {
      const auto words = count_words(sentence.text);
      if (sentence.kind == doc_sentence_kind::deciding)
        out.deciding_word = out.words;
      out.sentences.push_back({sentence.kind, out.words, words});
      if (!out.text.empty())
        out.text += ' ';
      out.text += sentence.text;
      out.words += words;
    }
    return out;
  }

  const synth_longdocs_options& options_;
  std::mt19937_64 rng_;
  std::vector<company> companies_;
};

} // namespace

const char* to_string(doc_sentence_kind kind) {
  switch (kind) {
  case doc_sentence_kind::title:
    return "title";
  case doc_sentence_kind::distractor:
    return "distractor";
  case doc_sentence_kind::deciding:
    return "deciding";
  default:
    return "filler";
  }
}

synth_longdocs_data generate_synth_longdocs(const synth_longdocs_options& options) {
  const std::string what = "synth-longdocs: ";
  if (options.docs < 10)
    throw data_error(what + "docs must be at least 10");
  if (options.min_words < 60)
    throw data_error(what + "min-words must be at least 60 (the title, the deciding sentence "
                            "and some filler), got " + std::to_string(options.min_words));
  if (options.max_words < options.min_words + 60)
    throw data_error(what + "max-words must be at least min-words + 60 (= " +
                     std::to_string(options.min_words + 60) + "), got " +
                     std::to_string(options.max_words));
  if (options.companies < 2 || options.companies > name_starts.size() * name_ends.size())
    throw data_error(what + "companies must lie in [2, " +
                     std::to_string(name_starts.size() * name_ends.size()) + "]");
  for (double share : {options.distractor_share, options.label_noise})
    if (!(share >= 0 && share <= 1))
      throw data_error(what + "distractor-share and label-noise must lie in [0, 1]");
  return generator(options).run();
}

void write_synth_longdocs(const synth_longdocs_data& data, const std::string& dir) {
  const std::filesystem::path root(dir);
  create_output_dir(root);
  file_set files;
  write_split_csvs(files, root, "text,label,depth,words,deciding_word", data,
                   [](std::ostream& out, const synth_document& row) {
                     char depth[16];
                     std::snprintf(depth, sizeof depth, "%.4f", row.depth());
                     out << csv_quoted(row.text) << ',' << row.label << ',' << depth << ','
                         << row.words << ',' << row.deciding_word << '\n';
                   });
  files.commit();
}

} // namespace axon::data
