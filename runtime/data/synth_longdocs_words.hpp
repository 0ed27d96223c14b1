// The words and templates synth-longdocs draws from (synth_longdocs.cpp): names, places,
// filler, verdict predicates (the company's and rivals'), market distractors.
#pragma once

#include "runtime/data/synth_words.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace axon::data::synth_longdocs_words {

using namespace synth_words;

inline const word_list name_starts{"Ar", "Bel", "Cor", "Del", "Eri", "Fal", "Gor", "Hel", "Ind", "Jas",
                            "Kor", "Lav", "Mer", "Nor", "Or", "Pra", "Quor", "Ren", "Sil", "Tav"};
inline const word_list name_ends{"vella", "tronic", "mark", "gate", "field", "lux", "ora", "sund",
                          "berg", "wick", "dyne", "ton", "ex", "land", "holm", "tec", "via",
                          "nova", "rock", "haven"};
inline const word_list legal_forms{"Industries", "Group", "Oyj", "AB", "ASA", "plc", "Holdings"};
inline const word_list cities{"Helsinki", "Stockholm", "Oslo", "Copenhagen", "Hamburg", "Warsaw",
                       "Tallinn", "Rotterdam", "Toronto", "Sao Paulo", "Osaka", "Mumbai"};
inline const word_list exchanges{"Helsinki", "Stockholm", "Oslo", "Copenhagen", "Frankfurt", "Warsaw"};
inline const word_list quarters{"the first quarter", "the second quarter", "the third quarter",
                         "the fourth quarter"};
inline const word_list people{"Anna Lind", "Mikko Saari", "Erik Berg", "Laura Koski", "Jonas Weber",
                       "Maria Nowak", "Pieter de Vries", "Sofia Rossi", "Henrik Dahl",
                       "Eva Holm"};
inline const word_list segments{"industrial services", "consumer products", "packaging", "logistics",
                         "energy solutions", "digital services", "machinery", "chemicals",
                         "healthcare", "building materials", "paper", "electronics"};
inline const word_list banks{"Nordbank Securities", "Carnegie Partners", "Baltic Equities",
                      "Harbor Capital", "Fjord Markets"};
inline const word_list auditors{"Hallberg and Co", "Lindqvist Audit", "Meridian Accountants",
                         "Stenberg LLP"};

// The first sentence of every document: which company and what kind of document.
// {full} is the company's full name; {year}, {quarter}, {month} are the document's.
inline const word_list title_templates{
  "{full} : interim report for {quarter} of {year} .",
  "{full} half-year report {year} .",
  "Analyst note : {full} , {month} {year} .",
  "{full} annual report {year} .",
  "Quarterly filing of {full} for {quarter} {year} .",
};

// Neutral filler: no polar word (tested), slots for the document's company {co}, people,
// places, dates, amounts. Most of a document is these.
inline const word_list filler_templates{
  "{co} operates {n} production sites in {country} .",
  "The report covers the period from {month} to {month} {year} .",
  "All figures are unaudited and given in millions of euros unless stated otherwise .",
  "{person} serves as chief financial officer of {co} .",
  "The company reports its results in three segments : {segment} , {segment} and {segment} .",
  "{co} employs about {n} people in {few} countries .",
  "The annual general meeting will be held in {city} in {month} .",
  "The {segment} segment accounted for {pct} % of net sales .",
  "Capital expenditure was EUR {amt} million in the period .",
  "The board of directors has {small} members , two of them appointed by employees .",
  "{co} has its headquarters in {city} .",
  "The number of shares outstanding was {amt} million at the end of the period .",
  "Inventories were valued at EUR {amt} million at the balance sheet date .",
  "{co} is listed on the {exchange} stock exchange under the ticker {ticker} .",
  "The fiscal year of {co} ends in {month} .",
  "Comparable figures refer to the same period of {prev_year} .",
  "The report was prepared in accordance with IFRS as adopted by the European Union .",
  "{person} , head of investor relations , will host a conference call in {month} .",
  "A webcast of the presentation will be available on the company's website .",
  "The {segment} unit supplies customers in {country} and {country} .",
  "The tax rate for the period was {pct} % .",
  "Net financial items amounted to EUR {amt} million .",
  "Depreciation and amortisation amounted to EUR {amt} million .",
  "The order book includes projects in {few} countries .",
  "Research and development expenses were {pct} % of net sales .",
  "The company's auditor is {auditor} .",
  "Personnel expenses amounted to EUR {amt} million .",
  "{co} renewed its revolving credit facility of EUR {amt} million .",
  "The next interim report will be published in {month} {year} .",
  "{person} was appointed head of the {segment} segment in {month} .",
  "The share capital of {co} is EUR {amt} million .",
  "Sales are invoiced mainly in euros , dollars and kronor .",
  "Analysts at {bank} and {few} other brokers cover {co} .",
  "The figures for {prev_year} have been restated for the new segment structure .",
  "{co} opened a sales office in {city} in {month} .",
  "The {segment} business is managed from {city} .",
  "The notes to the accounts follow the format of the previous report .",
  "Shareholders holding {pct} % of the votes attended the meeting in {city} .",
  "The company publishes its sustainability report together with the annual report .",
  "{co} has {small} business areas and {n} subsidiaries .",
};

// Polar predicates of the deciding sentence, about the document's company (present tense).
inline const word_list positive_predicates{
  "reports record quarterly profit",
  "raises its full-year guidance after strong demand",
  "lifts its dividend by {pct} %",
  "beats expectations with a {pct} % jump in earnings",
  "sees operating profit climb {pct} % on higher sales",
  "upgrades its outlook as margins widen",
  "wins a EUR {amt} million order in {country}",
  "posts strong growth in orders",
};
inline const word_list negative_predicates{
  "swings to a loss in the quarter",
  "cuts its full-year outlook",
  "will lay off {n} employees amid weak demand",
  "misses expectations as costs soar",
  "suspends its dividend after heavy losses",
  "warns of a deeper loss as orders collapse",
  "sees operating profit fall {pct} % on lower sales",
  "shuts a plant in {country} , cutting {n} jobs",
};
// Polar predicates of rival distractors (past tense, worded apart from the verdicts: with
// the verdicts' own wording, which sentence is about which company is a problem of its
// own, one that a small model trained from scratch solves only to ~88 %; docs/synth-longdocs.md).
inline const word_list rival_positive_predicates{
  "reported higher sales last year",
  "won a large contract in {country}",
  "was upgraded by analysts in {month}",
  "raised its prices in {country}",
  "saw its shares climb in {month}",
};
inline const word_list rival_negative_predicates{
  "reported lower sales last year",
  "lost a large contract in {country}",
  "was downgraded by analysts in {month}",
  "closed a plant in {country}",
  "saw its shares slide in {month}",
};
inline const word_list verdict_openings{"", "In the period , ", "Overall , ", "On balance , "};
inline const word_list rival_markers{"Rival", "Peer", "Competitor", "Industry peer", "Sector rival"};

// Market distractors: the sector or an economy moving up or down, no company named.
struct market_template {
  std::string pattern; // {move} is `up` or `down`
  std::string up, down;
};
inline const std::vector<market_template> market_templates{
  {"Demand for {segment} products {move} in {country} this year .", "rose sharply",
   "fell sharply"},
  {"The {country} economy {move} in {month} .", "expanded strongly", "contracted"},
  {"Shares across the sector {move} in {month} .", "rallied", "slumped"},
  {"Industry-wide orders {move} in {country} , according to trade data .", "surged",
   "collapsed"},
};

} // namespace axon::data::synth_longdocs_words
