// Thin driver: silences the SystemC banner, then the library's sc_elab_and_sim calls sc_main.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <systemc>

#include "sim/cli/cli.h"

int sc_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return eoqsim::cli_main(args, std::cout, std::cerr);
}

int main(int argc, char** argv) {
  // The banner prints before sc_main runs, so it must be disabled here (toolchain.md).
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
