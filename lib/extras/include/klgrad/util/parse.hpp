// klgrad/util/parse.hpp — reading lists of numbers typed by people.
//
// "0.7,0.2,0.1", "0.7 0.2 0.1", and any mix of commas and white space (files
// with one number per line) are read strictly: every entry must be a complete,
// finite number, or an Error names the flag (or file), the entry and the fix.
#pragma once

#include <string>
#include <vector>

namespace klgrad {

// `what` names the source in errors, e.g. "--target".
std::vector<double> parse_number_list(const std::string& text, const std::string& what);

// Reads a whole file of numbers (comma or white-space separated).
std::vector<double> read_number_file(const std::string& path, const std::string& what);

// Checks that `p` is a probability distribution: every entry >= 0 and the sum 1
// within 1e-6, or an Error names `what`, the entry or the sum, and the fix.
void check_distribution(const std::vector<double>& p, const std::string& what);

}  // namespace klgrad
