// The axon command's last resort (apps/axon/last_resort.hpp): an exception escaping a
// command, or any thread, ends the process with a message and exit 1, never an abort.
#include "apps/axon/last_resort.hpp"

#include <boost/test/unit_test.hpp>

#include <iostream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

using namespace axon::app;

namespace {

// run_guarded's status and what it printed on std::cerr.
std::pair<int, std::string> guarded(const std::function<int()>& body) {
  std::ostringstream err;
  auto* saved = std::cerr.rdbuf(err.rdbuf());
  const int status = run_guarded("train", body);
  std::cerr.rdbuf(saved);
  return {status, err.str()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(last_resort)

BOOST_AUTO_TEST_CASE(a_command_that_returns_keeps_its_status) {
  BOOST_TEST(guarded([] { return 2; }).first == 2);
  BOOST_TEST(guarded([] { return 0; }).second == "");
}

BOOST_AUTO_TEST_CASE(escaped_exceptions_end_with_a_message_and_exit_1) {
  auto [status, text] = guarded([]() -> int { throw std::bad_alloc{}; });
  BOOST_TEST(status == 1);
  BOOST_TEST(text.starts_with("axon train: out of memory"));
  std::tie(status, text) = guarded([]() -> int {
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
  });
  BOOST_TEST(status == 1);
  BOOST_TEST(text.find("train.threads") != std::string::npos);
  std::tie(status, text) = guarded([]() -> int { throw 42; });
  BOOST_TEST(status == 1);
  BOOST_TEST(text.find("not a std::exception") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_exception_escaping_a_thread_exits_1_instead_of_aborting) {
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 2);
    install_terminate_handler();
    std::thread{[] { throw std::runtime_error("the thread's failure"); }}.join();
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, std::size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  BOOST_TEST(WIFEXITED(status)); // not SIGABRT
  BOOST_TEST(WEXITSTATUS(status) == 1);
  BOOST_TEST(text.find("the thread's failure") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
