// reference.cpp — the library is the answer key: every reference value of a
// check comes from klgrad's own op and its backward, on a float64 tape.
#include "reference.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>

#include "check.hpp"
#include "klgrad/core.hpp"

namespace course {

namespace {

using T = klgrad::Tensor<double>;
using Shapes = std::vector<std::pair<std::size_t, std::size_t>>;  // one (rows, cols) per input

struct Op {
  std::vector<std::string> inputs;
  std::function<T(const std::vector<T>&)> f;
  std::vector<Shapes> cases;
  std::vector<bool> broadcast;  // per input
  std::vector<bool> data = {};  // per input: data (a constant: no gradient asked for), e.g. kl_div's target
  std::string call = {};        // how a report writes the call, when not op(inputs)
};

// Elementwise and row-wise ops: one input, these four shapes.
const std::vector<Shapes> kUnary = {{{2, 3}}, {{4, 5}}, {{1, 7}}, {{3, 1}}};
// add and mul: b one row, one column, one number, and as big as a. mul starts
// with the last, where swapping a and b's roles shows as exactly that.
const std::vector<Shapes> kBroadcast = {{{2, 3}, {1, 3}}, {{4, 5}, {4, 1}}, {{3, 2}, {1, 1}}, {{2, 4}, {2, 4}}};
const std::vector<Shapes> kBroadcastSameFirst = {{{2, 4}, {2, 4}}, {{2, 3}, {1, 3}}, {{4, 5}, {4, 1}}, {{3, 2}, {1, 1}}};

const std::vector<Shapes> kUnary2 = {{{2, 3}, {2, 3}}, {{4, 5}, {4, 5}}, {{1, 7}, {1, 7}}, {{3, 1}, {3, 1}}};

Op unary(std::function<T(const T&)> f) {
  return Op{{"x"}, [f](const std::vector<T>& in) { return f(in[0]); }, kUnary, {false}};
}

// kl_div(input = log Q, target = P) with one reduction and log_target: the
// model Q is learned, the data P is a constant, as everywhere in klgrad.
Op kl(const std::string& reduction, bool log_target) {
  const klgrad::Reduction r = klgrad::parse_reduction(reduction, "kl_div", true);
  return Op{{"input", "target"},
            [r, log_target](const std::vector<T>& in) { return klgrad::kl_div(in[0], in[1], r, log_target); },
            kUnary2,
            {false, false},
            {false, true},
            "kl_div(input, target, reduction=\"" + reduction + "\", log_target=" + (log_target ? "true" : "false") + ")"};
}

const std::map<std::string, Op>& ops() {
  static const std::map<std::string, Op> table = {
      {"kl_div/none", kl("none", false)},
      {"kl_div/sum", kl("sum", false)},
      {"kl_div/mean", kl("mean", false)},
      {"kl_div/batchmean", kl("batchmean", false)},
      {"kl_div/none/log_target", kl("none", true)},
      {"kl_div/sum/log_target", kl("sum", true)},
      {"kl_div/mean/log_target", kl("mean", true)},
      {"kl_div/batchmean/log_target", kl("batchmean", true)},
      {"exp", unary([](const T& x) { return klgrad::exp(x); })},
      {"log", unary([](const T& x) { return klgrad::log(x); })},
      {"sigmoid", unary([](const T& x) { return klgrad::sigmoid(x); })},
      {"tanh", unary([](const T& x) { return klgrad::tanh(x); })},
      {"softplus", unary([](const T& x) { return klgrad::softplus(x); })},
      {"sum", unary([](const T& x) { return klgrad::sum(x, {0, 1}, true); })},
      {"mean", unary([](const T& x) { return klgrad::mean(x, {0, 1}, true); })},
      {"logsumexp", unary([](const T& x) { return klgrad::logsumexp(x, 1, true); })},
      {"softmax", unary([](const T& x) { return klgrad::softmax(x, 1); })},
      {"log_softmax", unary([](const T& x) { return klgrad::log_softmax(x, 1); })},
      {"add", Op{{"a", "b"}, [](const std::vector<T>& in) { return klgrad::add(in[0], in[1]); }, kBroadcast, {false, true}}},
      {"mul", Op{{"a", "b"}, [](const std::vector<T>& in) { return klgrad::mul(in[0], in[1]); }, kBroadcastSameFirst, {false, true}}},
      {"matmul", Op{{"a", "b"}, [](const std::vector<T>& in) { return klgrad::matmul(in[0], in[1]); },
                    {{{2, 3}, {3, 4}}, {{4, 5}, {5, 2}}, {{1, 3}, {3, 1}}, {{3, 1}, {1, 3}}}, {false, false}}},
      // PyTorch's nn.Linear: y = x W^T + bias, the bias a (1, M) row here (a vector of M in the library).
      {"linear", Op{{"x", "W", "bias"},
                    [](const std::vector<T>& in) {
                      const auto m = static_cast<std::int64_t>(in[2].value().size());
                      return klgrad::linear(in[0], in[1], klgrad::reshape(in[2], {m}));
                    },
                    {{{2, 3}, {4, 3}, {1, 4}}, {{5, 4}, {2, 4}, {1, 2}}, {{1, 2}, {3, 2}, {1, 3}}, {{3, 1}, {1, 1}, {1, 1}}},
                    {false, false, true}}},
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

// Every reference op keeps two dimensions (sum and mean with keepdim), so a Mat holds its result.
Mat to_mat(const klgrad::Array<double>& a) {
  const auto& s = a.shape();
  const std::size_t rows = s.size() == 2 ? s[0] : 1, cols = s.size() == 2 ? s[1] : a.size();
  return Mat{rows, cols, std::vector<double>(a.begin(), a.end())};
}

// kl_div's reduction 'mean' warns on every new message; a check calls it on purpose.
void quiet() {
  static const bool once = [] {
    klgrad::set_warning_handler([](const std::string&) {});
    return true;
  }();
  (void)once;
}

}  // namespace

std::vector<std::string> reference_ops() {
  std::vector<std::string> names;
  for (const auto& kv : ops()) names.push_back(kv.first);
  return names;
}

const std::vector<std::string>& input_names(const std::string& op) { return find(op).inputs; }
std::size_t case_count(const std::string& op) { return find(op).cases.size(); }
unsigned case_seed(std::size_t c, unsigned round) { return static_cast<unsigned>(c + 1) + 7919u * round; }
bool broadcasts(const std::string& op, std::size_t input) { return find(op).broadcast.at(input); }
bool is_data(const std::string& op, std::size_t input) {
  const Op& o = find(op);
  return input < o.data.size() && o.data[input];
}
std::string call_text(const std::string& op) {
  const Op& o = find(op);
  if (!o.call.empty()) return o.call;
  std::string args;
  for (const std::string& n : o.inputs) args += (args.empty() ? "" : ", ") + n;
  return op + "(" + args + ")";
}
std::string plain_twin(const std::string& op) {
  const std::string tag = "/log_target";
  if (op.size() <= tag.size() || op.compare(op.size() - tag.size(), tag.size(), tag) != 0) return "";
  return op.substr(0, op.size() - tag.size());
}

Mat reference_forward(const std::string& op, const std::vector<Mat>& in) {
  quiet();
  klgrad::Tape<double> tape;
  klgrad::NoGrad no_grad;
  std::vector<klgrad::Array<double>> arrays;
  for (const Mat& m : in) arrays.push_back(to_array(m));
  std::vector<T> ts;
  for (const auto& a : arrays) ts.push_back(tape.constant_view(a));
  return to_mat(find(op).f(ts).value());
}

std::vector<Mat> reference_backward(const std::string& op, const std::vector<Mat>& in, const Mat& g) {
  quiet();
  const Op& o = find(op);
  klgrad::Tape<double> tape;
  std::vector<klgrad::Array<double>> arrays;
  for (const Mat& m : in) arrays.push_back(to_array(m));
  std::vector<T> ts;
  for (std::size_t i = 0; i < in.size(); ++i)
    ts.push_back(is_data(op, i) ? tape.constant_view(arrays[i]) : tape.variable(arrays[i]));
  const T y = o.f(ts);
  klgrad::Array<double> seed = klgrad::Array<double>::from_shape(y.value().shape());  // a scalar loss: shape ()
  std::copy(g.data.begin(), g.data.end(), seed.begin());
  y.backward(seed);
  std::vector<Mat> grads;
  for (std::size_t i = 0; i < in.size(); ++i) grads.push_back(is_data(op, i) ? zeros_like(in[i]) : to_mat(ts[i].grad()));
  return grads;
}

Mat random_mat(std::size_t rows, std::size_t cols, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Mat m{rows, cols, std::vector<double>(rows * cols)};
  for (double& v : m.data) v = normal(gen);
  return m;
}

std::vector<Mat> case_inputs(const std::string& op, std::size_t c, unsigned round) {
  const Shapes& shapes = find(op).cases.at(c);
  std::vector<Mat> in;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    Mat x = random_mat(shapes[i].first, shapes[i].second, case_seed(c, round) + 10 * static_cast<unsigned>(i));
    for (double& v : x.data) v *= 2;
    in.push_back(x);
  }
  Mat& x = in[0];
  if (op == "log")
    for (double& v : x.data) v = 0.1 + std::abs(v);
  if (op == "softplus" && x.size() >= 4) {  // past the threshold (20): y = x, dx = g
    x[1] = 21;
    x[3] = 750;
  }
  if (op == "logsumexp" && x.size() >= 2) x[1] = 800;  // e^800 = inf in double: a naive exp(x) / sum overflows
  if (op.rfind("kl_div/", 0) == 0) {  // input = log Q (rows of log-probabilities); target = P, or log P
    const auto log_softmax_rows = [](Mat& m) {
      for (std::size_t i = 0; i < m.rows; ++i) {
        double top = m(i, 0), s = 0;
        for (std::size_t j = 0; j < m.cols; ++j) top = std::max(top, m(i, j));
        for (std::size_t j = 0; j < m.cols; ++j) s += std::exp(m(i, j) - top);
        for (std::size_t j = 0; j < m.cols; ++j) m(i, j) -= top + std::log(s);
      }
    };
    log_softmax_rows(in[0]);
    log_softmax_rows(in[1]);
    if (plain_twin(op).empty()) {
      for (double& v : in[1].data) v = std::exp(v);
      if (in[1].size() >= 4) in[1][2] = 0;  // p = 0: the term p log p is 0 there (0 log 0 = 0)
    }
  }
  return in;
}

std::string branch_note(const std::string& op, double x) {
  if (op == "softplus" && x > 20)
    return "softplus is y = x above its threshold (beta x > 20, PyTorch's default), so there dx = g";
  return "";
}

}  // namespace course
