// klgrad/debug.hpp — finding where a graph went wrong: scopes, anomaly
// detection and the messages that name an op. The engine (tape.cpp) calls two
// hooks, debug::after_forward and debug::after_backward; both cost one flag
// test when anomaly detection is off.
#pragma once

#include <cstdint>
#include <string>

#include "klgrad/tape.hpp"

namespace klgrad {

// Where ops were created: a named region of source code (see KLGRAD_SCOPE below).
struct Site {
  const char* name;
  const char* file;
  int line;
};

// Anomaly detection (thread-local, opt-in): the first op whose forward output or
// backward gradient holds a NaN or inf throws an Error naming the op, its index
// on the tape, its input shapes, the expression that built it (e.g.
// log(softmax(parameter 'logits'))) and the KLGRAD_SCOPE it was created in.
bool anomaly_detection_enabled();
class DetectAnomaly {
 public:
  explicit DetectAnomaly(bool on = true);
  ~DetectAnomaly();
  DetectAnomaly(const DetectAnomaly&) = delete;
  DetectAnomaly& operator=(const DetectAnomaly&) = delete;

 private:
  bool previous_;
};

// Scopes: where an op was created, for errors. C++ has no traceback, so code
// names its regions; every op created inside is tagged with the innermost one:
//   { KLGRAD_SCOPE("decoder"); logits = fc4(tape, relu(fc3(tape, z))); }
// and an anomaly there reads "... in scope 'decoder' (vae.cpp:44) ...".
// Thread-local, nestable, free when nothing goes wrong (one pointer per node).
class Scope {
 public:
  explicit Scope(const Site& site);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const Site* previous_;
};
const Site* current_site();
#define KLGRAD_SCOPE(name) KLGRAD_SCOPE_AT_(name, __LINE__)
#define KLGRAD_SCOPE_AT_(name, line) KLGRAD_SCOPE_CAT_(name, line)
#define KLGRAD_SCOPE_CAT_(name, line)                                          \
  static const ::klgrad::Site klgrad_site_##line{name, __FILE__, line};        \
  ::klgrad::Scope klgrad_scope_##line(klgrad_site_##line)

// Nodes alive on all tapes of scalar type T (the memory tests read this).
template <class T>
long live_nodes();

namespace debug {
// How node `id` was built, `depth` ops deep: log(softmax(parameter 'logits')).
template <class T>
std::string expression(Tape<T>& tape, std::uint32_t id, int depth);
// "op 'log' (node #4 on the tape, inputs (3,); log(variable); created in scope ...)"
template <class T>
std::string describe(Tape<T>& tape, std::uint32_t id);
}  // namespace debug

}  // namespace klgrad
