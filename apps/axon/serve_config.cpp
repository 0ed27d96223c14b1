// The settings of `axon serve`: see serve_config.hpp.
#include "apps/axon/serve_config.hpp"

#include "runtime/config/load.hpp"
#include "runtime/config/train_schema.hpp"
#include "runtime/data/labelled_data.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace axon::app {

namespace {

// The [serve] and [monitor] groups of the train schema, with the rules that read only
// their keys.
const config::schema& serve_schema() {
  static const config::schema instance = [] {
    const auto& all = config::train_schema();
    auto ours = [](const std::string& group) { return group == "serve" || group == "monitor"; };
    std::vector<config::key_spec> keys;
    std::copy_if(all.keys().begin(), all.keys().end(), std::back_inserter(keys),
                 [&](const config::key_spec& k) { return ours(k.group); });
    std::vector<config::group_spec> groups;
    std::copy_if(all.groups().begin(), all.groups().end(), std::back_inserter(groups),
                 [&](const config::group_spec& g) { return ours(g.name); });
    std::vector<config::rule> rules;
    std::copy_if(all.rules().begin(), all.rules().end(), std::back_inserter(rules),
                 [](const config::rule& r) {
                   return std::all_of(r.keys.begin(), r.keys.end(), [](const std::string& k) {
                     return k.starts_with("serve.") || k.starts_with("monitor.");
                   });
                 });
    return config::schema(std::move(groups), std::move(keys), std::move(rules));
  }();
  return instance;
}

} // namespace

std::variant<serve_settings, std::string> load_serve_settings(const std::string& config_file,
                                                             std::span<const std::string> overrides) {
  auto loaded = config_file.empty()
                  ? config::load_config("", "(no --config)", overrides, serve_schema())
                  : config::load_config_file(config_file, overrides, serve_schema());
  if (!loaded.resolved)
    return loaded.error_text();
  const auto& cfg = *loaded.resolved;
  serve_settings s;
  s.bind = cfg.get_string("serve.bind");
  s.port = static_cast<int>(cfg.get_int("serve.port"));
  s.batcher.replicas = static_cast<std::int32_t>(cfg.get_int("serve.replicas"));
  s.batcher.max_batch = static_cast<std::int32_t>(cfg.get_int("serve.max-batch"));
  s.batcher.max_wait_us =
    std::chrono::duration_cast<std::chrono::microseconds>(cfg.get_timespan("serve.max-wait")).count();
  s.batcher.queue = static_cast<std::int32_t>(cfg.get_int("serve.queue"));
  s.limits.max_texts = static_cast<std::size_t>(cfg.get_int("serve.max-texts"));
  s.limits.max_text_bytes = static_cast<std::size_t>(cfg.get_int("serve.max-text-bytes"));
  s.http_threads = static_cast<int>(cfg.get_int("serve.http-threads"));
  s.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.get_timespan("serve.timeout"));
  s.watch = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.get_timespan("serve.watch"));
  s.console_dir = cfg.get_string("serve.console-dir");
  s.config = std::make_shared<const config::resolved_config>(cfg);
  s.tls_certificate = cfg.get_string("serve.tls-certificate");
  s.tls_key = cfg.get_string("serve.tls-key");
  if (const auto& file = cfg.get_string("serve.token-file"); !file.empty()) {
    std::ifstream in{file};
    std::stringstream text;
    text << in.rdbuf();
    s.token = std::string{data::trim(text.str())};
    if (!in.is_open() || s.token.empty())
      return "serve.token-file = " + file + ": cannot read a token from it (a file holding one "
             "line, the token)";
  }
  return s;
}

} // namespace axon::app
