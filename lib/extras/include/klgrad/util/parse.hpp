// klgrad/util/parse.hpp — reading numbers typed by people.
//
// "0.7,0.2,0.1", "0.7 0.2 0.1", and any mix of commas and white space (files
// with one number per line) are read strictly: every entry must be a complete,
// finite number that a double can hold, or an Error names the flag (or file),
// the entry and the fix.
#pragma once

#include <string>
#include <vector>

namespace klgrad {

// One number exactly as typed, e.g. the value of --lr. Returns "" and sets
// `value`, or returns what is wrong with it, to follow the text in a message:
// "is not a number", "is too small for a double: it would be read as 0 (...)",
// "is too large for a double: it would be read as inf (...)".
// The literals nan and inf are read as such: the caller decides about them.
std::string read_double(const std::string& text, double& value);

// One whole number in decimal digits with an optional sign, e.g. the value of
// --steps ("010" is ten, not octal eight). Returns "" and sets `value`, or what
// is wrong: "is not a whole number ...", "is out of range ...".
std::string read_integer(const std::string& text, long long& value);

// `what` names the source in errors, e.g. "--target".
std::vector<double> parse_number_list(const std::string& text, const std::string& what);

// Reads a whole file of numbers (comma or white-space separated), until end of
// file, so pipes and /dev/stdin work; the path "-" means standard input.
std::vector<double> read_number_file(const std::string& path, const std::string& what);

// Checks that `p` is a probability distribution: every entry >= 0 and the sum 1
// within 1e-6, or an Error names `what`, the entry or the sum, and the fix.
void check_distribution(const std::vector<double>& p, const std::string& what);

}  // namespace klgrad
