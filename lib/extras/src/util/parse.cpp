#include "klgrad/util/parse.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "klgrad/error.hpp"
#include "klgrad/io/atomic_file.hpp"

namespace klgrad {

std::string read_double(const std::string& text, double& value) {
  if (text.empty()) return "is not a number";
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  const int err = errno;
  if (end != text.c_str() + text.size()) return "is not a number";
  // strtod sets ERANGE when the exact value is outside what a double holds.
  //   Too large: the result is +-inf. An error: inf is never what was typed.
  //   Too small: the result is 0, or a subnormal (between 4.9e-324 and 2.2e-308,
  //   with fewer significant digits). 0 from a nonzero literal is an error (it
  //   would silently turn --lr 1e-400 into 0); a subnormal is accepted, since it
  //   is the nearest double to what was typed, only less precise.
  if (err == ERANGE && std::isinf(v))
    return "is too large for a double: it would be read as inf (the largest double is about 1.8e308)";
  if (err == ERANGE && v == 0)
    return "is too small for a double: it would be read as 0 (the smallest is about 4.9e-324); write 0 if you mean zero";
  value = v;
  return "";
}

std::string read_integer(const std::string& text, long long& value) {
  const std::size_t first_digit = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (text.size() == first_digit || text.find_first_not_of("0123456789", first_digit) != std::string::npos)
    return "is not a whole number; write digits only, e.g. 100";
  errno = 0;
  const long long v = std::strtoll(text.c_str(), nullptr, 10);  // clamps to the limits and sets ERANGE
  if (errno == ERANGE) return "is out of range: whole numbers go from -9223372036854775808 to 9223372036854775807";
  value = v;
  return "";
}

namespace {

// An entry as it can be shown in a one-line message: bytes that are not
// printable ASCII (a binary file given by mistake) as \xNN, at most 40 characters.
std::string shown(const std::string& token) {
  std::string s;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (s.size() >= 40) return s + "...";
    const unsigned char c = static_cast<unsigned char>(token[i]);
    if (c >= 0x20 && c < 0x7f) {
      s += static_cast<char>(c);
    } else {
      const char* hex = "0123456789abcdef";
      s += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    }
  }
  return s;
}

}  // namespace

std::vector<double> parse_number_list(const std::string& text, const std::string& what) {
  std::vector<double> out;
  std::size_t i = 0;
  const auto is_sep = [](char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  bool expect_value = true;  // after a comma an entry must follow
  while (i < text.size()) {
    if (text[i] == ',') {
      KLGRAD_CHECK(!expect_value,
            what + ": empty entry at position " + std::to_string(out.size() + 1) +
                " (two commas in a row, or a leading comma); write numbers like 0.7,0.2,0.1");
      expect_value = true;
      ++i;
      continue;
    }
    if (is_sep(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && !is_sep(text[j])) ++j;
    const std::string token = text.substr(i, j - i);
    double v = 0;
    const std::string problem = read_double(token, v);  // too large or too small is an error too
    KLGRAD_CHECK(problem.empty(), what + ": '" + shown(token) + "' (entry " + std::to_string(out.size() + 1) + ") " + problem +
                                      (problem == "is not a number" ? "; write numbers like 0.7,0.2,0.1" : ""));
    KLGRAD_CHECK(std::isfinite(v),  // the literals nan and inf
          what + ": entry " + std::to_string(out.size() + 1) + " ('" + shown(token) + "') is not a finite number");
    out.push_back(v);
    expect_value = false;
    i = j;
  }
  KLGRAD_CHECK(!out.empty(), what + ": no numbers given; write them like 0.7,0.2,0.1");
  KLGRAD_CHECK(!expect_value, what + ": trailing comma after entry " + std::to_string(out.size()) + "; remove it");
  return out;
}

void check_distribution(const std::vector<double>& p, const std::string& what) {
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    KLGRAD_CHECK(p[i] >= 0, what + ": entry " + std::to_string(i + 1) + " is " + number_str(p[i]) +
                                " (negative); probabilities must be >= 0");
    sum += p[i];
  }
  // 10 digits: a sum just outside the tolerance must not print as "1".
  KLGRAD_CHECK(std::abs(sum - 1.0) <= 1e-6, what + ": entries sum to " + number_str(sum, 10) +
                                                ", not 1 (within 1e-6); normalize them (divide each by their sum)");
}

std::vector<double> read_number_file(const std::string& path, const std::string& what) {
  // A list of numbers this long is surely the wrong file (or /dev/zero).
  const std::size_t most = std::size_t{64} << 20;
  // The reader names the problem: file not found, is a directory, cannot open or read and why.
  const std::vector<std::uint8_t> bytes = path == "-" ? read_stdin_bytes(what, most) : read_file_bytes(path, what, most);
  return parse_number_list(std::string(bytes.begin(), bytes.end()), what + " " + (path == "-" ? "(standard input)" : path));
}

}  // namespace klgrad
