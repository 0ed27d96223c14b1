#include "apps/axon/last_resort.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <system_error>

namespace axon::app {

namespace {

// What an escaped exception means to the user, and what to do about it.
std::string explain(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::bad_alloc&) {
    return "out of memory (std::bad_alloc): the job needs more memory than this process can "
           "get; make it smaller (train.batch-size, the model's sizes, train.threads, "
           "transe.batch-size, transe.negatives) or raise the memory limit";
  } catch (const std::system_error& e) {
    return std::string{"the system refused a resource: "} + e.what()
           + " (error " + std::to_string(e.code().value())
           + "); lower train.threads or raise the process's limits";
  } catch (const std::exception& e) {
    return std::string{"unexpected error: "} + e.what();
  } catch (...) {
    return "unexpected error (an exception that is not a std::exception)";
  }
}

} // namespace

int run_guarded(std::string_view command, const std::function<int()>& command_body) {
  try {
    return command_body();
  } catch (...) {
    std::cerr << "axon " << command << ": " << explain(std::current_exception()) << std::endl;
    return 1;
  }
}

void install_terminate_handler() {
  std::set_terminate([] {
    if (auto failure = std::current_exception())
      std::cerr << "axon: " << explain(failure) << std::endl;
    else
      std::cerr << "axon: fatal error (std::terminate without an exception)" << std::endl;
    std::_Exit(1);
  });
}

} // namespace axon::app
