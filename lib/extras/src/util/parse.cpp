#include "klgrad/util/parse.hpp"

#include "klgrad/io/atomic_file.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "klgrad/error.hpp"

namespace klgrad {

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
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    KLGRAD_CHECK(end == token.c_str() + token.size() && !token.empty(),
          what + ": '" + token + "' (entry " + std::to_string(out.size() + 1) +
              ") is not a number; write numbers like 0.7,0.2,0.1");
    KLGRAD_CHECK(std::isfinite(v),  // overflow gives inf; underflow to a subnormal or 0 is fine
          what + ": entry " + std::to_string(out.size() + 1) + " ('" + token + "') is not a finite number");
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
  // read_file_bytes names the problem: file not found, is a directory, unreadable.
  const std::vector<std::uint8_t> bytes = read_file_bytes(path, what);
  return parse_number_list(std::string(bytes.begin(), bytes.end()), what + " " + path);
}

}  // namespace klgrad
