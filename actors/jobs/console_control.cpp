// console control: one blocking request to the supervisor per control request.
#include "actors/jobs/console_control.hpp"

#include "runtime/graph/error.hpp"
#include "actors/cluster/atoms.hpp"
#include "actors/jobs/messages.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <limits>

namespace axon {

namespace {

// A step or a dev evaluation in progress finishes first; these take seconds, not minutes,
// on the jobs Axon runs today.
constexpr auto control_timeout = std::chrono::minutes(5);

template <class... Ts>
nlohmann::json ask(caf::actor_system& sys, const caf::actor& supervisor, Ts... xs) {
  nlohmann::json reply;
  caf::scoped_actor self{sys};
  self->request(supervisor, control_timeout, xs...)
    .receive([&](const std::string& text) { reply = {{"ok", true}, {"result", text}}; },
             [&](caf::error& err) {
               reply = {{"ok", false}, {"error", error_text(err)}}; // the refusal, as plain text
             });
  return reply;
}

} // namespace

monitor::control_fn supervisor_control(caf::actor_system& sys, caf::actor supervisor) {
  return [&sys, supervisor](const nlohmann::json& request) -> nlohmann::json {
    const auto op = request.at("op").get<std::string>();
    if (op == "pause")
      return ask(sys, supervisor, pause_atom::value);
    if (op == "resume")
      return ask(sys, supervisor, resume_atom::value);
    if (op == "checkpoint")
      return ask(sys, supervisor, checkpoint_atom::value);
    if (op == "stop")
      return ask(sys, supervisor, stop_atom::value);
    if (op == "set") {
      auto key = request.value("key", nlohmann::json{});
      auto value = request.value("value", nlohmann::json{});
      if (!key.is_string() || !value.is_number())
        return {{"ok", false}, {"error", "set needs \"key\" (a string) and \"value\" (a number)"}};
      return ask(sys, supervisor, set_atom::value, key.get<std::string>(), value.get<double>());
    }
    if (op == "scale") {
      auto shards = request.value("shards", nlohmann::json{});
      if (!shards.is_number_integer())
        return {{"ok", false}, {"error", "scale needs \"shards\" (a whole number)"}};
      const auto n = shards.get<std::int64_t>();
      if (n < 0 || n > std::numeric_limits<std::int32_t>::max())
        return {{"ok", false},
                {"error", "scale: shards must be a whole number >= 1, got " + std::to_string(n)}};
      return ask(sys, supervisor, scale_atom::value, static_cast<std::int32_t>(n));
    }
    if (op == "join" || op == "leave") {
      auto node = request.value("node", nlohmann::json{});
      if (!node.is_string())
        return {{"ok", false}, {"error", op + " needs \"node\" (a name in cluster.nodes)"}};
      if (op == "join")
        return ask(sys, supervisor, join_atom::value, node.get<std::string>());
      return ask(sys, supervisor, leave_atom::value, node.get<std::string>());
    }
    return {{"ok", false}, {"error", "no such control request: " + op}};
  };
}

} // namespace axon
