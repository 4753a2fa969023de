// A small expression language for sweep specs: derived parameters ("${pe_array.rows} * 2") and
// constraints ("${pe_array.rows} * ${pe_array.cols} <= 4096", "area_mm2 <= 5").
//
//   expr   := or
//   or     := and ('||' and)*        and := cmp ('&&' cmp)*
//   cmp    := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?
//   sum    := prod (('+'|'-') prod)*  prod := unary (('*'|'/') unary)*
//   unary  := '-' unary | atom        atom := number | '${' path '}' | name | '(' expr ')'
//
// Values are doubles; comparisons and logic give 1 or 0. `${path}` and bare names are looked up
// through the resolver (sizes such as "512 KiB" become bytes). Errors throw std::invalid_argument
// with the position.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace eoqsim {

using ExprResolver = std::function<double(const std::string& name)>;

double eval_expr(const std::string& text, const ExprResolver& resolve);
// The ${...} and bare names an expression refers to, in order of appearance.
std::vector<std::string> expr_names(const std::string& text);

}  // namespace eoqsim
