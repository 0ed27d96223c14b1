// docs/config.md and docs/kg-config.md must be the references rendered from the train and
// kg-train schemas, so that the docs cannot drift from the keys, defaults and ranges the
// code accepts.
#include "runtime/config/docs.hpp"
#include "runtime/config/kg_train_schema.hpp"
#include "runtime/config/train_schema.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>

namespace {

void expect_file_equals(const std::string& name, const std::string& rendered,
                        const std::string& regenerate) {
  const std::string file = std::string{AXON_TEST_DIR} + "/../docs/" + name;
  std::ifstream in(file, std::ios::binary);
  const std::string on_disk{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  BOOST_TEST((on_disk == rendered), file << " differs from the schema; regenerate it: " << regenerate);
}

} // namespace

BOOST_AUTO_TEST_CASE(docs_config_md_matches_the_schema) {
  expect_file_equals("config.md", axon::config::render_docs(axon::config::train_schema()),
                     "axon config docs > docs/config.md");
}

BOOST_AUTO_TEST_CASE(docs_kg_config_md_matches_the_kg_train_schema) {
  expect_file_equals("kg-config.md",
                     axon::config::render_docs(axon::config::kg_train_schema(),
                                               axon::config::kg_train_docs_introduction),
                     "axon kg docs > docs/kg-config.md");
}
