// apps/cli.hpp — the command-line contract every klgrad program keeps:
//   --help prints the options and exits 0;
//   a bad command line is one line on stderr, "<program>: <problem> (see <program> --help)", exit code 2;
//   a value option given an empty value (--lr "" or --lr=) is an error, not 0 (CLI11 would read it as 0);
//   a number that a double cannot hold (--lr 1e-400 would be read as 0, --lr 1e999 as inf) is an error,
//   and an integer option takes decimal digits only (--steps 1e30, --seed 99999999999999999999 and 2.5
//   are errors, not a clamp or a silent cut; 010 is ten, not octal eight): util/parse.hpp reads both;
//   a klgrad::Error while running (a bad value, a bad file) is one line "<program>: <message>", exit code 2.
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "klgrad/error.hpp"
#include "klgrad/util/parse.hpp"

namespace klgrad_cli {

// Parses argv. Returns -1 when the program should go on, else the exit code.
inline int parse(CLI::App& app, int argc, char** argv, const char* program) {
  const CLI::Validator non_empty(
      [](std::string& value) { return value.empty() ? std::string("empty value; give one after the flag") : std::string(); },
      "");
  // CLI11 reads a FLOAT option with strtold and casts it to the option's type,
  // and an INT option with strtoll in base 0, clamping on overflow without a word.
  // These run first, on the text: an error names the flag ("--lr: '1e-400' is too small ...").
  // (Every number option here is a double or a signed 64-bit integer; CLI11 itself
  // rejects a value that does not fit a narrower integer.)
  const CLI::Validator a_double(
      [](std::string& text) {
        if (text.empty()) return std::string();  // non_empty names that
        double value = 0;
        const std::string problem = klgrad::read_double(text, value);
        return problem.empty() ? problem : "'" + text + "' " + problem;
      },
      "");
  const CLI::Validator an_integer(
      [](std::string& text) {
        if (text.empty()) return std::string();  // non_empty names that
        long long value = 0;
        const std::string problem = klgrad::read_integer(text, value);
        if (!problem.empty()) return "'" + text + "' " + problem;
        text = std::to_string(value);  // plain decimal for CLI11: "010" stays ten
        return std::string();
      },
      "");
  // The options of the program and of each of its subcommands (distill teacher, ...).
  std::vector<CLI::App*> apps{&app};
  for (std::size_t i = 0; i < apps.size(); ++i)
    for (CLI::App* sub : apps[i]->get_subcommands([](CLI::App*) { return true; })) apps.push_back(sub);
  for (CLI::App* a : apps)
    for (CLI::Option* option : a->get_options()) {
      if (option->get_type_size() == 0) continue;  // a flag such as --help
      const std::string type = option->get_type_name();
      option->check(non_empty);
      if (type.rfind("FLOAT", 0) == 0) option->check(a_double);
      // transform, not check: only a transform may rewrite the text CLI11 converts.
      if (type.rfind("INT", 0) == 0) option->transform(an_integer);
    }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << program << ": " << e.what() << " (see " << program << " --help)\n";
    return 2;
  }
  return -1;
}

// Runs the program's body, `body()` returning its exit code, under that error contract.
template <class Body>
int run(const char* program, Body&& body) {
  try {
    return body();
  } catch (const klgrad::Error& e) {
    std::cerr << program << ": " << e.what() << '\n';
    return 2;
  }
}

}  // namespace klgrad_cli
