// The message of the data_error a call throws: tests compare it with the expected
// "FILE:LINE: what".
#pragma once

#include "runtime/data/labelled_data.hpp"

#include <string>

namespace axon::test {

/// The data_error message of `read`, or "" when it does not throw.
template <class Read>
std::string error_of(Read read) {
  try {
    read();
  } catch (const data::data_error& e) {
    return e.what();
  }
  return "";
}

} // namespace axon::test
