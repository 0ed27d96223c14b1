// synth-finsent: a deterministic generated financial-news sentiment dataset with a
// knowledge graph of fictional companies (sectors, countries, suppliers, competitors).
// Most sentences carry clear sentiment words; a share (kg_dependent) is labelled by how a
// commodity or rate move affects the company's sector, which only the KG says: `fact`
// sentences always report a rise (label = the fact), `move` ones a rise or a fall (label =
// the fact XOR the direction). Described in docs/synth-finsent.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace axon::data {

struct synth_finsent_options {
  std::uint64_t seed = 42;
  std::size_t size = 5000;        // sentences in all; 80% train, 10% dev, 10% test
  double kg_share = 0.3;          // share of sentences whose label needs the KG
  double move_share = 1.0 / 3;    // share of those of the `move` kind (the others: `fact`)
  double label_noise = 0.03;      // share of labels replaced by another label
  std::size_t companies = 120;    // fictional companies in the KG
  double held_out_companies = 0.3; // per sector: named by dev/test's KG sentences only
};

/// What decides a sentence's label: its sentiment words (`text`), the company's sector
/// from the KG (`fact`: the factor rises), or that fact and the direction of the move.
enum class sentence_kind { text, fact, move };
const char* to_string(sentence_kind kind);

struct synth_sentence {
  std::string text;
  std::string label; // negative, neutral or positive
  sentence_kind kind = sentence_kind::text;
  bool kg_dependent() const { return kind != sentence_kind::text; }
};

struct synth_finsent_data {
  std::vector<synth_sentence> train, dev, test;
  std::vector<std::array<std::string, 3>> triples;          // head, relation, tail
  std::vector<std::pair<std::string, std::string>> aliases; // entity, surface form
};

/// The same options give the same data on every machine.
synth_finsent_data generate_synth_finsent(const synth_finsent_options& options);

/// Writes DIR/{train,dev,test}.csv (header text,label,kg_dependent,kind) and
/// DIR/kg/{triples,aliases}.tsv (no header line).
/// Files are written under temporary names and renamed, so a failure leaves no partial
/// file; throws data_error naming the file.
void write_synth_finsent(const synth_finsent_data& data, const std::string& dir);

} // namespace axon::data
