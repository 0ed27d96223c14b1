// cluster_settings: parsing and checks of the [cluster] keys and placement.nodes.
#include "runtime/config/cluster_settings.hpp"

#include "runtime/config/values.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <set>

namespace axon::cluster {

namespace {

} // namespace

const node_address* cluster_settings::find(std::string_view name) const {
  for (const auto& n : nodes)
    if (n.name == name)
      return &n;
  return nullptr;
}

std::string cluster_settings::node_names() const {
  std::string names;
  for (const auto& n : nodes)
    names += (names.empty() ? "" : ", ") + n.name;
  return names.empty() ? "none" : names;
}

const std::string& cluster_settings::node_of(std::string_view graph_node) const {
  return node_of(graph_node, [](const std::string&) { return true; });
}

const std::string& cluster_settings::node_of(
  std::string_view graph_node, const std::function<bool(const std::string&)>& present) const {
  static const std::string local{local_node};
  for (const auto& rule : placement)
    if (glob_match(rule.pattern, graph_node) && (rule.node == local_node || present(rule.node)))
      return rule.node;
  return local;
}

std::optional<node_address> parse_node_entry(std::string_view entry, std::string& problem) {
  auto pair = config::split_pair(entry);
  auto colon = pair ? pair->second.rfind(':') : std::string::npos;
  if (!pair || colon == std::string::npos || colon == 0) {
    problem = "\"" + std::string{entry} + "\" is not NAME=HOST:PORT";
    return std::nullopt;
  }
  auto port = config::parse_int(std::string_view{pair->second}.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535) {
    problem = "\"" + std::string{entry} + "\": the port must be 1-65535";
    return std::nullopt;
  }
  auto host = pair->second.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') // [::1]:7001
    host = host.substr(1, host.size() - 2);
  return node_address{pair->first, host, static_cast<std::uint16_t>(*port)};
}

std::optional<placement_rule> parse_placement_rule(std::string_view entry, std::string& problem) {
  auto pair = config::split_pair(entry);
  if (!pair) {
    problem = "\"" + std::string{entry} + "\" is not PATTERN=NODE (e.g. \"shard1*=worker2\")";
    return std::nullopt;
  }
  return placement_rule{pair->first, pair->second};
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point for the last '*'.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

namespace {

// 127.0.0.0/8, ::1, and IPv4-mapped 127.0.0.0/8 (::ffff:127.x.y.z).
bool loopback_address(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    auto ip = ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr);
    return (ip >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const auto& ip = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&ip))
      return true;
    return IN6_IS_ADDR_V4MAPPED(&ip) && ip.s6_addr[12] == 127;
  }
  return false;
}

} // namespace

bool is_loopback(std::string_view host) {
  // Decided on the addresses the name resolves to, every one of them: a name is loopback
  // only when all its addresses are, and one that does not resolve is not (so
  // "127.evil.example.com" needs TLS like any remote host).
  if (host.empty())
    return false; // an empty bind address listens on every interface
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(std::string{host}.c_str(), nullptr, &hints, &found) != 0)
    return false;
  bool all = found != nullptr;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next)
    all = all && loopback_address(a->ai_addr);
  freeaddrinfo(found);
  return all;
}

cluster_settings cluster_settings_of(const config::resolved_config& cfg) {
  cluster_settings s;
  std::string problem;
  for (const auto& entry : cfg.get_strings("cluster.nodes"))
    if (auto node = parse_node_entry(entry, problem))
      s.nodes.push_back(*node);
  for (const auto& entry : cfg.get_strings("placement.nodes"))
    if (auto rule = parse_placement_rule(entry, problem))
      s.placement.push_back(*rule);
  s.bind = cfg.get_string("cluster.bind");
  using std::chrono::duration_cast;
  s.heartbeat = duration_cast<std::chrono::milliseconds>(cfg.get_timespan("cluster.heartbeat"));
  s.timeout = duration_cast<std::chrono::milliseconds>(cfg.get_timespan("cluster.timeout"));
  s.elastic_timeout =
    duration_cast<std::chrono::milliseconds>(cfg.get_timespan("cluster.elastic-timeout"));
  s.tls = {cfg.get_string("cluster.tls-certificate"), cfg.get_string("cluster.tls-key"),
           cfg.get_string("cluster.tls-ca")};
  s.max_message_bytes = static_cast<std::size_t>(cfg.get_int("cluster.max-message-mb")) << 20;
  return s;
}

std::string check_cluster_keys(const config::resolved_config& cfg) {
  std::string problem;
  std::set<std::string> names;
  bool remote_host = false;
  for (const auto& entry : cfg.get_strings("cluster.nodes")) {
    auto node = parse_node_entry(entry, problem);
    if (!node)
      return "cluster.nodes: " + problem;
    if (node->name == local_node)
      return "cluster.nodes: \"local\" names the coordinator's own process; pick another name";
    if (!names.insert(node->name).second)
      return "cluster.nodes: the name " + node->name + " appears twice";
    remote_host = remote_host || !is_loopback(node->host);
  }
  for (const auto& entry : cfg.get_strings("placement.nodes")) {
    auto rule = parse_placement_rule(entry, problem);
    if (!rule)
      return "placement.nodes: " + problem;
    if (rule->node != local_node && !names.contains(rule->node))
      return "placement.nodes: \"" + entry + "\" names node " + rule->node +
             ", which is not in cluster.nodes";
  }
  int tls_set = 0;
  for (const char* key : {"cluster.tls-certificate", "cluster.tls-key", "cluster.tls-ca"})
    tls_set += !cfg.get_string(key).empty();
  if (tls_set != 0 && tls_set != 3)
    return "TLS needs all of cluster.tls-certificate, cluster.tls-key and cluster.tls-ca";
  if (tls_set == 0 && !is_loopback(cfg.get_string("cluster.bind")))
    return "cluster.bind = \"" + cfg.get_string("cluster.bind") +
           "\" listens beyond this machine, which requires TLS: set cluster.tls-certificate, cluster.tls-key and "
           "cluster.tls-ca (examples/cluster/make-certs.sh makes a test CA), or bind 127.0.0.1";
  if (tls_set == 0 && remote_host)
    return "cluster.nodes has a host that is not loopback: connecting to it needs TLS "
           "(cluster.tls-certificate, cluster.tls-key, cluster.tls-ca)";
  if (cfg.get_timespan("cluster.heartbeat") * 2 > cfg.get_timespan("cluster.timeout"))
    return "cluster.heartbeat must be at most half of cluster.timeout, so that one late "
           "heartbeat does not declare a node down";
  return "";
}

std::string check_placement(const cluster_settings& settings,
                            const std::vector<std::string>& graph_nodes) {
  for (const auto& rule : settings.placement) {
    bool matched = false;
    for (const auto& name : graph_nodes)
      matched = matched || glob_match(rule.pattern, name);
    if (!matched) {
      std::string known;
      for (const auto& name : graph_nodes)
        known += (known.empty() ? "" : ", ") + name;
      return "placement.nodes: the pattern \"" + rule.pattern +
             "\" matches no actor of the graph (actors: " + known + ")";
    }
  }
  return "";
}

} // namespace axon::cluster
