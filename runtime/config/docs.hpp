// The config reference (docs/config.md) rendered from a schema: the format, one table per
// group (key, type, default, allowed values, help) and the rules across keys.
#pragma once

#include "runtime/config/schema.hpp"

#include <string>

namespace axon::config {

/// Markdown; `axon config docs` prints it for the train schema.
std::string render_docs(const schema& keys);
/// The same tables under another title and introduction (Markdown), for other schemas.
std::string render_docs(const schema& keys, std::string_view introduction);

} // namespace axon::config
