// Axon's errors as CAF error values: an error code enum (category "axon") whose context is
// one string, the whole message for the user; turning C++ exceptions thrown by compute
// code (ops::op_error, std::invalid_argument...) into such errors at the actor boundary
// (an actor whose handler throws exits with an error carrying the message, and whoever
// monitors it reports that); and the text of any error for a user.
#pragma once

#include <caf/error.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include <cstdint>
#include <exception>
#include <string>

namespace axon {

enum class errc : std::uint8_t {
  none = 0,
  invalid_graph,   // a graph declaration or its wiring is wrong (ports, types, kinds)
  bad_parameters,  // a node's parameters are not what its kind takes
  unknown_kind,    // no factory for a node's kind in this process
  refused,         // a peer refused (identity, session, role)
  bad_input,       // a message, file or request with values out of range
  failed,          // work failed (a compute exception, a lost actor)
};

std::string to_string(errc code);

/// An Axon error whose context is `text`, the message for the user.
caf::error make_error(errc code, std::string text);

/// The message of an exception as an error (errc::failed; `where: what`).
caf::error error_from(std::exception_ptr failure, const std::string& where);

/// The text of an error for a user: an error made by Axon carries its whole message as its
/// context (one string), shown as is; others (CAF's own) are rendered with their code.
std::string error_text(const caf::error& err);

/// Installs the handler on `self`: `where` names the actor in the message (e.g. "stage 1
/// of shard 0").
inline void exit_on_exception(caf::scheduled_actor* self, std::string where) {
  self->set_exception_handler([where](caf::scheduled_actor*, std::exception_ptr& failure) {
    return error_from(failure, where);
  });
}

} // namespace axon

CAF_ERROR_CODE_ENUM(axon::errc, "axon")
