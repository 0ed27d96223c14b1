// A process that answers Axon's node handshake as a node of another build would: it
// publishes, on 127.0.0.1:PORT, an actor replying to hello with NAME and either another
// Axon version (`version`) or another message-type set (`types`). The cluster tests start
// it to check that a coordinator refuses such a node with exit 2 instead of exchanging
// messages that would be decoded as the wrong types.
//   fake_node PORT NAME version|types
#include "actors/cluster/atoms.hpp"
#include "actors/modules.hpp"
#include "runtime/graph/node_identity.hpp"
#include "actors/cluster/system_config.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: fake_node PORT NAME version|types\n";
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  const std::string name = argv[2], differ = argv[3];
  const auto modules = axon::axon_modules();
  axon::system_config cfg{modules, 1};
  caf::actor_system sys{cfg};
  auto identity = axon::this_identity(modules);
  if (differ == "version")
    identity.version = "0.0.0-other";
  else
    identity.message_types = "0000000000000000";
  auto fake = sys.spawn([=]() -> caf::behavior {
    return {[=](axon::hello_atom, const std::string&, const std::string&, const caf::actor&) {
      return caf::make_message(name, identity.version, identity.message_types);
    }};
  });
  auto published = sys.middleman().publish(fake, port, "127.0.0.1");
  if (!published) {
    std::cerr << "fake_node: cannot listen on " << port << '\n';
    return 2;
  }
  std::cout << "node " << name << " listening on 127.0.0.1:" << *published << std::endl;
  std::this_thread::sleep_for(std::chrono::minutes(2)); // the test kills it long before
  std::_Exit(0);
}
