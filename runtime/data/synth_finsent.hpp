// synth-finsent: a deterministic generated financial-news sentiment dataset with a
// knowledge graph of fictional companies (sectors, countries, suppliers, competitors).
// Most sentences carry clear sentiment words; a moderate share (kg_dependent) is labelled
// by a commodity or rate move whose effect depends on the company's sector, which only
// the KG says. Described in docs/synth-finsent.md.
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
  double kg_share = 0.22;         // share of sentences whose label needs the KG
  double label_noise = 0.03;      // share of labels replaced by another label
  std::size_t companies = 120;    // fictional companies in the KG
  double held_out_companies = 0.3; // share of companies absent from train's KG sentences
};

struct synth_sentence {
  std::string text;
  std::string label; // negative, neutral or positive
  bool kg_dependent = false;
};

struct synth_finsent_data {
  std::vector<synth_sentence> train, dev, test;
  std::vector<std::array<std::string, 3>> triples;          // head, relation, tail
  std::vector<std::pair<std::string, std::string>> aliases; // entity, surface form
};

/// The same options give the same data on every machine.
synth_finsent_data generate_synth_finsent(const synth_finsent_options& options);

/// Writes DIR/{train,dev,test}.csv (header text,label,kg_dependent) and
/// DIR/kg/{triples,aliases}.tsv (no header line).
/// Files are written under temporary names and renamed, so a failure leaves no partial
/// file; throws data_error naming the file.
void write_synth_finsent(const synth_finsent_data& data, const std::string& dir);

} // namespace axon::data
