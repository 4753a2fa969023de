#include "sim/engine/kernel.h"

#include <systemc>

namespace eoqsim {

void fresh_kernel() {
  // The library's own context must never be deleted: its static events outlive main().
  static sc_core::sc_simcontext* const original = sc_core::sc_get_curr_simcontext();
  sc_core::sc_simcontext* old = sc_core::sc_curr_simcontext;
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
  if (old != original) delete old;
}

}  // namespace eoqsim
