// SGD, Adam and AdamW against PyTorch 1.13 (trajectories from tests/golden/gen_optim.py),
// their skip and zero_grad semantics, their argument errors, and checkpointing
// through visit_state / visit_steps.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "klgrad/optim.hpp"
#include "support/golden.hpp"

using namespace klgrad;

namespace {

const golden::File& fixture() { return golden::file("optim.txt"); }

// The optimizer of fixture case `c` ("sgd_...", "adam_...", "adamw..."), built
// from the options PyTorch recorded for it.
template <class T>
std::unique_ptr<Optimizer<T>> make_from_fixture(const std::string& c, std::vector<Parameter<T>*> params) {
  const auto& g = fixture();
  auto opt = [&](const char* name) { return g.scalar(c + "/opt/" + name); };
  if (c.rfind("sgd", 0) == 0) {
    SGDOptions o;
    o.lr = opt("lr");
    o.momentum = opt("momentum");
    o.dampening = opt("dampening");
    o.weight_decay = opt("weight_decay");
    o.nesterov = opt("nesterov") != 0;
    o.maximize = opt("maximize") != 0;
    return std::make_unique<SGD<T>>(std::move(params), o);
  }
  const bool adamw = c.rfind("adamw", 0) == 0;
  AdamWOptions o;  // every field set below
  o.lr = opt("lr");
  o.beta1 = opt("beta1");
  o.beta2 = opt("beta2");
  o.eps = opt("eps");
  o.weight_decay = opt("weight_decay");
  o.amsgrad = opt("amsgrad") != 0;
  o.maximize = opt("maximize") != 0;
  if (adamw) return std::make_unique<AdamW<T>>(std::move(params), o);
  return std::make_unique<Adam<T>>(std::move(params), AdamOptions(o));
}

// Row `s` of a (steps, ...) fixture array, shaped like `like`.
template <class T>
Array<T> row(const Array<T>& stacked, std::size_t s, const Shape& like) {
  Array<T> out = Array<T>::from_shape(like);
  std::copy_n(stacked.data() + s * out.size(), out.size(), out.data());
  return out;
}

// Replays PyTorch's run of case `c` in precision `tag`: feeds the recorded
// gradients (p1's is None at some steps), compares both parameters after every
// step.
template <class T>
void replay(const std::string& c, const std::string& tag, double rtol, double atol) {
  const auto& g = fixture();
  const std::string k = c + "/" + tag + "/";
  Parameter<T> p0(g.get<T>(k + "init0"), "p0"), p1(g.get<T>(k + "init1"), "p1");
  auto opt = make_from_fixture<T>(c, {&p0, &p1});
  const Array<T> grad0 = g.get<T>(k + "grad0"), grad1 = g.get<T>(k + "grad1");
  const Array<T> param0 = g.get<T>(k + "param0"), param1 = g.get<T>(k + "param1");
  const Array<double> has_grad1 = g.get<double>(k + "has_grad1");
  for (std::size_t s = 0; s < has_grad1.size(); ++s) {
    opt->zero_grad();  // in place, as the generator's loop does
    p0.grad = row(grad0, s, p0.value.shape());
    p0.has_grad = true;
    if (has_grad1(s) != 0) {
      p1.grad = row(grad1, s, p1.value.shape());
      p1.has_grad = true;
    } else {
      p1.zero_grad(/*set_to_none=*/true);
    }
    opt->step();
    for (int j = 0; j < 2; ++j) {
      const Array<double> got = xt::cast<double>(j == 0 ? p0.value : p1.value);
      const Array<double> want = xt::cast<double>(row(j == 0 ? param0 : param1, s, got.shape()));
      INFO(k << "param" << j << " after step " << s);
      const std::string diff = golden::compare(got, want, rtol, atol);
      REQUIRE_MESSAGE(diff.empty(), diff);
    }
  }
}

const char* const kCases[] = {"sgd_plain",    "sgd_momentum_dampening", "sgd_nesterov",
                              "sgd_weight_decay", "sgd_maximize",       "adam_default",
                              "adam_amsgrad", "adam_weight_decay",      "adam_maximize",
                              "adamw",        "adamw_amsgrad_maximize"};

// A closed-form gradient for the state tests: d/dtheta of sum(theta^4 / 8 - c theta), c = 0.3 k.
template <class T>
void set_grad(Parameter<T>& p) {
  p.grad = Array<T>::from_shape(p.value.shape());
  for (std::size_t k = 0; k < p.value.size(); ++k) {
    const T x = p.value.flat(k);
    p.grad.flat(k) = T(0.5) * x * x * x - T(0.3) * T(k);
  }
  p.has_grad = true;
}

// Steps `opt` `n` times from step `first` on; p1 has no gradient at every third step.
template <class T>
void train(Optimizer<T>& opt, Parameter<T>& p0, Parameter<T>& p1, int first, int n) {
  for (int s = first; s < first + n; ++s) {
    opt.zero_grad();
    set_grad(p0);
    if (s % 3 == 0) p1.zero_grad(true);
    else set_grad(p1);
    opt.step();
  }
}

Parameter<double> param(Array<double> v, const char* name) { return Parameter<double>(std::move(v), name); }

}  // namespace

TEST_CASE("optimizers replay PyTorch's float64 trajectories (50 steps, 1e-10 relative)") {
  for (const char* c : kCases) {
    INFO(c);
    replay<double>(c, "float64", 1e-10, 1e-14);
  }
}

TEST_CASE("optimizers replay PyTorch's float32 trajectories (50 steps, 1e-5 relative)") {
  for (const char* c : kCases) {
    INFO(c);
    replay<float>(c, "float32", 1e-5, 1e-7);
  }
}

TEST_CASE("option defaults are PyTorch's: SGD, Adam, AdamW (weight_decay 1e-2)") {
  const auto& g = fixture();
  const SGDOptions s;
  CHECK(std::isnan(s.lr));  // required
  CHECK(s.momentum == g.scalar("defaults/SGD/momentum"));
  CHECK(s.dampening == g.scalar("defaults/SGD/dampening"));
  CHECK(s.weight_decay == g.scalar("defaults/SGD/weight_decay"));
  CHECK(double(s.nesterov) == g.scalar("defaults/SGD/nesterov"));
  CHECK(double(s.maximize) == g.scalar("defaults/SGD/maximize"));
  auto check_adam = [&](const AdamOptions& a, const std::string& k) {
    INFO(k);
    CHECK(a.lr == g.scalar(k + "lr"));
    CHECK(a.beta1 == g.scalar(k + "beta1"));
    CHECK(a.beta2 == g.scalar(k + "beta2"));
    CHECK(a.eps == g.scalar(k + "eps"));
    CHECK(a.weight_decay == g.scalar(k + "weight_decay"));
    CHECK(double(a.amsgrad) == g.scalar(k + "amsgrad"));
    CHECK(double(a.maximize) == g.scalar(k + "maximize"));
  };
  check_adam(AdamOptions(), "defaults/Adam/");
  check_adam(AdamWOptions(), "defaults/AdamW/");
}

TEST_CASE("a parameter without a gradient (set_to_none) is skipped: value, state and step count unchanged") {
  SGDOptions so;
  so.lr = 0.1;
  so.momentum = 0.9;
  so.weight_decay = 0.1;
  AdamOptions ao;
  ao.amsgrad = true;
  ao.weight_decay = 0.1;
  for (int kind = 0; kind < 3; ++kind) {
    Parameter<double> p0 = param({1.0, -2.0}, "p0"), p1 = param({0.5, 1.5}, "p1");
    std::unique_ptr<Optimizer<double>> opt;
    if (kind == 0) opt = std::make_unique<SGD<double>>(std::vector<Parameter<double>*>{&p0, &p1}, so);
    if (kind == 1) opt = std::make_unique<Adam<double>>(std::vector<Parameter<double>*>{&p0, &p1}, ao);
    if (kind == 2) opt = std::make_unique<AdamW<double>>(std::vector<Parameter<double>*>{&p0, &p1});
    INFO(std::string(opt->name()));
    // Never had a gradient: no update, state stays zero, step count 0.
    set_grad(p0);
    opt->step();
    CHECK(p1.value == Array<double>{0.5, 1.5});
    std::map<std::string, Array<double>> state;
    opt->visit_state([&](const std::string& n, Array<double>& a) { state[n] = a; });
    for (const auto& [n, a] : state) {
      INFO(n);
      const bool zero = std::all_of(a.begin(), a.end(), [](double x) { return x == 0; });
      CHECK(zero == (n.back() == '1'));
    }
    // Had gradients, then set_to_none: nothing about p1 moves.
    set_grad(p1);
    opt->step();
    opt->step();
    opt->zero_grad(/*set_to_none=*/true);
    CHECK_FALSE(p0.has_grad);
    CHECK_FALSE(p1.has_grad);
    set_grad(p0);
    const Array<double> before = p1.value;
    state.clear();
    opt->visit_state([&](const std::string& n, Array<double>& a) { state[n] = a; });
    opt->step();
    CHECK(p1.value == before);
    opt->visit_state([&](const std::string& n, Array<double>& a) {
      if (n.back() == '1') CHECK(a == state.at(n));
    });
    std::map<std::string, std::int64_t> steps;
    opt->visit_steps([&](const std::string& n, std::int64_t& t) { steps[n] = t; });
    CHECK(steps == std::map<std::string, std::int64_t>{{"step.0", 4}, {"step.1", 2}});
  }
}

TEST_CASE("zero_grad zeroes in place by default, and a zero gradient still updates") {
  SGDOptions so;
  so.lr = 0.1;
  so.momentum = 0.9;
  Parameter<double> p = param({1.0, -2.0}, "p"), q = param({3.0}, "q");
  SGD<double> sgd({&p}, so);
  Adam<double> adam({&q});
  set_grad(p);
  set_grad(q);
  sgd.step();
  adam.step();
  const double* storage = p.grad.data();
  sgd.zero_grad();
  adam.zero_grad();
  CHECK(p.has_grad);
  CHECK(q.has_grad);
  CHECK(p.grad.data() == storage);
  CHECK(p.grad == Array<double>{0.0, 0.0});
  CHECK(q.grad == Array<double>{0.0});
  // g = 0: momentum keeps moving p (b = 0.9 b), Adam's m keeps moving q.
  const Array<double> p_before = p.value, q_before = q.value;
  sgd.step();
  adam.step();
  CHECK(p.value != p_before);
  CHECK(q.value != q_before);
  // No momentum, no decay: a zero gradient is a no-op update for plain SGD.
  so.momentum = 0;
  SGD<double> plain({&p}, so);
  const Array<double> p_now = p.value;
  plain.step();
  CHECK(p.value == p_now);
}

TEST_CASE("optimizer errors name the optimizer, the option, the value and the fix") {
  Parameter<float> w(Array<float>{1.0f, 2.0f}, "w");
  std::vector<Parameter<float>*> ps{&w};
  SGDOptions s;
  CHECK_THROWS_WITH_AS(SGD<float>(ps, s),
                       "SGD: lr is required (PyTorch's SGD has no default either): set SGDOptions::lr, e.g. 0.01", Error);
  s.lr = -0.1;
  CHECK_THROWS_WITH_AS(SGD<float>(ps, s), "SGD: lr = -0.1 is invalid: the learning rate must be >= 0", Error);
  s.lr = 0.1;
  s.momentum = -0.5;
  CHECK_THROWS_WITH_AS(SGD<float>(ps, s), "SGD: momentum = -0.5 is invalid: momentum must be >= 0 (0 turns it off)",
                       Error);
  s.momentum = 0;
  s.weight_decay = -1;
  CHECK_THROWS_WITH_AS(SGD<float>(ps, s),
                       "SGD: weight_decay = -1 is invalid: weight_decay must be >= 0 (0 turns it off)", Error);
  s.weight_decay = 0;
  s.nesterov = true;
  CHECK_THROWS_WITH_AS(SGD<float>(ps, s),
                       "SGD: nesterov = true requires momentum > 0 and dampening = 0, got momentum = 0 and "
                       "dampening = 0: set momentum (e.g. 0.9) and dampening = 0, or nesterov = false",
                       Error);
  s.momentum = 0.9;
  s.dampening = 0.1;
  CHECK_THROWS_WITH_AS(SGD<float>(ps, s), doctest::Contains("got momentum = 0.9 and dampening = 0.1"), Error);
  s.dampening = 0;
  CHECK_NOTHROW(SGD<float>(ps, s));

  AdamOptions a;
  a.lr = -1e-3;
  CHECK_THROWS_WITH_AS(Adam<float>(ps, a),
                       "Adam: lr = -0.001 is invalid: the learning rate must be >= 0 (default 0.001)", Error);
  a = AdamOptions();
  a.eps = -1e-8;
  CHECK_THROWS_WITH_AS(Adam<float>(ps, a), "Adam: eps = -1e-08 is invalid: eps must be >= 0 (default 1e-08)", Error);
  a = AdamOptions();
  a.beta1 = 1.0;
  CHECK_THROWS_WITH_AS(Adam<float>(ps, a),
                       "Adam: beta1 = 1 is invalid: betas must lie in [0, 1) (defaults 0.9 and 0.999)", Error);
  a = AdamOptions();
  a.beta2 = -0.5;
  CHECK_THROWS_WITH_AS(Adam<float>(ps, a),
                       "Adam: beta2 = -0.5 is invalid: betas must lie in [0, 1) (defaults 0.9 and 0.999)", Error);
  a = AdamOptions();
  a.lr = std::nan("");
  CHECK_THROWS_WITH_AS(Adam<float>(ps, a), doctest::Contains("Adam: lr = nan is invalid"), Error);
  AdamWOptions aw;
  aw.weight_decay = -0.01;
  CHECK_THROWS_WITH_AS(AdamW<float>(ps, aw),
                       "AdamW: weight_decay = -0.01 is invalid: weight_decay must be >= 0 (0 turns it off)", Error);
  aw.weight_decay = 0;
  aw.beta1 = 0;  // the boundary 0 is valid, as in PyTorch
  CHECK_NOTHROW(AdamW<float>(ps, aw));

  // The parameter list and the shapes.
  CHECK_THROWS_WITH_AS(Adam<float>(std::vector<Parameter<float>*>{}), "Adam: got an empty parameter list: pass the model's parameters", Error);
  CHECK_THROWS_WITH_AS(Adam<float>(std::vector<Parameter<float>*>{&w, &w}),
                       "Adam: parameter 1 ('w') is the same as parameter 0: pass each parameter once", Error);
  Adam<float> opt(ps);
  w.grad = Array<float>{1.0f, 2.0f, 3.0f};
  w.has_grad = true;
  CHECK_THROWS_WITH_AS(opt.step(),
                       "Adam: parameter 0 ('w') has value (2,) but grad (3,): a gradient must have its parameter's shape",
                       Error);
  w.grad = Array<float>{1.0f, 2.0f};
  opt.step();
  opt.visit_state([](const std::string& n, Array<float>& st) {
    if (n == "exp_avg.0") st = Array<float>{0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  });
  CHECK_THROWS_WITH_AS(opt.step(),
                       "Adam: parameter 0 ('w') has shape (2,) but its optimizer state (5,): restore state saved for "
                       "the same parameters",
                       Error);
}

TEST_CASE("checkpoint round trip: save state and steps, restore into a fresh optimizer, continue bit for bit") {
  SGDOptions so;
  so.lr = 0.05;
  so.momentum = 0.9;
  so.dampening = 0.1;
  so.weight_decay = 0.01;
  AdamOptions ao;
  ao.lr = 0.05;
  ao.amsgrad = true;
  ao.weight_decay = 0.01;
  using Make = std::function<std::unique_ptr<Optimizer<float>>(std::vector<Parameter<float>*>)>;
  const std::vector<std::pair<Make, std::vector<std::string>>> kinds = {
      {[&](std::vector<Parameter<float>*> ps) { return std::make_unique<SGD<float>>(ps, so); },
       {"momentum_buffer.0", "momentum_buffer.1"}},
      {[&](std::vector<Parameter<float>*> ps) { return std::make_unique<Adam<float>>(ps, ao); },
       {"exp_avg.0", "exp_avg.1", "exp_avg_sq.0", "exp_avg_sq.1", "max_exp_avg_sq.0", "max_exp_avg_sq.1"}},
      {[&](std::vector<Parameter<float>*> ps) { return std::make_unique<AdamW<float>>(ps); },
       {"exp_avg.0", "exp_avg.1", "exp_avg_sq.0", "exp_avg_sq.1"}},
  };
  for (const auto& [make, names] : kinds) {
    const Array<float> init0{{0.5f, -1.0f}, {1.5f, 0.2f}}, init1{-0.7f, 0.9f, 2.0f};
    // Uninterrupted: 50 steps.
    Parameter<float> a0(init0, "w"), a1(init1, "b");
    auto straight = make({&a0, &a1});
    train(*straight, a0, a1, 0, 50);
    // Interrupted after 20 steps: the model saves its values, the optimizer its state.
    Parameter<float> b0(init0, "w"), b1(init1, "b");
    auto first = make({&b0, &b1});
    INFO(std::string(first->name()));
    train(*first, b0, b1, 0, 20);
    std::map<std::string, Array<float>> arrays;
    std::map<std::string, std::int64_t> steps;
    first->visit_state([&](const std::string& n, Array<float>& s) { arrays[n] = s; });
    first->visit_steps([&](const std::string& n, std::int64_t& t) { steps[n] = t; });
    std::vector<std::string> saved;
    for (const auto& kv : arrays) saved.push_back(kv.first);
    std::vector<std::string> want = names;
    std::sort(want.begin(), want.end());
    CHECK(saved == want);
    CHECK(steps == std::map<std::string, std::int64_t>{{"step.0", 20}, {"step.1", 13}});
    // Restore into fresh parameters and a fresh optimizer, then continue for 30.
    Parameter<float> c0(b0.value, "w"), c1(b1.value, "b");
    auto resumed = make({&c0, &c1});
    resumed->visit_state([&](const std::string& n, Array<float>& s) { s = arrays.at(n); });
    resumed->visit_steps([&](const std::string& n, std::int64_t& t) { t = steps.at(n); });
    train(*resumed, c0, c1, 20, 30);
    CHECK(c0.value == a0.value);
    CHECK(c1.value == a1.value);
    resumed->visit_state([&](const std::string& n, Array<float>& s) {
      straight->visit_state([&](const std::string& m, Array<float>& t) {
        if (m == n) CHECK(s == t);
      });
    });
  }
}
