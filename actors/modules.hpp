// axon_modules(): the registry of every module of Axon (BERT, KG, jobs, cluster, serve): their
// message types and the actor kinds that `axon` processes spawn and `axon node` serves.
#pragma once

#include "runtime/graph/registry.hpp"

namespace axon {

registry axon_modules();

} // namespace axon
