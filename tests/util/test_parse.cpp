#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "klgrad/error.hpp"
#include "klgrad/util/parse.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using klgrad::parse_number_list;
using klgrad::read_number_file;

namespace {

// What read_double / read_integer say about `text` ("" when it is a number).
std::string double_problem(const std::string& text) {
  double v = 0;
  return klgrad::read_double(text, v);
}
std::string integer_problem(const std::string& text) {
  long long v = 0;
  return klgrad::read_integer(text, v);
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Standard input replaced by a pipe holding `text`, for one scope.
struct StdinFrom {
  int saved = ::dup(STDIN_FILENO);
  explicit StdinFrom(const std::string& text) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fds[1]);
    ::dup2(fds[0], STDIN_FILENO);
    ::close(fds[0]);
  }
  ~StdinFrom() {
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
  }
};

}  // namespace

TEST_CASE("number parse: read_double is strict and rejects values a double cannot hold") {
  double v = -1;
  CHECK(klgrad::read_double("0.01", v).empty());
  CHECK(v == 0.01);
  CHECK(klgrad::read_double("0e-400", v).empty());  // exactly zero is no underflow
  CHECK(v == 0.0);
  CHECK(klgrad::read_double("-2.5e3", v).empty());
  CHECK(v == -2500.0);
  // A subnormal is accepted: the nearest double to what was typed.
  CHECK(klgrad::read_double("1e-310", v).empty());
  CHECK(v == 1e-310);
  CHECK((v > 0 && v < DBL_MIN));
  CHECK(klgrad::read_double("nan", v).empty());  // the callers reject nan and inf with their own words
  CHECK(std::isnan(v));
  v = 7;
  CHECK(contains(double_problem("1e-400"), "too small for a double: it would be read as 0"));
  CHECK(contains(double_problem("-1e-400"), "too small"));
  CHECK(contains(double_problem("0x1p-2000"), "too small"));
  CHECK(contains(double_problem("1e999"), "too large for a double: it would be read as inf"));
  CHECK(contains(double_problem("-1e999"), "too large"));
  CHECK(double_problem("abc") == "is not a number");
  CHECK(double_problem("") == "is not a number");
  CHECK(double_problem("0.5x") == "is not a number");
  CHECK(klgrad::read_double("1e-400", v) != "");
  CHECK(v == 7);  // left alone on an error
}

TEST_CASE("number parse: read_integer takes decimal digits only and rejects overflow") {
  long long v = -1;
  CHECK(klgrad::read_integer("100", v).empty());
  CHECK(v == 100);
  CHECK(klgrad::read_integer("-5", v).empty());
  CHECK(v == -5);
  CHECK(klgrad::read_integer("+7", v).empty());
  CHECK(v == 7);
  CHECK(klgrad::read_integer("010", v).empty());
  CHECK(v == 10);  // not octal
  CHECK(klgrad::read_integer("9223372036854775807", v).empty());
  CHECK(v == LLONG_MAX);
  CHECK(klgrad::read_integer("-9223372036854775808", v).empty());
  CHECK(v == LLONG_MIN);
  CHECK(contains(integer_problem("9223372036854775808"), "out of range"));
  CHECK(contains(integer_problem("-9223372036854775809"), "out of range"));
  CHECK(contains(integer_problem("99999999999999999999999999999999"), "out of range"));
  for (const char* bad : {"1e30", "1e3", "2.5", "", "-", "+", " 5", "5 ", "0x10", "abc", "1,000"})
    CHECK_MESSAGE(contains(integer_problem(bad), "not a whole number"), "'" << bad << "'");
}

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
  CHECK_THROWS_WITH_AS(parse_number_list("1e999", "--init"),
                       doctest::Contains("--init: '1e999' (entry 1) is too large for a double"), klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list("0.5,0.5,1e-400", "--target"),
                       doctest::Contains("--target: '1e-400' (entry 3) is too small for a double"), klgrad::Error);
  CHECK(parse_number_list("1e-310,1", "--target") == std::vector<double>{1e-310, 1});  // subnormal: accepted
  CHECK_THROWS_WITH_AS(parse_number_list("0.5x", "--lr"), doctest::Contains("'0.5x'"), klgrad::Error);
  // A binary file given by mistake: its bytes are shown escaped, the message stays one printable line.
  CHECK_THROWS_WITH_AS(parse_number_list(std::string("\x7f" "ELF\x02\x01", 6), "--target-file a.out"),
                       "--target-file a.out: '\\x7fELF\\x02\\x01' (entry 1) is not a number; write numbers like 0.7,0.2,0.1",
                       klgrad::Error);
  CHECK_THROWS_WITH_AS(parse_number_list(std::string(100, 'x'), "--init"),
                       doctest::Contains(("'" + std::string(40, 'x') + "...' (entry 1)").c_str()), klgrad::Error);
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

TEST_CASE("number parse: read_number_file reads until end of file: pipes, standard input (-), long files") {
  TempDir tmp("parse_file");
  const std::string path = tmp.file("q.txt");
  const std::string text = "0.7\n0.2\n0.1\n";
  files::write(path, files::Bytes(text.begin(), text.end()));
  CHECK(read_number_file(path, "--target-file") == std::vector<double>{0.7, 0.2, 0.1});
  {
    StdinFrom in("0.7 0.2 0.1");
    CHECK(read_number_file("-", "--target-file") == std::vector<double>{0.7, 0.2, 0.1});
  }
  {
    StdinFrom in("0.7,abc");
    CHECK_THROWS_WITH_AS(read_number_file("-", "--target-file"),
                         doctest::Contains("--target-file (standard input): 'abc' (entry 2) is not a number"),
                         klgrad::Error);
  }
  {
    StdinFrom in("0.7,0.2,0.1");
    CHECK(read_number_file("/dev/stdin", "--target-file") == std::vector<double>{0.7, 0.2, 0.1});
  }
  // A pipe holding more than one read() (75000 lines of "0.5\n", 300000 bytes), through /dev/fd/N.
  FILE* producer = ::popen("yes 0.5 | head -c 300000", "r");
  REQUIRE(producer != nullptr);
  const std::vector<double> many = read_number_file("/dev/fd/" + std::to_string(::fileno(producer)), "--target-file");
  ::pclose(producer);
  CHECK(many.size() == 75000);
  CHECK(many.back() == 0.5);
}

TEST_CASE("number parse: read_number_file names the OS's reason for a missing, folder or unreadable file") {
  TempDir tmp("parse_errors");
  const std::string missing = tmp.file("missing.txt");
  CHECK(files::data_error([&] { read_number_file(missing, "--target-file"); }) ==
        "--target-file: " + missing + ": file not found");
  CHECK(files::data_error([&] { read_number_file(tmp.path.string(), "--target-file"); }) ==
        "--target-file: " + tmp.path.string() + ": is a directory, expected a file");
  // read() itself failing: the kernel answers EIO for the unmapped page 0 of our own memory.
  CHECK(files::data_error([&] { read_number_file("/proc/self/mem", "--target-file"); }) ==
        "--target-file: /proc/self/mem: cannot read: Input/output error");
  // A component that is a file, not a folder: open() fails with ENOTDIR.
  const std::string plain = tmp.file("plain.txt");
  files::write(plain, {'1'});
  CHECK(files::data_error([&] { read_number_file(plain + "/q.txt", "--target-file"); }) ==
        "--target-file: " + plain + "/q.txt: cannot open: Not a directory");
  // Endless input is cut off, not read until memory runs out.
  CHECK(contains(files::data_error([&] { read_number_file("/dev/zero", "--target-file"); }), "larger than 67108864 bytes"));
  if (::geteuid() != 0) {  // root reads any file, whatever its permission bits
    const std::string locked = tmp.file("locked.txt");
    files::write(locked, {'1'});
    std::filesystem::permissions(locked, std::filesystem::perms::none);
    CHECK(files::data_error([&] { read_number_file(locked, "--target-file"); }) ==
          "--target-file: " + locked + ": cannot open: Permission denied; check the file's permissions");
  }
}
