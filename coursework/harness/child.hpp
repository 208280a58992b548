// child.hpp — run student code in a child process with a time limit
// (child.cpp): a crash, a hang or an exception there is reported, and the
// caller goes on with the next exercise.
#pragma once

#include <functional>
#include <string>

namespace course {

// The time limit per exercise: 10 s, or KLGRAD_COURSE_SECONDS (the repository's
// own self-test uses 2, so that its endless mutant costs little).
int time_limit();

struct ChildOutcome {
  bool finished = false;      // body returned; payload is what it returned
  std::string payload;
  std::string pattern, text;  // otherwise: "crash", "timeout" or "exception", and a line saying so
};

ChildOutcome in_child(const std::function<std::string()>& body, int seconds = time_limit());

}  // namespace course
