// `axon console` interactive, through a pseudo-terminal (tmux): the prompt, tab completion
// of a command and of an actor name, `inspect` output on the screen, `top` refreshing
// until q, a failed command, and q leaving with exit status 0. Skips (77) when tmux is not
// installed.
#include "test/system/job_process.hpp"

#include <boost/test/unit_test.hpp>

using namespace axon::test;

namespace {

bool have_tmux() {
  return run("command -v tmux").status == 0;
}

// One tmux server of our own (-L), killed at the end.
struct tmux_session {
  std::string tmux = "tmux -L axon_console_test_" + std::to_string(::getpid());
  explicit tmux_session(const std::string& command) {
    auto r = run(tmux + " -f /dev/null new-session -d -s console -x 160 -y 48 '" + command + "'");
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  }
  ~tmux_session() { run(tmux + " kill-server"); }
  void keys(const std::string& keys) { run(tmux + " send-keys -t console " + keys); }
  std::string screen() { return run(tmux + " capture-pane -p -t console").output; }
  bool shows(const std::string& text, int seconds = 20) {
    return wait_for([&] { return screen().find(text) != std::string::npos; }, seconds);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(console_tty)

BOOST_AUTO_TEST_CASE(interactive_shell_completes_inspects_and_runs_top) {
  if (!have_tmux()) {
    BOOST_TEST_MESSAGE("tmux is not installed: skipping");
    std::exit(77);
  }
  job_process job{"console_tty"};
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 1; }, 60), job.log());
  const auto status_file = job.dir() / "console.status";
  tmux_session tmux{"HOME=" + job.dir().string() + " " + axon_command + " console --run "
                    + job.run_dir().string() + "; echo $? > " + status_file.string()};
  BOOST_REQUIRE_MESSAGE(tmux.shows("axon>"), tmux.screen());
  BOOST_TEST(tmux.screen().find("control allowed") != std::string::npos);
  // "insp<Tab>" completes the command, "superv<Tab>" the actor's name.
  tmux.keys("insp Tab");
  BOOST_REQUIRE_MESSAGE(tmux.shows("axon> inspect"), tmux.screen());
  tmux.keys("superv Tab");
  BOOST_REQUIRE_MESSAGE(tmux.shows("axon> inspect supervisor"), tmux.screen());
  tmux.keys("Enter");
  BOOST_REQUIRE_MESSAGE(tmux.shows("axon.supervisor"), tmux.screen());
  BOOST_TEST(tmux.screen().find("patience_left") != std::string::npos);
  // top refreshes until q.
  tmux.keys("top Enter");
  BOOST_REQUIRE_MESSAGE(tmux.shows("axon top - "), tmux.screen());
  BOOST_TEST(tmux.shows("shard0.stage0"));
  BOOST_TEST(tmux.shows("(q to quit)"));
  tmux.keys("q");
  BOOST_REQUIRE_MESSAGE(wait_for([&] {
    auto screen = tmux.screen();
    return screen.find("axon top - ") == std::string::npos && screen.find("axon>") != std::string::npos;
  }, 20), tmux.screen());
  // History: Up brings back the last line.
  tmux.keys("Up");
  BOOST_TEST(tmux.shows("axon> top"));
  // A command that fails, then q: the session still ends with exit status 0.
  tmux.keys("C-u 'inspect nosuch' Enter");
  BOOST_TEST(tmux.shows("no actor named 'nosuch'"));
  tmux.keys("q Enter");
  BOOST_TEST(wait_for([&] { return run(tmux.tmux + " has-session -t console").status != 0; }, 20));
  std::ifstream status_in{status_file};
  std::string status;
  std::getline(status_in, status);
  BOOST_TEST(status == "0");
  BOOST_TEST(job.console("--run " + job.run_dir().string() + " -c stop").status == 0);
  BOOST_TEST(job.wait_exit(60) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
