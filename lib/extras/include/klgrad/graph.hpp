// klgrad/graph.hpp — see a computation graph: Graphviz DOT of everything a result depends on.
//
//   auto loss = kl_div(log_softmax(tape.param(logits), 1), q, "batchmean");
//   loss.backward();
//   klgrad::write_dot(loss, "step.dot", {true});    // dot -Tpng step.dot -o step.png
//
// One node per op (its name and output shape), leaves drawn as parameters
// (their name), variables or constants; edges run from inputs to the op that
// reads them, so the picture reads like the forward pass. With show_grads, each
// node that received a gradient also shows its shape and L2 norm: what backward
// sent there.
#pragma once

#include <string>

#include "klgrad/tape.hpp"

namespace klgrad {

struct DotOptions {
  bool show_grads = false;
};

template <class T>
std::string to_dot(const Tensor<T>& root, const DotOptions& options = {});

// to_dot written atomically to `path`.
template <class T>
void write_dot(const Tensor<T>& root, const std::string& path, const DotOptions& options = {});

}  // namespace klgrad
