#include <iostream>
#include <mutex>
#include <set>
#include <sstream>

#include "klgrad/error.hpp"
#include "klgrad/xt.hpp"

namespace klgrad {

std::string shape_str(const Shape& s) {
  std::ostringstream o;
  o << '(';
  for (std::size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  if (s.size() == 1) o << ',';
  o << ')';
  return o.str();
}

std::string number_str(double v, int digits) {
  std::ostringstream o;
  o.precision(digits);
  o << v;
  return o.str();
}

std::size_t numel(const Shape& s) {
  std::size_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

namespace {
std::mutex warn_mutex;
WarningHandler warn_handler;
std::set<std::string> warned;
}  // namespace

void warn(const std::string& message) {
  std::lock_guard<std::mutex> lock(warn_mutex);
  if (warn_handler) {
    warn_handler(message);
    return;
  }
  if (warned.insert(message).second) std::cerr << "klgrad warning: " << message << '\n';
}

WarningHandler set_warning_handler(WarningHandler handler) {
  std::lock_guard<std::mutex> lock(warn_mutex);
  std::swap(warn_handler, handler);
  return handler;
}

}  // namespace klgrad
