// Word lists that both synthetic data generators draw from (synth_finsent_words.hpp,
// synth_longdocs_words.hpp). Changing one changes both data sets.
#pragma once

#include <string>
#include <vector>

namespace axon::data::synth_words {

using word_list = std::vector<std::string>;

inline const word_list countries{"Finland", "Sweden", "Norway", "Denmark", "Germany", "Poland",
                                 "Estonia", "the Netherlands", "Canada", "Brazil", "Japan",
                                 "India"};
inline const word_list months{"January", "February", "March", "April", "May", "June", "July",
                              "August", "September", "October", "November", "December"};

} // namespace axon::data::synth_words
