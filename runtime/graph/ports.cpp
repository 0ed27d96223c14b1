// ports: declaration, connect checks and credit bookkeeping (see ports.hpp).
#include "runtime/graph/ports.hpp"

#include "runtime/graph/error.hpp"

#include <caf/type_id.hpp>

namespace axon {

namespace {

std::string ids_text(const std::vector<std::uint16_t>& ids) {
  std::string out;
  for (auto id : ids)
    out += (out.empty() ? "" : ", ") + std::to_string(id);
  return "[" + out + "]";
}

} // namespace

void ports::declare(const std::string& name, bool out, std::vector<std::uint16_t> forward,
                    std::vector<std::uint16_t> backward) {
  auto& p = table_[name];
  p.out = out;
  p.forward_types = std::move(forward);
  p.backward_types = std::move(backward);
}

caf::error ports::connect(port_binding b) {
  auto it = table_.find(b.port);
  if (it == table_.end())
    return make_error(errc::invalid_graph, "no port named '" + b.port + "'");
  auto& p = it->second;
  if (p.out != b.out)
    return make_error(errc::invalid_graph, "port '" + b.port + "' is the "
                                             + (p.out ? "sending" : "receiving")
                                             + " end of its edges, not the "
                                             + (b.out ? "sending" : "receiving") + " end");
  if (p.forward_types != b.forward_types || p.backward_types != b.backward_types)
    return make_error(errc::invalid_graph,
                      "port '" + b.port + "' carries other message types (declared forward "
                        + ids_text(p.forward_types) + " backward " + ids_text(p.backward_types)
                        + ", the edge forward " + ids_text(b.forward_types) + " backward "
                        + ids_text(b.backward_types) + ")");
  if (b.credit_window < 0)
    return make_error(errc::invalid_graph, "port '" + b.port + "': negative credit window");
  p.peer = std::move(b.peer);
  p.peer_port = std::move(b.peer_port);
  p.credit_window = b.credit_window;
  p.in_flight = 0;
  p.waiting.clear();
  return {};
}

port& ports::at(const std::string& name) {
  auto it = table_.find(name);
  if (it == table_.end())
    throw std::out_of_range("no port named '" + name + "'");
  return it->second;
}

const port& ports::at(const std::string& name) const {
  auto it = table_.find(name);
  if (it == table_.end())
    throw std::out_of_range("no port named '" + name + "'");
  return it->second;
}

void ports::check_sends(const std::string& name, const port& p, std::uint16_t type) {
  if (!p.connected())
    throw std::logic_error("port '" + name + "' is not connected");
  const auto& allowed = p.sends();
  if (std::find(allowed.begin(), allowed.end(), type) == allowed.end())
    throw std::logic_error("port '" + name + "' does not send message type "
                           + std::to_string(type) + " (it sends " + ids_text(allowed) + ")");
}

port& ports::credited(const std::string& name, std::int32_t n) {
  auto it = table_.find(name);
  if (it == table_.end() || !it->second.out)
    throw std::invalid_argument("credit for '" + name + "', which is no out port here");
  if (n < 1 || n > it->second.in_flight)
    throw std::invalid_argument("credit of " + std::to_string(n) + " for port '" + name
                                + "', which has " + std::to_string(it->second.in_flight)
                                + " messages out");
  return it->second;
}

bool ports::blocked_on_credit() const {
  for (const auto& [name, p] : table_)
    if (!p.waiting.empty())
      return true;
  return false;
}

} // namespace axon
