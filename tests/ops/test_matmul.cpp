// matmul and the fused linear: gradchecks, PyTorch 1.13 parity, fused equals
// composite, gradient accumulation through BLAS (beta = 1), and errors.
#include <doctest/doctest.h>

#include "klgrad/klgrad.hpp"
#include "ops/parity.hpp"
#include "support/golden.hpp"

using namespace klgrad;
using parity::sample;
using V = std::vector<Tensor<double>>;
using A = Array<double>;

namespace {

template <class T>
struct MatmulCases {
  static parity::Cases<T> get() {
    using W = std::vector<Tensor<T>>;
    return {
        {"matmul/matmul", [](W& v) { return matmul(v[0], v[1]); }},
        {"matmul/matmul_outer", [](W& v) { return matmul(v[0], v[1]); }},
        {"matmul/matmul_dot", [](W& v) { return matmul(v[0], v[1]); }},
        {"matmul/linear", [](W& v) { return linear(v[0], v[1], v[2]); }},
        {"matmul/linear_one_row", [](W& v) { return linear(v[0], v[1], v[2]); }},
    };
  }
};

template <class T>
std::string compare(const Array<T>& got, const Array<T>& want, double rtol) {
  return golden::compare(xt::cast<double>(got), xt::cast<double>(want), rtol, rtol);
}

// linear(x, W, b) and matmul(x, transpose(W)) + b on the same inputs: values
// and the gradients of all three inputs for the same seed.
template <class T>
void check_fused_equals_composite(std::size_t N, std::size_t in, std::size_t out, double rtol) {
  const Array<T> x = xt::cast<T>(sample({N, in}, 31)), w = xt::cast<T>(sample({out, in}, 32));
  const Array<T> b = xt::cast<T>(sample({out}, 33)), seed = xt::cast<T>(sample({N, out}, 34));
  Tape<T> tape;
  auto x1 = tape.variable(x), w1 = tape.variable(w), b1 = tape.variable(b);
  auto fused = linear(x1, w1, b1);
  fused.backward(seed);
  auto x2 = tape.variable(x), w2 = tape.variable(w), b2 = tape.variable(b);
  auto composite = matmul(x2, transpose(w2, 0, 1)) + b2;
  composite.backward(seed);
  CHECK(std::string(fused.op_name()) == "linear");
  CHECK_MESSAGE(compare(fused.value(), composite.value(), rtol).empty(), "value");
  CHECK_MESSAGE(compare(x1.grad(), x2.grad(), rtol).empty(), "dx");
  CHECK_MESSAGE(compare(w1.grad(), w2.grad(), rtol).empty(), "dW");
  CHECK_MESSAGE(compare(b1.grad(), b2.grad(), rtol).empty(), "dbias");
}

}  // namespace

TEST_CASE("matmul and linear match PyTorch 1.13 in float64 and float32") { parity::check_group<MatmulCases>("matmul"); }

TEST_CASE("gradcheck: matmul, including vectors as (1, k) and (k, 1) matrices") {
  CHECK_GRADCHECK([](V& v) { return matmul(v[0], v[1]); }, {sample({3, 4}, 1), sample({4, 2}, 2)});
  CHECK_GRADCHECK([](V& v) { return matmul(v[0], v[1]); }, {sample({1, 5}, 3), sample({5, 1}, 4)});
  CHECK_GRADCHECK([](V& v) { return matmul(v[0], v[1]); }, {sample({4, 1}, 5), sample({1, 3}, 6)});
  // one side constant: only the other receives a gradient
  GradcheckOptions only_b;
  only_b.wrt = {false, true};
  CHECK_GRADCHECK([](V& v) { return matmul(v[0], v[1]); }, {sample({2, 3}, 7), sample({3, 2}, 8)}, only_b);
}

TEST_CASE("gradcheck: linear, and linear with one constant input") {
  CHECK_GRADCHECK([](V& v) { return linear(v[0], v[1], v[2]); },
                  {sample({5, 4}, 9), sample({3, 4}, 10), sample({3}, 11)});
  CHECK_GRADCHECK([](V& v) { return linear(v[0], v[1], v[2]); },
                  {sample({1, 2}, 12), sample({1, 2}, 13), sample({1}, 14)});
  GradcheckOptions params_only;
  params_only.wrt = {false, true, true};
  CHECK_GRADCHECK([](V& v) { return linear(v[0], v[1], v[2]); },
                  {sample({4, 3}, 15), sample({2, 3}, 16), sample({2}, 17)}, params_only);
}

TEST_CASE("linear equals matmul(x, transpose(W)) + bias: values and all three gradients") {
  check_fused_equals_composite<double>(5, 4, 3, 1e-12);
  check_fused_equals_composite<double>(1, 7, 1, 1e-12);
  check_fused_equals_composite<float>(128, 784, 40, 1e-4);  // the VAE encoder's size, BLAS kernels for real
}

TEST_CASE("BLAS accumulates gradients (beta = 1): a weight used twice, and across backward calls") {
  Tape<double> tape;
  Parameter<double> w(sample({3, 2}, 41));
  Parameter<double> b(sample({3}, 42));
  const A x = sample({4, 2}, 43);
  auto xc = tape.constant(x);
  auto y = linear(xc, tape.param(w), tape.param(b)) + matmul(xc, transpose(tape.param(w), 0, 1));
  y.backward(xt::ones<double>(y.shape()));
  // d/dW of sum(x W^T) is sum over rows of x, twice
  const A col_sums = xt::sum(x, {0});
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t c = 0; c < 2; ++c) CHECK(w.grad(r, c) == doctest::Approx(2 * col_sums(c)));
  CHECK(b.grad == A{4.0, 4.0, 4.0});
  tape.clear();
  linear(tape.constant(x), tape.param(w), tape.param(b)).backward(xt::ones<double>({4, 3}));
  CHECK(b.grad == A{8.0, 8.0, 8.0});
  CHECK(w.grad(0, 0) == doctest::Approx(3 * col_sums(0)));
}

TEST_CASE("matmul over an empty inner dimension gives zeros") {
  Tape<double> tape;
  auto a = tape.variable(A::from_shape(Shape{2, 0}));
  auto b = tape.variable(A::from_shape(Shape{0, 3}));
  auto y = matmul(a, b);
  CHECK(y.value() == xt::zeros<double>({2, 3}));
  y.backward(xt::ones<double>({2, 3}));
  CHECK(a.grad().shape() == Shape{2, 0});
}

TEST_CASE("matmul and linear: errors name both shapes and the fix") {
  Tape<double> tape;
  auto a = tape.variable(A::from_shape(Shape{2, 3}));
  auto b = tape.variable(A::from_shape(Shape{4, 5}));
  auto v = tape.variable(A::from_shape(Shape{3}));
  CHECK_THROWS_WITH_AS(matmul(a, b), "matmul: a (2, 3) and b (4, 5): a's columns (3) must equal b's rows (4)", Error);
  CHECK_THROWS_WITH_AS(matmul(a, v), doctest::Contains("matmul: a (2, 3) and b (3,): both must be 2-D matrices"),
                       Error);
  auto w = tape.variable(A::from_shape(Shape{4, 3}));
  auto bias4 = tape.variable(A::from_shape(Shape{4}));
  CHECK_THROWS_WITH_AS(linear(a, b, bias4),
                       doctest::Contains("x's columns (3) must equal W's columns (in_features, 5)"), Error);
  CHECK_THROWS_WITH_AS(linear(a, w, v), doctest::Contains("bias must have shape (out_features,) = (4,)"), Error);
  CHECK_THROWS_WITH_AS(linear(v, w, bias4),
                       doctest::Contains("linear: x (3,), W (4, 3), bias (4,): x must be (N, in_features)"), Error);
  CHECK(tape.size() == 5);
}
