// console control: carries the inspection endpoint's control requests (pause, resume,
// checkpoint, set, stop, scale, join, leave) to the supervisor as messages, and its answer back. The
// supervisor handles them between steps, so a request waits for the step (or evaluation)
// in progress to end.
#pragma once

#include "runtime/monitor/endpoint.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

monitor::control_fn supervisor_control(caf::actor_system& sys, caf::actor supervisor);

} // namespace axon
