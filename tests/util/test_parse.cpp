#include <doctest/doctest.h>

#include "klgrad/error.hpp"
#include "klgrad/util/parse.hpp"

using klgrad::parse_number_list;

TEST_CASE("number lists: commas, spaces, newlines, negative and exponent forms") {
  CHECK(parse_number_list("0.7,0.2,0.1", "--target") == std::vector<double>{0.7, 0.2, 0.1});
  CHECK(parse_number_list("-1.5, 2\n3e-1\t4", "--init") == std::vector<double>{-1.5, 2, 0.3, 4});
  CHECK(parse_number_list("  5  ", "x") == std::vector<double>{5});
}

TEST_CASE("number lists: malformed input names the flag, the entry and the fix") {
  CHECK_THROWS_WITH_AS(parse_number_list("0.7,abc", "--target"), doctest::Contains("--target: 'abc' (entry 2) is not a number"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list("0.7,,0.1", "--target"), doctest::Contains("empty entry"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list(",0.7", "--target"), doctest::Contains("empty entry"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list("0.7,", "--target"), doctest::Contains("trailing comma"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list("", "--init"), doctest::Contains("--init: no numbers"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list("1,nan", "--init"), doctest::Contains("not a finite number"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list("inf", "--init"), doctest::Contains("not a finite number"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list("1e999", "--init"), doctest::Contains("not a finite number"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list("0.5x", "--lr"), doctest::Contains("'0.5x'"), klgrad::Error);
}

TEST_CASE("check_distribution: entries >= 0 summing to 1 within 1e-6, else the entry or the sum and the fix") {
  CHECK_NOTHROW(klgrad::check_distribution({0.7, 0.2, 0.1}, "--target"));
  CHECK_NOTHROW(klgrad::check_distribution({0.5, 0.5, 0.0}, "--target"));         // zeros are probabilities
  CHECK_NOTHROW(klgrad::check_distribution({0.5, 0.5 + 0.9e-6}, "--target"));     // inside the tolerance
  CHECK_THROWS_WITH_AS(klgrad::check_distribution({0.5, 0.5 + 1.1e-6}, "--target"),
                       doctest::Contains("--target: entries sum to 1.0000011, not 1"), klgrad::Error);
  CHECK_THROWS_WITH_AS(klgrad::check_distribution({0.5, 0.6, -0.1}, "--target"),
                       "--target: entry 3 is -0.1 (negative); probabilities must be >= 0", klgrad::Error);
  CHECK_THROWS_WITH_AS(klgrad::check_distribution({0.5, 0.2, 0.1}, "--target-file q.txt"),
                       "--target-file q.txt: entries sum to 0.8, not 1 (within 1e-6); normalize them (divide each by "
                       "their sum)",
                       klgrad::Error);
}
