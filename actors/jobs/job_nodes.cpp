// job_run's node processes that join and leave a running job (placement.elastic,
// docs/elastic.md). Both arrive as control messages, handled between steps like `scale`,
// and end in a scale event whose "nodes" say where the shards run now:
// - join NODE: the job connects to NODE (cluster_connection: a name in cluster.nodes, the
//   same identity, TLS), then grows by the shards placement.nodes puts there: shard N,
//   N + 1, ... while the first rule matching each (over the connected nodes) names NODE;
//   when the rules put shard N elsewhere (or nowhere), one shard, placed on NODE.
// - leave NODE: the shards with an actor on NODE are retired and the job shrinks by their
//   number. Shards are numbered 0 ... N - 1, so when NODE's lowest shard is L, shards
//   L ... N - 1 are retired and those of them that ran elsewhere come back numbered from L
//   on, each on the node it ran on (their replicas take the optimizers' parameters as in
//   any scale-up). Nothing is lost, so there is no recovery.
// Refused with the job unchanged: placement.elastic off, a name not in cluster.nodes, a
// node already in the job (join) or not in it (leave), an identity mismatch, a joining
// actor that cannot be spawned there (e.g. its device is missing), a leave that would
// take the last shard, shard0 or a non-shard actor (an optimizer) with it.
#include "actors/jobs/job_run.hpp"

#include "runtime/graph/error.hpp"

#include <caf/all.hpp>

#include <charconv>
#include <set>

namespace axon {

using clock_type = std::chrono::steady_clock;

namespace {

// The shard of a graph node named shard<S> or shard<S>.*, or -1.
std::int32_t shard_of(const std::string& name) {
  if (!name.starts_with("shard"))
    return -1;
  std::int32_t shard = -1;
  const auto* end = name.data() + name.size();
  auto [rest, ec] = std::from_chars(name.data() + 5, end, shard);
  if (ec != std::errc{} || (rest != end && *rest != '.'))
    return -1;
  return shard;
}

// "" or why no node may join or leave the job of `plan`.
std::string fixed_nodes(const run_plan& plan) {
  if (plan.elastic && plan.cluster)
    return "";
  return "placement.elastic is off: nodes join and leave only a job started with "
         "placement.elastic = true and a [cluster] section (a node stopped now is lost, and "
         "the job recovers from it)";
}

} // namespace

caf::expected<std::string> job_run::join(const std::string& node) {
  const auto now = pipeline_->layout().shards;
  const auto what = "join " + node;
  const auto began = clock_type::now(); // the event's seconds count the connection too
  auto why = fixed_nodes(plan_);
  if (why.empty())
    why = scale_refusal(now + 1);
  if (auto err = why.empty() ? plan_.cluster->connect(node) : caf::error{})
    why = error_text(err);
  if (!why.empty())
    return refused_unchanged(what, why, now);
  // The shards the rules place there, from shard `now` on (bounded as `scale`).
  std::int32_t shards = now;
  while (scale_refusal(shards + 1).empty()
         && plan_.cluster->placement_of(bert::shard_node(shards)) == node)
    ++shards;
  if (shards == now) { // the rules leave it open: one shard, there
    plan_.cluster->assign(bert::shard_node(now), node);
    ++shards;
  }
  if (auto err = resize(shards, what)) {
    if (pipeline_->layout().shards == now)
      plan_.cluster->release(node); // not part of the job after all
    return err;
  }
  return "node " + node + " joined: " + record_scale(now, began);
}

caf::expected<std::string> job_run::leave(const std::string& node) {
  const auto now = pipeline_->layout().shards;
  const auto what = "leave " + node;
  const auto refused = [&](const std::string& why) { return refused_unchanged(what, why, now); };
  if (auto why = fixed_nodes(plan_); !why.empty())
    return refused(why);
  if (!plan_.cluster->connected(node))
    return refused("node " + node + " is not part of the job");
  std::set<std::int32_t> leaving; // shards with an actor there
  std::vector<std::string> hosts(static_cast<std::size_t>(now)); // node of each shard actor
  for (const auto& spec : pipeline_->graph().nodes()) {
    const auto shard = shard_of(spec.name);
    if (spec.placement == node && shard < 0)
      return refused("it runs " + spec.name
                     + ", which is not a shard's: only shards move when a node leaves");
    if (spec.placement == node)
      leaving.insert(shard);
    if (shard >= 0 && spec.name == bert::shard_node(shard))
      hosts[static_cast<std::size_t>(shard)] = spec.placement;
  }
  const auto began = clock_type::now();
  if (leaving.empty()) {
    plan_.cluster->release(node);
    std::cerr << "console: node " << node << " left; it ran none of the job's actors\n";
    return "node " + node + " left; it ran none of the job's actors";
  }
  const auto shards = now - static_cast<std::int32_t>(leaving.size());
  if (shards < 1)
    return refused("it runs every shard of the job (stop the job instead)");
  if (auto why = scale_refusal(shards); !why.empty())
    return refused(why);
  const auto lowest = *leaving.begin();
  if (lowest == 0) // shards are retired from the top, and one must stay
    return refused("it runs shard0, which stays while the job runs (place shard0* on a node "
                   "that stays, or locally)");
  if (auto err = resize(lowest, what))
    return err;
  plan_.cluster->release(node);
  // The shards above `lowest` that stay, renumbered from `lowest` on, where they ran.
  auto next = lowest;
  for (auto shard = lowest; shard < now; ++shard)
    if (leaving.count(shard) == 0)
      plan_.cluster->assign(bert::shard_node(next++), hosts[static_cast<std::size_t>(shard)]);
  if (auto err = resize(shards, what)) {
    record_scale(now, began);
    return err;
  }
  return "node " + node + " left: " + record_scale(now, began);
}

} // namespace axon
