// The config reference (docs/config.md) rendered from a schema: the format, one table per
// group (key, type, default, allowed values, help) and the rules across keys.
#pragma once

#include "runtime/config/schema.hpp"

#include <string>

namespace axon::config {

/// Markdown; `axon config docs` prints it for the train schema.
std::string render_docs(const schema& keys);

} // namespace axon::config
