// Turning C++ exceptions thrown by compute code (ops::op_error, std::invalid_argument...)
// into CAF errors at the actor boundary: an actor whose handler throws exits with an
// error that carries the exception's message, and whoever monitors it reports that.
#pragma once

#include <caf/error.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include <exception>
#include <string>

namespace axon {

/// The message of an exception as a caf::error (runtime_error with the text as context).
inline caf::error error_from(std::exception_ptr failure, const std::string& where) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::runtime_error, where + ": " + e.what());
  } catch (...) {
    return caf::make_error(caf::sec::runtime_error, where + ": unknown exception");
  }
}

/// The text of an error for a user: an error made by Axon carries its whole message as its
/// context (one string), shown as is; others (CAF's own) are rendered with their code.
inline std::string error_text(const caf::error& err) {
  const auto& context = err.context();
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return caf::to_string(err);
}

/// Installs the handler on `self`: `where` names the actor in the message (e.g. "stage 1
/// of shard 0").
inline void exit_on_exception(caf::scheduled_actor* self, std::string where) {
  self->set_exception_handler([where](caf::scheduled_actor*, std::exception_ptr& failure) {
    return error_from(failure, where);
  });
}

} // namespace axon
