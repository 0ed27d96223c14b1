// What the tests of train-config keys share: loading a config text with flag overrides
// against the train schema, and its first error.
#pragma once

#include "runtime/config/load.hpp"
#include "runtime/config/train_schema.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace axon::test {

inline config::load_result load_train(const std::string& text,
                                      std::vector<std::string> overrides = {}) {
  return config::load_config(text, "job.ini", overrides, config::train_schema());
}

inline std::string first_error(const std::string& text, std::vector<std::string> overrides = {}) {
  auto result = load_train(text, overrides);
  BOOST_TEST_REQUIRE(!result.errors.empty());
  return result.errors[0].text();
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace axon::test
