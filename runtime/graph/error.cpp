// Axon's error values: see error.hpp.
#include "runtime/graph/error.hpp"

#include <caf/message.hpp>

namespace axon {

std::string to_string(errc code) {
  switch (code) {
    case errc::none: return "none";
    case errc::invalid_graph: return "invalid_graph";
    case errc::bad_parameters: return "bad_parameters";
    case errc::unknown_kind: return "unknown_kind";
    case errc::refused: return "refused";
    case errc::bad_input: return "bad_input";
    case errc::failed: return "failed";
  }
  return "errc(" + std::to_string(static_cast<int>(code)) + ")";
}

caf::error make_error(errc code, std::string text) {
  return caf::error{static_cast<std::uint8_t>(code), caf::atom("axon"),
                    caf::make_message(std::move(text))};
}

caf::error error_from(std::exception_ptr failure, const std::string& where) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return make_error(errc::failed, where + ": " + e.what());
  } catch (...) {
    return make_error(errc::failed, where + ": unknown exception");
  }
}

std::string error_text(const caf::error& err) {
  const auto& context = err.context();
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return caf::to_string(err);
}

} // namespace axon
