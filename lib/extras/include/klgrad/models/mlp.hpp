// klgrad/models/mlp.hpp — a multilayer perceptron classifier with dropout: the
// teacher and the student of distillation (apps/distill.cpp).
//
//   sizes {784, 512, 512, 10}: x (N, 784) -> relu(fc1) -> dropout -> relu(fc2)
//   -> dropout -> fc3 -> logits (N, 10). Layers are klgrad::Linear (nn.hpp),
//   initialized as nn.Linear, named fc1, fc2, ...
// Dropout (inverted, as torch.nn.Dropout): in training, each hidden unit is
// kept with probability 1 - p and then scaled by 1 / (1 - p), so its expected
// value is unchanged; in evaluation it is the identity. A composite: the mask
// is a constant, so the gradient is g * mask / (1 - p) through mul.
#pragma once

#include <string>
#include <vector>

#include "klgrad/nn.hpp"

namespace klgrad {

// x * m / (1 - p), m_i ~ Bernoulli(1 - p) drawn from gen; p in [0, 1).
template <class T>
Tensor<T> dropout(const Tensor<T>& x, double p, Generator& gen);

template <class T>
struct MLP {
  std::vector<std::size_t> sizes;  // input, hidden..., classes
  double dropout_p;
  std::vector<Linear<T>> layers;

  MLP(std::vector<std::size_t> sizes, double dropout_p, Generator& gen);

  std::vector<Parameter<T>*> parameters();
  // Logits (N, classes). With train_gen (training), dropout is on and its masks
  // come from *train_gen; without (evaluation), dropout is off.
  Tensor<T> forward(Tape<T>& tape, const Tensor<T>& x, Generator* train_gen = nullptr);
};

}  // namespace klgrad
