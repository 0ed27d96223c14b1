// The axon command's last line of defence: an exception that escapes a command (an
// allocation that failed despite the size checks, a thread the system would not start)
// ends the process with a clear message and exit 1, never with std::terminate's abort.
#pragma once

#include <functional>
#include <string_view>

namespace axon::app {

/// Runs `command_body` and returns its exit status; an escaped exception is printed as
/// "axon COMMAND: ..." (what it means and what to do) and gives 1.
int run_guarded(std::string_view command, const std::function<int()>& command_body);

/// For exceptions escaping other threads: std::terminate prints the exception's message
/// and exits 1 (std::_Exit) instead of aborting.
void install_terminate_handler();

} // namespace axon::app
