// How a backward op writes the gradient of its input. The contract of every op is to add
// (+=), so that micro-batches and residual branches accumulate for free; `overwrite` is
// for a caller whose gradient buffer is fresh, and saves zeroing it first and reading it
// back (the same result as zeroing and accumulating). Parameter gradients always add.
#pragma once

namespace axon::ops {

enum class grad_write { accumulate, overwrite };

} // namespace axon::ops
