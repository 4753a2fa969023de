// Writers: report.json ("eoqsim.report/1"), layers.csv and config.resolved.json. They format what
// summarize() derived; they compute nothing of their own.
#pragma once
#include <string>

#include "sim/common/json.h"
#include "sim/report/result.h"
#include "sim/report/summary.h"

namespace eoqsim {

ordered_json report_json(const RunResult& r, const Summary& s);
std::string layers_csv(const RunResult& r, const Summary& s);
ordered_json resolved_config_json(const RunResult& r);
// Writes the three files into `dir` (created if needed), each atomically.
void write_run_outputs(const std::string& dir, const RunResult& r, const Summary& s);
// A few lines for the terminal.
std::string run_summary_text(const RunResult& r, const Summary& s);

std::string csv_field(const std::string& s);
std::string format_number(double v);  // deterministic, compact

}  // namespace eoqsim
