// The SystemC kernel is one per process. Each simulation gets a fresh kernel context, created
// after the previous simulation's modules are destroyed (reference/toolchain.md).
#pragma once

namespace eoqsim {

void fresh_kernel();

}  // namespace eoqsim
