// child.hpp — run student code in a child process with a time limit
// (child.cpp): a crash, a hang or an exception there is reported, and the
// caller goes on with the next exercise.
#pragma once

#include <functional>
#include <string>

namespace course {

constexpr int kSeconds = 10;  // time limit per exercise

struct ChildOutcome {
  bool finished = false;      // body returned; payload is what it returned
  std::string payload;
  std::string pattern, text;  // otherwise: "crash", "timeout" or "exception", and a line saying so
};

ChildOutcome in_child(const std::function<std::string()>& body, int seconds = kSeconds);

}  // namespace course
