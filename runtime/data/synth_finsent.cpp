// synth-finsent generator (see synth_finsent.hpp and docs/synth-finsent.md). All choices
// come from one std::mt19937_64 through seeded_random.hpp, so the output is the same on
// every platform.
#include "runtime/data/synth_finsent.hpp"

#include "runtime/data/csv_writer.hpp"
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/seeded_random.hpp"
#include "runtime/data/synth_finsent_words.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

namespace axon::data {

namespace {

using namespace synth_finsent_words;

struct company {
  std::string id;        // company:<slug>
  std::string full_name; // "Norvexa Holdings"
  std::string short_name;
  std::string ticker;
  std::size_t sector;
  std::size_t country;
  bool held_out; // named by dev/test's KG-dependent sentences only, never by train's
};

class generator {
public:
  explicit generator(const synth_finsent_options& options)
      : options_(options), rng_(options.seed) {}

  synth_finsent_data run() {
    make_companies();
    synth_finsent_data data;
    make_graph(data);
    const std::size_t train = options_.size * 8 / 10, dev = options_.size / 10;
    for (std::size_t i = 0; i < options_.size; ++i) {
      auto& part = i < train ? data.train : i < train + dev ? data.dev : data.test;
      part.push_back(sentence(i < train));
    }
    return data;
  }

private:
  const std::string& pick(const word_list& words) { return words[uniform_below(rng_, words.size())]; }
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
      std::string slug = short_name;
      std::transform(slug.begin(), slug.end(), slug.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      // Sectors in turn, so every sector has companies.
      companies_.push_back({"company:" + slug, short_name + " " + pick(legal_forms), short_name,
                            ticker, companies_.size() % sectors.size(),
                            uniform_below(rng_, countries.size()), false});
    }
    // In each sector the same share is held out (at least one company), drawn at random.
    for (std::size_t s = 0; s < sectors.size(); ++s) {
      std::vector<company*> members;
      for (auto& c : companies_)
        if (c.sector == s)
          members.push_back(&c);
      const auto held_out = std::max<std::size_t>(
          1, static_cast<std::size_t>(options_.held_out_companies * members.size() + 0.5));
      for (std::size_t k = 0; k < held_out && k + 1 < members.size(); ++k) {
        auto pick_at = k + uniform_below(rng_, members.size() - k);
        std::swap(members[k], members[pick_at]);
        members[k]->held_out = true;
      }
    }
  }

  void make_graph(synth_finsent_data& data) {
    auto slug = [](std::string text) {
      for (auto& c : text)
        c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return text;
    };
    for (const auto& s : sectors)
      for (const auto& surface : s.surface)
        data.aliases.push_back({"sector:" + s.id, surface});
    for (const auto& f : factors) {
      data.triples.push_back({"sector:" + f.winner, "gains_when_rises", "factor:" + f.id});
      data.triples.push_back({"sector:" + f.loser, "loses_when_rises", "factor:" + f.id});
      for (const auto& surface : f.surface)
        data.aliases.push_back({"factor:" + f.id, surface});
    }
    for (const auto& country : countries)
      data.aliases.push_back({"country:" + slug(country), country});
    for (const auto& c : companies_) {
      data.triples.push_back({c.id, "in_sector", "sector:" + sectors[c.sector].id});
      data.triples.push_back({c.id, "headquartered_in", "country:" + slug(countries[c.country])});
      for (const auto* surface : {&c.full_name, &c.short_name, &c.ticker})
        data.aliases.push_back({c.id, *surface});
    }
    // Each company has one or two suppliers and a competitor in its own sector.
    for (std::size_t i = 0; i < companies_.size(); ++i) {
      std::size_t suppliers = 1 + uniform_below(rng_, 2);
      for (std::size_t k = 0; k < suppliers; ++k) {
        auto supplier = uniform_below(rng_, companies_.size());
        if (supplier != i)
          data.triples.push_back({companies_[supplier].id, "supplies", companies_[i].id});
      }
      for (std::size_t j = i + sectors.size(); j < companies_.size(); j += sectors.size()) {
        data.triples.push_back({companies_[i].id, "competes_with", companies_[j].id});
        break;
      }
    }
  }

  std::string company_mention(const company& c) {
    double draw = uniform_unit(rng_);
    return draw < 0.5 ? c.full_name : draw < 0.85 ? c.short_name : c.ticker;
  }

  /// Replaces every {slot} of `pattern`.
  std::string fill(const std::string& pattern, const company& c, const std::string& factor_text,
                   const verb_form* verb) {
    std::string out;
    for (std::size_t pos = 0; pos < pattern.size();) {
      if (pattern[pos] != '{') {
        out += pattern[pos++];
        continue;
      }
      auto close = pattern.find('}', pos);
      auto slot = pattern.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      if (slot == "co")
        out += company_mention(c);
      else if (slot == "pct")
        out += chance(0.3) ? number(1, 40) + "." + number(1, 9) : number(2, 60);
      else if (slot == "amt")
        out += chance(0.5) ? number(3, 950) : number(1, 99) + "." + number(1, 9);
      else if (slot == "n")
        out += number(2, 30) + (chance(0.5) ? "0" : "");
      else if (slot == "country")
        out += pick(countries);
      else if (slot == "month")
        out += pick(months);
      else if (slot == "person")
        out += pick(people);
      else if (slot == "factor")
        out += factor_text;
      else if (slot == "verb")
        out += verb->present;
      else if (slot == "verbed")
        out += verb->past;
    }
    return out;
  }

  std::string decorate(std::string text) {
    double prefix = uniform_unit(rng_);
    if (prefix < 0.08)
      text = "In " + pick(months) + " , " + text;
    else if (prefix < 0.14)
      text = "According to the report , " + text;
    double suffix = uniform_unit(rng_);
    if (suffix < 0.1)
      text += " , the company said .";
    else if (suffix < 0.16)
      text += " , CEO " + pick(people) + " said .";
    else
      text += " .";
    if (text[0] >= 'a' && text[0] <= 'z') // templates start lower-case: "shares of ..."
      text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text;
  }

  synth_sentence sentence(bool in_train) {
    synth_sentence out;
    int polarity; // -1 negative, 0 neutral, +1 positive
    if (chance(options_.kg_share)) {
      out.kind = chance(options_.move_share) ? sentence_kind::move : sentence_kind::fact;
      const auto& f = factors[uniform_below(rng_, factors.size())];
      const bool rises = out.kind == sentence_kind::fact || chance(0.5);
      const bool winner = chance(0.5);
      const std::string& sector_id = winner ? f.winner : f.loser;
      // Train names the companies not held out, dev and test the held-out ones, so no
      // company's label can be learned from its name (every sector has both kinds).
      std::vector<const company*> candidates;
      for (const auto& c : companies_)
        if (sectors[c.sector].id == sector_id && c.held_out != in_train)
          candidates.push_back(&c);
      const auto& c = *candidates[uniform_below(rng_, candidates.size())];
      if (out.kind == sentence_kind::fact) {
        out.text = decorate(fill(pick(fact_templates), c, pick(f.surface), nullptr));
      } else {
        const auto& verbs = rises ? rising : falling;
        const auto& verb = verbs[uniform_below(rng_, verbs.size())];
        out.text = decorate(fill(pick(move_templates), c, pick(f.surface), &verb));
      }
      polarity = (rises == winner) ? +1 : -1;
    } else {
      polarity = static_cast<int>(uniform_below(rng_, 3)) - 1;
      const auto& templates = polarity > 0   ? positive_templates
                              : polarity < 0 ? negative_templates
                                             : neutral_templates;
      const auto& c = companies_[uniform_below(rng_, companies_.size())];
      out.text = decorate(fill(pick(templates), c, "", nullptr));
    }
    if (chance(options_.label_noise))
      polarity = (polarity + 2 + static_cast<int>(uniform_below(rng_, 2))) % 3 - 1;
    out.label = polarity > 0 ? "positive" : polarity < 0 ? "negative" : "neutral";
    return out;
  }

  const synth_finsent_options& options_;
  std::mt19937_64 rng_;
  std::vector<company> companies_;
};

} // namespace

const char* to_string(sentence_kind kind) {
  switch (kind) {
  case sentence_kind::fact:
    return "fact";
  case sentence_kind::move:
    return "move";
  default:
    return "text";
  }
}

synth_finsent_data generate_synth_finsent(const synth_finsent_options& options) {
  if (options.size < 10)
    throw data_error("synth-finsent: size must be at least 10 sentences");
  if (options.companies < 2 * sectors.size())
    throw data_error("synth-finsent: at least " + std::to_string(2 * sectors.size()) +
                     " companies are needed (two per sector: one named by train's KG "
                     "sentences, one held out for dev and test)");
  if (options.companies > name_starts.size() * name_ends.size() / 2)
    throw data_error("synth-finsent: at most " +
                     std::to_string(name_starts.size() * name_ends.size() / 2) + " companies");
  return generator(options).run();
}

void write_synth_finsent(const synth_finsent_data& data, const std::string& dir) {
  const std::filesystem::path root(dir);
  create_output_dir(root / "kg");
  file_set files;
  write_split_csvs(files, root, "text,label,kg_dependent,kind", data,
                   [](std::ostream& out, const synth_sentence& row) {
                     out << csv_quoted(row.text) << ',' << row.label << ','
                         << (row.kg_dependent() ? 1 : 0) << ',' << to_string(row.kind) << '\n';
                   });
  files.write(root / "kg" / "triples.tsv", [&](std::ostream& out) {
    for (const auto& [head, relation, tail] : data.triples)
      out << head << '\t' << relation << '\t' << tail << '\n';
  });
  files.write(root / "kg" / "aliases.tsv", [&](std::ostream& out) {
    for (const auto& [entity, surface] : data.aliases)
      out << entity << '\t' << surface << '\n';
  });
  files.commit();
}

} // namespace axon::data
