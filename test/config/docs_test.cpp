// docs/config.md must be the reference rendered from the train schema, so that the docs
// cannot drift from the keys, defaults and ranges the code accepts.
#include "runtime/config/docs.hpp"
#include "runtime/config/train_schema.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>

BOOST_AUTO_TEST_CASE(docs_config_md_matches_the_schema) {
  const std::string file = std::string{AXON_TEST_DIR} + "/../docs/config.md";
  std::ifstream in(file, std::ios::binary);
  const std::string on_disk{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto rendered = axon::config::render_docs(axon::config::train_schema());
  BOOST_TEST((on_disk == rendered),
             file << " differs from the schema; regenerate it: axon config docs > docs/config.md");
}
