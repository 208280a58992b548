// klgrad/nn.hpp — layers: parameters plus the op that uses them.
//
// A layer owns its Parameters (they outlive every step's tape) and records its
// op on the tape you give it. A model is a struct of layers with a
// `parameters()` list for the optimizer and the checkpoint.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "klgrad/ops.hpp"
#include "klgrad/random.hpp"
#include "klgrad/tape.hpp"

namespace klgrad {

// y = x W^T + b, PyTorch's nn.Linear: x (N, in), W (out, in), b (out,).
// Initialised as nn.Linear: W and b ~ U(-1/sqrt(in), 1/sqrt(in)) (its
// kaiming_uniform with a = sqrt(5) works out to exactly this bound).
template <class T>
struct Linear {
  Parameter<T> weight, bias;

  Linear(std::size_t in, std::size_t out, Generator& gen, const std::string& name = "linear")
      : weight(uniform(Shape{out, in}, in, gen), name + ".weight"), bias(uniform(Shape{out}, in, gen), name + ".bias") {}

  Tensor<T> operator()(Tape<T>& tape, const Tensor<T>& x) { return linear(x, tape.param(weight), tape.param(bias)); }

  void collect(std::vector<Parameter<T>*>& out) {
    out.push_back(&weight);
    out.push_back(&bias);
  }

 private:
  static Array<T> uniform(const Shape& s, std::size_t fan_in, Generator& gen) {
    const T bound = T(1) / std::sqrt(static_cast<T>(fan_in));
    Array<T> u = gen.uniform<T>(s);
    return (u * T(2) - T(1)) * bound;
  }
};

// Threads used by BLAS (OpenBLAS) for matmul and linear; klgrad's own loops are single-threaded.
void set_num_threads(int n);
int num_threads();

}  // namespace klgrad
