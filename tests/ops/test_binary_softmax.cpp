// The binary ops (broadcasting, scalar forms) and softmax/log_softmax:
// gradchecks and PyTorch 1.13 parity.
#include <doctest/doctest.h>

#include "klgrad/klgrad.hpp"
#include "ops/parity.hpp"
#include "support/golden.hpp"

using namespace klgrad;
using parity::away_from;
using parity::sample;
using V = std::vector<Tensor<double>>;
using A = Array<double>;

namespace {

template <class T>
struct BinaryCases {
  static parity::Cases<T> get() {
    using W = std::vector<Tensor<T>>;
    return {
        {"binary/add_same", [](W& v) { return v[0] + v[1]; }},
        {"binary/add_row", [](W& v) { return v[0] + v[1]; }},
        {"binary/add_outer", [](W& v) { return v[0] + v[1]; }},
        {"binary/add_3d", [](W& v) { return v[0] + v[1]; }},
        {"binary/sub_row", [](W& v) { return v[0] - v[1]; }},
        {"binary/sub_3d", [](W& v) { return v[0] - v[1]; }},
        {"binary/mul_outer", [](W& v) { return v[0] * v[1]; }},
        {"binary/mul_3d", [](W& v) { return v[0] * v[1]; }},
        {"binary/mul_scalar_tensor", [](W& v) { return v[0] * v[1]; }},
        {"binary/div_row", [](W& v) { return v[0] / v[1]; }},
        {"binary/div_3d", [](W& v) { return v[0] / v[1]; }},
        {"binary/add_scalar", [](W& v) { return v[0] + T(1.5); }},
        {"binary/mul_scalar", [](W& v) { return v[0] * T(-2.5); }},
        {"binary/div_scalar", [](W& v) { return v[0] / T(0.7); }},
        {"binary/rsub_scalar", [](W& v) { return T(3) - v[0]; }},
    };
  }
};

template <class T>
struct SoftmaxCases {
  static parity::Cases<T> get() {
    using W = std::vector<Tensor<T>>;
    return {
        {"softmax/softmax_d0", [](W& v) { return softmax(v[0], 0); }},
        {"softmax/softmax_d1", [](W& v) { return softmax(v[0], 1); }},
        {"softmax/softmax_dneg1", [](W& v) { return softmax(v[0], -1); }},
        {"softmax/log_softmax_d0", [](W& v) { return log_softmax(v[0], 0); }},
        {"softmax/log_softmax_d1", [](W& v) { return log_softmax(v[0], 1); }},
        {"softmax/log_softmax_dneg1", [](W& v) { return log_softmax(v[0], -1); }},
    };
  }
};

// The broadcasting pairs of the brief: (2,3) with (3,), (2,1) with (1,3), (4,1,3) with (2,3),
// plus same shapes and a 0-d operand on either side.
const std::vector<std::pair<Shape, Shape>> pairs = {
    {{2, 3}, {3}}, {{2, 1}, {1, 3}}, {{4, 1, 3}, {2, 3}}, {{2, 3}, {2, 3}}, {{2, 3}, {}}, {{}, {3, 1}}, {{3}, {2, 3}}};

}  // namespace

TEST_CASE("binary ops match PyTorch 1.13 in float64 and float32, with broadcasting") {
  parity::check_group<BinaryCases>("binary");
}

TEST_CASE("softmax and log_softmax match PyTorch 1.13 on dims 0, 1, -1 of 3-d inputs") {
  parity::check_group<SoftmaxCases>("softmax");
}

TEST_CASE("gradcheck: add, sub, mul, div under broadcasting") {
  for (const auto& [sa, sb] : pairs) {
    INFO(shape_str(sa) << " with " << shape_str(sb));
    const A a = sample(sa, 51), b = sample(sb, 52), b_off0 = away_from(b, {0.0}, 0.3);
    CHECK_GRADCHECK([](V& v) { return v[0] + v[1]; }, {a, b});
    CHECK_GRADCHECK([](V& v) { return v[0] - v[1]; }, {a, b});
    CHECK_GRADCHECK([](V& v) { return v[0] * v[1]; }, {a, b});
    CHECK_GRADCHECK([](V& v) { return v[0] / v[1]; }, {a, b_off0});
    CHECK_GRADCHECK([](V& v) { return v[1] - v[0]; }, {a, b});
  }
}

TEST_CASE("gradcheck: the scalar forms") {
  const A x = sample({3, 4}, 53);
  CHECK_GRADCHECK([](V& v) { return v[0] + 1.5; }, {x});
  CHECK_GRADCHECK([](V& v) { return v[0] - 1.5; }, {x});
  CHECK_GRADCHECK([](V& v) { return 2.0 - v[0]; }, {x});
  CHECK_GRADCHECK([](V& v) { return -2.5 * v[0]; }, {x});
  CHECK_GRADCHECK([](V& v) { return v[0] / 0.7; }, {x});
}

TEST_CASE("gradcheck: softmax and log_softmax along dims 0, 1, 2, -1 of a 3-d input") {
  const A x = sample({2, 3, 4}, 54);
  for (int d : {0, 1, 2, -1, -3}) {
    INFO("dim " << d);
    CHECK_GRADCHECK([d](V& v) { return softmax(v[0], d); }, {x});
    CHECK_GRADCHECK([d](V& v) { return log_softmax(v[0], d); }, {x});
  }
}

TEST_CASE("binary: a tensor broadcast against itself gets both gradients") {
  Tape<double> tape;
  auto col = tape.variable(parity::column({1.0, 2.0}));  // (2, 1)
  auto y = col * transpose(col, 0, 1);                   // (2, 2) outer product
  y.backward(xt::ones<double>({2, 2}));
  // d/dc_i sum_jk c_j c_k = 2 sum_k c_k = 6
  CHECK(col.grad() == parity::column({6.0, 6.0}));
}
