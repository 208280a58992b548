// Running klgrad's programs (build/bin/) from tests, the way a user does: as a
// child process with arguments, capturing stdout, stderr and how it ended.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace programs {

// Configured with KLGRAD_APPS=OFF there is nothing to run: the tests that need
// the programs are skipped (doctest::skip(!programs::have_apps)).
#ifdef KLGRAD_HAVE_APPS
constexpr bool have_apps = true;
#else
constexpr bool have_apps = false;
#endif

struct Run {
  int code = -1;    // exit code; -1 when the program did not exit normally
  int signal = 0;   // the signal that ended it, if one did (a crash: SIGSEGV, SIGABRT, ...)
  std::string out, err;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh path in the temporary folder, unique per process and call.
inline std::string temp_path(const std::string& stem) {
  static int counter = 0;
  const std::string name = "klgrad_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" + stem;
  return (std::filesystem::temp_directory_path() / name).string();
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs one shell (sh) command, `command` with no redirection of stderr, capturing its stdout and stderr.
inline Run run_command(const std::string& command) {
  const std::string err_path = temp_path("stderr.txt");
  const std::string cmd = command + " 2>" + shell_quote(err_path);
  Run r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  std::size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, got);
  const int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status)) {
    r.code = WEXITSTATUS(status);
    if (r.code > 128) r.signal = r.code - 128;  // the shell reports a child killed by signal s as 128 + s
  } else if (status != -1 && WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  r.err = read_text(err_path);
  std::remove(err_path.c_str());
  return r;
}

// Runs build/bin/<program> with `args`, each passed as one argument, and an empty standard input.
inline Run run(const std::string& program, const std::vector<std::string>& args) {
  std::string cmd = shell_quote(std::string(KLGRAD_BIN_DIR) + "/" + program);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_command(cmd + " </dev/null");
}

// Runs `line` with bash, for pipes, here-strings and <(...); $BIN in it is build/bin.
inline Run run_bash(const std::string& line) {
  return run_command("BIN=" + shell_quote(KLGRAD_BIN_DIR) + " bash -c " + shell_quote(line));
}

inline std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The same, with `args` split at white space (for arguments without spaces).
inline Run run_line(const std::string& program, const std::string& args) { return run(program, split_words(args)); }

}  // namespace programs
