// apps/cli.hpp — the command-line contract every klgrad program keeps:
//   --help prints the options and exits 0;
//   a bad command line is one line on stderr, "<program>: <problem> (see <program> --help)", exit code 2;
//   a value option given an empty value (--lr "" or --lr=) is an error, not 0 (CLI11 would read it as 0);
//   a klgrad::Error while running (a bad value, a bad file) is one line "<program>: <message>", exit code 2.
#pragma once

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "klgrad/error.hpp"

namespace klgrad_cli {

// Parses argv. Returns -1 when the program should go on, else the exit code.
inline int parse(CLI::App& app, int argc, char** argv, const char* program) {
  const CLI::Validator non_empty(
      [](std::string& value) { return value.empty() ? std::string("empty value; give one after the flag") : std::string(); },
      "");
  for (CLI::Option* option : app.get_options())
    if (option->get_type_size() > 0) option->check(non_empty);
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
