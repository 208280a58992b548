// Shape ops: gradchecks, PyTorch 1.13 parity, element order, and errors.
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
struct ShapeCases {
  static parity::Cases<T> get() {
    using W = std::vector<Tensor<T>>;
    return {
        {"shape/reshape_infer",
         [](W& v) {
           return reshape(v[0], {4, -1});
         }},
        {"shape/reshape_flat", [](W& v) { return reshape(v[0], {-1}); }},
        {"shape/reshape_3d",
         [](W& v) {
           return reshape(v[0], {3, 1, 4});
         }},
        {"shape/transpose_2d", [](W& v) { return transpose(v[0], 0, 1); }},
        {"shape/transpose_02", [](W& v) { return transpose(v[0], 0, 2); }},
        {"shape/transpose_neg", [](W& v) { return transpose(v[0], -1, -2); }},
        {"shape/broadcast_col",
         [](W& v) {
           return broadcast_to(v[0], Shape{2, 3, 4});
         }},
        {"shape/broadcast_row",
         [](W& v) {
           return broadcast_to(v[0], Shape{2, 3, 4});
         }},
        {"shape/broadcast_mid",
         [](W& v) {
           return broadcast_to(v[0], Shape{2, 3, 4});
         }},
    };
  }
};

const A x3 = sample({2, 3, 4}, 21);

}  // namespace

TEST_CASE("shape ops match PyTorch 1.13 in float64 and float32") { parity::check_group<ShapeCases>("shape"); }

TEST_CASE("gradcheck: reshape with and without -1") {
  CHECK_GRADCHECK([](V& v) { return reshape(v[0], {4, -1}); }, {x3});
  CHECK_GRADCHECK([](V& v) { return reshape(v[0], {-1}); }, {x3});
  CHECK_GRADCHECK([](V& v) { return reshape(v[0], {6, 1, 4}); }, {x3});
  CHECK_GRADCHECK([](V& v) { return reshape(v[0], {}); }, {A{2.5}});
}

TEST_CASE("gradcheck: transpose of every pair of dims, negative dims, the same dim twice") {
  for (int d0 : {0, 1, 2, -1})
    for (int d1 : {0, 1, -2, 2}) {
      INFO("dims " << d0 << ", " << d1);
      CHECK_GRADCHECK([&](V& v) { return transpose(v[0], d0, d1); }, {x3});
    }
  CHECK_GRADCHECK([](V& v) { return transpose(v[0], 1, 0); }, {sample({3, 5}, 22)});
}

TEST_CASE("gradcheck: broadcast_to along leading, middle and trailing dims") {
  CHECK_GRADCHECK([](V& v) { return broadcast_to(v[0], Shape{2, 3, 4}); }, {sample({3, 1}, 23)});
  CHECK_GRADCHECK([](V& v) { return broadcast_to(v[0], Shape{2, 3, 4}); }, {sample({2, 1, 4}, 24)});
  CHECK_GRADCHECK([](V& v) { return broadcast_to(v[0], Shape{2, 3}); }, {A(1.5)});
  CHECK_GRADCHECK([](V& v) { return broadcast_to(v[0], Shape{3, 2}); }, {sample({3, 2}, 25)});
}

TEST_CASE("transpose moves elements as PyTorch does, and back in the gradient") {
  Tape<double> tape;
  auto x = tape.variable(A{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  auto y = transpose(x, 0, -1);
  CHECK(y.value() == A{{1.0, 4.0}, {2.0, 5.0}, {3.0, 6.0}});
  y.backward(A{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
  CHECK(x.grad() == A{{1.0, 3.0, 5.0}, {2.0, 4.0, 6.0}});
  auto r = reshape(x, {3, -1});
  CHECK(r.shape() == Shape{3, 2});
  CHECK(r.value() == A{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
}

TEST_CASE("shape ops: errors name the op, both shapes and the fix") {
  Tape<double> tape;
  auto x = tape.variable(A::from_shape(Shape{2, 3}));
  CHECK_THROWS_WITH_AS(reshape(x, {4, -1}), doctest::Contains("reshape: cannot view (2, 3) (6 elements) as (4, -1)"),
                       Error);
  CHECK_THROWS_WITH_AS(reshape(x, {4, 2}), doctest::Contains("the sizes multiply to 8"), Error);
  CHECK_THROWS_WITH_AS(reshape(x, {-1, -1}), doctest::Contains("only one dimension can be inferred"), Error);
  CHECK_THROWS_WITH_AS(reshape(x, {-2, -3}), doctest::Contains("size -2 is invalid"), Error);
  CHECK_THROWS_WITH_AS(transpose(x, 0, 2), doctest::Contains("transpose: dim 2 is out of range for a tensor of rank 2"),
                       Error);
  CHECK_THROWS_WITH_AS(broadcast_to(x, Shape{3, 3}),
                       doctest::Contains("broadcast_to: cannot broadcast (2, 3) to (3, 3): aligned from the right, "
                                         "dimension 0 has size 2 where the target has 3"),
                       Error);
  CHECK_THROWS_WITH_AS(broadcast_to(x, Shape{3}), doctest::Contains("fewer dimensions"), Error);
  CHECK(tape.size() == 1);
}

TEST_CASE("reshape and broadcast_to have no rank cap") {
  Tape<double> tape;
  auto x = tape.variable(A::from_shape(Shape{2, 3}));
  CHECK(reshape(x, {1, 1, 1, 1, 1, 1, 1, 1, 1, 6}).shape() == Shape{1, 1, 1, 1, 1, 1, 1, 1, 1, 6});
  auto y = broadcast_to(x, Shape{1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3});
  CHECK(y.dim() == 11);
  sum(y).backward();
  CHECK(x.grad() == xt::ones<double>(Shape{2, 3}) * 2.0);
}
