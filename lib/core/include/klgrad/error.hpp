// klgrad/error.hpp — errors that teach, and warnings.
//
// Every error klgrad raises is a klgrad::Error whose message names the op, the
// offending shapes or values, and the likely fix, e.g.
//   "kl_div: input (2, 3) and target (3, 2) must have the same shape"
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace klgrad {

class Error : public std::invalid_argument {
 public:
  explicit Error(const std::string& what) : std::invalid_argument(what) {}
};

// Bad input data: a missing, truncated or corrupt file. One line:
// "<format>: <path>: <problem>; <fix>". Programs exit with code 2 on it.
class DataError : public Error {
 public:
  using Error::Error;
};

// KLGRAD_CHECK(condition, message): throws Error(message) when the condition
// is false. A macro so that the message, which names shapes and values, is
// built only on failure: checks on the per-step path then cost one branch.
#define KLGRAD_CHECK(condition, message)                       \
  do {                                                         \
    if (!(condition)) throw ::klgrad::Error(message);          \
  } while (false)

// A number as a person writes it in a message: 0.5, 1e-08, nan, -inf (six
// significant digits by default; std::to_string would give 0.500000 and 0.000000).
std::string number_str(double v, int digits = 6);

// Warnings go to a handler: by default one line on stderr, each distinct
// message once per process (like Python's default warning filter).
using WarningHandler = std::function<void(const std::string&)>;
void warn(const std::string& message);
// Installs `handler` (an empty handler restores the default); returns the previous one.
WarningHandler set_warning_handler(WarningHandler handler);

}  // namespace klgrad
