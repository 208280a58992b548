// reference.cpp — the library is the answer key: every reference value of a
// check comes from klgrad's own op and its backward, on a float64 tape.
#include "reference.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <random>

#include "klgrad/core.hpp"

namespace course {

namespace {

using Op = std::function<klgrad::Tensor<double>(const klgrad::Tensor<double>&)>;

const std::map<std::string, Op>& ops() {
  static const std::map<std::string, Op> table = {
      {"exp", [](const klgrad::Tensor<double>& x) { return klgrad::exp(x); }},
      {"log", [](const klgrad::Tensor<double>& x) { return klgrad::log(x); }},
      {"sigmoid", [](const klgrad::Tensor<double>& x) { return klgrad::sigmoid(x); }},
      {"tanh", [](const klgrad::Tensor<double>& x) { return klgrad::tanh(x); }},
      {"softplus", [](const klgrad::Tensor<double>& x) { return klgrad::softplus(x); }},
      {"log_softmax", [](const klgrad::Tensor<double>& x) { return klgrad::log_softmax(x, 1); }},
  };
  return table;
}

const Op& find(const std::string& op) {
  const auto it = ops().find(op);
  if (it == ops().end()) throw std::invalid_argument("reference: no library op named '" + op + "'");
  return it->second;
}

klgrad::Array<double> to_array(const Mat& m) {
  klgrad::Array<double> a = klgrad::Array<double>::from_shape({m.rows, m.cols});
  std::copy(m.data.begin(), m.data.end(), a.begin());
  return a;
}

Mat to_mat(const klgrad::Array<double>& a, std::size_t rows, std::size_t cols) {
  return Mat{rows, cols, std::vector<double>(a.begin(), a.end())};
}

}  // namespace

std::vector<std::string> reference_ops() {
  std::vector<std::string> names;
  for (const auto& kv : ops()) names.push_back(kv.first);
  return names;
}

Mat reference_forward(const std::string& op, const Mat& x) {
  klgrad::Tape<double> tape;
  klgrad::NoGrad no_grad;
  const klgrad::Array<double> xa = to_array(x);
  return to_mat(find(op)(tape.constant_view(xa)).value(), x.rows, x.cols);
}

Mat reference_backward(const std::string& op, const Mat& x, const Mat& g) {
  klgrad::Tape<double> tape;
  const klgrad::Tensor<double> xt = tape.variable(to_array(x));
  find(op)(xt).backward(to_array(g));
  return to_mat(xt.grad(), x.rows, x.cols);
}

Mat random_mat(std::size_t rows, std::size_t cols, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Mat m{rows, cols, std::vector<double>(rows * cols)};
  for (double& v : m.data) v = normal(gen);
  return m;
}

Mat case_input(const std::string& op, std::size_t rows, std::size_t cols, unsigned seed) {
  Mat x = random_mat(rows, cols, seed);
  for (double& v : x.data) v *= 2;
  if (op == "log")
    for (double& v : x.data) v = 0.1 + std::abs(v);
  if (op == "softplus" && x.size() >= 4) {  // past the threshold (20): y = x, dx = g
    x[1] = 21;
    x[3] = 750;
  }
  return x;
}

std::string branch_note(const std::string& op, double x) {
  if (op == "softplus" && x > 20)
    return "softplus is y = x above its threshold (beta x > 20, PyTorch's default), so there dx = g";
  return "";
}

}  // namespace course
