// The eoqsim command line. main() only hands over argv; tests call cli_main with their own
// streams. Exit codes: 0 ok, 2 bad input, 1 internal error.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace eoqsim {

int cli_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace eoqsim
