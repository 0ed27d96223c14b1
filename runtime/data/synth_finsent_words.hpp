// The words and templates synth-finsent draws from (synth_finsent.cpp): sectors and how
// market factors move them, verbs, names, and the sentence templates of each kind.
#pragma once

#include "runtime/data/synth_words.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace axon::data::synth_finsent_words {

using namespace synth_words;

// Sectors; `exposure` is how a rise of each market factor moves the sector's prospects.
struct sector_info {
  std::string id;       // KG entity: sector:<id>
  word_list surface;    // aliases
};
inline const std::vector<sector_info> sectors{
  {"oil_and_gas", {"oil and gas", "oil producer", "energy"}},
  {"airlines", {"airline", "airlines", "air carrier"}},
  {"banking", {"bank", "banking", "lender"}},
  {"real_estate", {"real estate", "property developer", "homebuilder"}},
  {"steel", {"steel", "steelmaker", "steel producer"}},
  {"automotive", {"automotive", "carmaker", "automaker"}},
  {"gold_mining", {"gold mining", "gold miner"}},
  {"jewellery", {"jewellery", "jewellery retailer", "jeweller"}},
  {"software", {"software", "software company"}},
  {"retail", {"retail", "retailer"}},
  {"telecom", {"telecom", "telecommunications operator"}},
  {"pharma", {"pharmaceuticals", "drugmaker"}},
};

struct market_factor {
  std::string id;        // KG entity: factor:<id>
  word_list surface;     // how sentences name it
  std::string winner;    // sector helped when it rises (hurt when it falls)
  std::string loser;     // sector hurt when it rises (helped when it falls)
};
inline const std::vector<market_factor> factors{
  {"oil_price", {"oil prices", "crude oil prices", "Brent crude", "the price of oil"},
   "oil_and_gas", "airlines"},
  {"interest_rates", {"interest rates", "central bank rates", "key policy rates"}, "banking",
   "real_estate"},
  {"steel_price", {"steel prices", "hot-rolled steel prices", "the price of steel"}, "steel",
   "automotive"},
  {"gold_price", {"gold prices", "the price of gold", "bullion prices"}, "gold_mining",
   "jewellery"},
};

struct verb_form {
  std::string present, past;
};
inline const std::vector<verb_form> rising{{"jump", "jumped"}, {"surge", "surged"}, {"soar", "soared"},
                                    {"spike", "spiked"}, {"climb sharply", "climbed sharply"},
                                    {"rise steeply", "rose steeply"}};
inline const std::vector<verb_form> falling{{"slump", "slumped"}, {"plunge", "plunged"},
                                     {"tumble", "tumbled"}, {"slide", "slid"},
                                     {"fall sharply", "fell sharply"},
                                     {"drop steeply", "dropped steeply"}};

inline const word_list people{"Anna Lind", "Mikko Saari", "Erik Berg", "Laura Koski", "Jonas Weber",
                       "Maria Nowak", "Pieter de Vries", "Sofia Rossi"};
inline const word_list name_starts{"Nor", "Kal", "Vel", "Tra", "Bren", "Sol", "Ark", "Lum", "Cor",
                            "Dra", "Fen", "Gal", "Hal", "Ist", "Jor", "Kes", "Mar", "Ost",
                            "Pel", "Quin", "Ros", "Sav", "Tor", "Ul", "Var", "Wes", "Yar",
                            "Zen", "Bal", "Cal"};
inline const word_list name_ends{"vexa", "bridge", "taro", "lind", "mont", "ora", "dal", "ssen",
                          "heim", "ica", "ion", "ford", "vik", "stad", "ex", "ano", "ella",
                          "gard", "tek", "ium"};
inline const word_list legal_forms{"Group", "Holdings", "Corp", "Oyj", "AG", "plc", "ASA", "Inc"};

// Text-learnable templates: {co} company, {pct} percent, {amt} amount, {n} count,
// {country}, {month}, {person}. The sentiment words decide the label.
inline const word_list positive_templates{
  "{co} reports record quarterly profit",
  "{co} raises its full-year guidance after strong demand",
  "net sales of {co} rose {pct} % to EUR {amt} million",
  "{co} wins a EUR {amt} million contract in {country}",
  "{co} beats analysts' expectations with a {pct} % jump in earnings",
  "shares of {co} surge after upbeat results",
  "{co} lifts its dividend by {pct} %",
  "operating profit at {co} improved to EUR {amt} million from a loss",
  "{co} posts strong growth in {month} orders",
  "{co} upgrades its outlook as margins widen",
  "analysts upgrade {co} to buy on robust cash flow",
  "{co} sees profit climb {pct} % on higher sales",
};
inline const word_list negative_templates{
  "{co} swings to a loss in the third quarter",
  "{co} cuts its full-year outlook",
  "{co} to lay off {n} employees amid weak demand",
  "net sales of {co} fell {pct} % to EUR {amt} million",
  "shares of {co} plunge after a profit warning",
  "{co} misses analysts' expectations as costs soar",
  "{co} suspends its dividend after heavy losses",
  "operating profit at {co} dropped to EUR {amt} million from EUR {amt} million",
  "{co} faces a lawsuit over failed deliveries in {country}",
  "analysts downgrade {co} to sell on shrinking margins",
  "{co} warns of a deeper loss as orders collapse",
  "{co} shuts a plant in {country}, cutting {n} jobs",
};
inline const word_list neutral_templates{
  "{co} will publish its interim report in {month}",
  "{co} appoints {person} as chief financial officer",
  "{co} is headquartered in {country}",
  "{co} will hold its annual general meeting in {month}",
  "{co} operates in {n} countries",
  "the board of {co} proposes that {person} be re-elected",
  "{co} has completed the registration of new shares",
  "{co} employs about {n} people",
  "{co} changes the date of its capital markets day to {month}",
  "{person} will present {co} at an investor conference in {month}",
  "{co} opened an office in {country}",
  "trading in {co} shares will continue as normal",
};
// KG-dependent templates of the `fact` kind: {factor} always rises (to a high), and {co};
// wordings of their own, so these rows read differently from `move` ones.
inline const word_list fact_templates{
  "{factor} hit a record high ; {co} in focus",
  "{co} shares in focus as {factor} reach a multi-year high",
  "with {factor} at a ten-year high , analysts revisit {co}",
  "{factor} climbed to a new peak this week , a move that matters for {co}",
  "traders weigh what the record in {factor} means for {co}",
  "{co} : {factor} at an all-time high in {month}",
};
// KG-dependent templates of the `move` kind: {factor} rising or falling, and {co} only.
inline const word_list move_templates{
  "{factor} {verb} ; {co} in focus",
  "{co} shares in focus as {factor} {verb}",
  "traders weigh what it means for {co} as {factor} {verb}",
  "{factor} {verbed} {pct} % this week , a move that matters for {co}",
  "analysts revisit {co} after {factor} {verbed}",
  "{co} : {factor} {verbed} {pct} % in {month}",
};

} // namespace axon::data::synth_finsent_words
