// The small, fast training job of the system tests: a config on data that
// `axon data synth-finsent` generates into a temporary folder.
#pragma once

#include "test/support/process.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

namespace axon::test {

// A small, fast job on generated data in `dir`.
std::string write_config(const fs::path& dir, const std::string& name, const std::string& extra) {
  auto file = dir / (name + ".ini");
  std::ofstream out{file};
  out << "[data]\ntrain = \"" << (dir / "data/train.csv").string() << "\"\n"
      << "dev = \"" << (dir / "data/dev.csv").string() << "\"\n"
      << "test = \"" << (dir / "data/test.csv").string() << "\"\n"
      << "vocab-size = 600\nmax-len = 32\n"
      << "[model]\nhidden = 64\nlayers = 2\nheads = 2\nintermediate = 128\nmax-positions = 32\n"
      << "[train]\nrun-dir = \"" << (dir / name).string() << "\"\nepochs = 4\nbatch-size = 16\n"
      << "lr = 5e-3\nlog-every-steps = 1\nthreads = 2\n"
      << "[eval]\nevery-steps = 10\npatience = 0\n"
      << extra;
  return file.string();
}

struct generated_data {
  temp_dir dir;
  generated_data() {
    // --kg-share 0.22: the share of rows that a job without the KG cannot learn, as when
    // these tests' thresholds were set (the generator's default is now 0.3).
    auto r = run(axon_command + " data synth-finsent " + (dir.path / "data").string() +
                 " --size 800 --kg-share 0.22");
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  }
};

} // namespace axon::test
