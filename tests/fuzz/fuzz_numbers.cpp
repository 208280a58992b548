// Fuzzes parse_number_list (util/parse.hpp), the reader of `kl_fit --target 0.7,0.2,0.1`
// and of number files. For any bytes it must either return a non-empty list of
// finite doubles or throw klgrad::Error. A returned list must also survive a
// round trip: printed with 17 significant digits (exact for doubles) and read
// back, it gives the same values.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "klgrad/error.hpp"
#include "klgrad/util/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<double> v;
  try {
    v = klgrad::parse_number_list(text, "--target");
  } catch (const klgrad::Error&) {
    return 0;  // the expected answer to bad input
  }
  if (v.empty()) __builtin_trap();
  std::string printed;
  for (double x : v) {
    if (!std::isfinite(x)) __builtin_trap();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g,", x);
    printed += buf;
  }
  printed.pop_back();  // the last comma
  if (klgrad::parse_number_list(printed, "round trip") != v) __builtin_trap();
  return 0;
}
