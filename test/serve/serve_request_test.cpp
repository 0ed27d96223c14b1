// The classify request's JSON (apps/axon/serve_request.hpp): every bad body is a
// field_error naming the field (invalid JSON, invalid UTF-8 inside a text, wrong types,
// an unknown key, an empty or too long list, a text too long or blank); a good one gives
// its texts in order; the answer carries each text's label and probabilities.
#include "apps/axon/serve_request.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <variant>

using namespace axon;
using namespace axon::app;

namespace {

const request_limits limits{3, 10};

// The field named by the error of `body` (fails the test when the body is accepted).
field_error refused(const std::string& body) {
  auto parsed = parse_classify_body(body, limits);
  BOOST_TEST_INFO(body);
  BOOST_TEST_REQUIRE(std::holds_alternative<field_error>(parsed));
  return std::get<field_error>(parsed);
}

} // namespace

BOOST_AUTO_TEST_SUITE(serve_request)

BOOST_AUTO_TEST_CASE(a_good_body_gives_its_texts_in_order) {
  auto parsed = parse_classify_body(R"({"texts": ["gains", "ça baisse"]})", limits);
  BOOST_TEST_REQUIRE(std::holds_alternative<std::vector<std::string>>(parsed));
  const auto& texts = std::get<std::vector<std::string>>(parsed);
  BOOST_TEST(texts == (std::vector<std::string>{"gains", "ça baisse"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_bad_body_names_its_field) {
  BOOST_TEST(refused("{\"texts\": [\"a\",").field == "texts[1]"); // cut short
  BOOST_TEST(refused("not json").field == "body");
  BOOST_TEST(refused("[\"a\"]").field == "body");
  BOOST_TEST(refused("{}").field == "texts");
  BOOST_TEST(refused(R"({"texts": "one"})").field == "texts");
  BOOST_TEST(refused(R"({"texts": []})").field == "texts");
  BOOST_TEST(refused(R"({"texts": ["a", "b", "c", "d"]})").field == "texts"); // over max-texts
  BOOST_TEST(refused(R"({"texts": ["a", 7]})").field == "texts[1]");
  BOOST_TEST(refused(R"({"texts": ["a", null]})").field == "texts[1]");
  BOOST_TEST(refused(R"({"texts": ["a", "01234567890"]})").field == "texts[1]"); // 11 bytes
  BOOST_TEST(refused(R"({"texts": ["a", "   "]})").field == "texts[1]");
  BOOST_TEST(refused(R"({"texts": ["a"], "text": "b"})").field == "text");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_names_the_text_it_is_in) {
  auto error = refused("{\"texts\": [\"ok\", \"bad \xC3\x28 byte\"]}");
  BOOST_TEST(error.field == "texts[1]");
  BOOST_TEST(error.message.find("UTF-8") != std::string::npos);
  BOOST_TEST(refused("{\"texts\": [\"\xFF\"]}").field == "texts[0]");
}

BOOST_AUTO_TEST_CASE(messages_say_what_is_allowed) {
  BOOST_TEST(refused(R"({"texts": ["a", "b", "c", "d"]})").message.find("serve.max-texts") != std::string::npos);
  BOOST_TEST(refused(R"({"texts": ["01234567890"]})").message.find("serve.max-text-bytes") != std::string::npos);
  auto json = nlohmann::json::parse(error_json({"texts[2]", "must be a string"}));
  BOOST_TEST(json["error"]["field"] == "texts[2]");
  BOOST_TEST(json["error"]["message"] == "must be a string");
  BOOST_TEST(!nlohmann::json::parse(error_json({"", "queue full"}))["error"].contains("field"));
}

BOOST_AUTO_TEST_CASE(the_answer_has_each_texts_label_and_probabilities) {
  auto probs = tensor::empty({2, 3});
  const float values[] = {0.1f, 0.7f, 0.2f, 0.5f, 0.25f, 0.25f};
  std::copy(values, values + 6, probs.data<float>());
  auto json = nlohmann::json::parse(
    classify_json(probs, {}, {"runs/a", "runs/a/checkpoints/step-40", 40, {"negative", "neutral", "positive"}}));
  BOOST_TEST(json["predictions"].size() == 2u);
  BOOST_TEST(json["predictions"][0]["label"] == "neutral");
  BOOST_TEST(json["predictions"][0]["probability"].get<double>() == double(0.7f));
  BOOST_TEST(json["predictions"][1]["label"] == "negative");
  BOOST_TEST(json["predictions"][1]["probabilities"]["positive"].get<double>() == 0.25);
  BOOST_TEST(json["model"]["step"] == 40);
  BOOST_TEST(json["model"]["checkpoint"] == "runs/a/checkpoints/step-40");
  BOOST_TEST(!json["predictions"][0].contains("entities")); // not a KG run
}

BOOST_AUTO_TEST_CASE(a_kg_runs_answer_has_each_texts_entities) {
  auto probs = tensor::empty({2, 2});
  const float values[] = {0.1f, 0.9f, 0.6f, 0.4f};
  std::copy(values, values + 4, probs.data<float>());
  std::vector<std::vector<kg::linked_entity>> entities{{{0, 2, "nokia oyj", "Q1418"}, {4, 5, "finland", "Q33"}},
                                                       {}};
  auto json = nlohmann::json::parse(classify_json(probs, entities, {"r", "r/checkpoints/step-1", 1, {"neg", "pos"}}));
  const auto& first = json["predictions"][0]["entities"];
  BOOST_TEST_REQUIRE(first.size() == 2u);
  BOOST_TEST(first[0]["entity"] == "Q1418");
  BOOST_TEST(first[0]["text"] == "nokia oyj");
  BOOST_TEST(first[0]["words"] == nlohmann::json::array({0, 2}));
  BOOST_TEST(first[1]["entity"] == "Q33");
  BOOST_TEST(json["predictions"][1]["entities"] == nlohmann::json::array()); // linked nothing
}

BOOST_AUTO_TEST_SUITE_END()
