// capstone_vae.cpp — unit 7's second capstone: a short run of tiny_vae
// (apps/tiny_vae.cpp, klgrad::VAE) on your functions, on the first images of
// Fashion-MNIST. The VAE's graph is klgrad's tape, with three kinds of node
// running your code:
//   linear (all five layers)   forward given, backward: your 3.2
//   exp (sigma = e^(logvar/2)) forward given, backward: your 1.1
//   KL(q(z|x) || N(0, I))      your 6.1, registered for (Normal, Normal)
// and your Adam step (5.2) updates every parameter. relu and the reconstruction
// loss (binary cross-entropy with logits) stay the library's. The reference
// run is klgrad::VAE::forward with klgrad::Adam from the same initial weights,
// data and noise: the two loss curves must agree at every step.
#include <cmath>
#include <memory>

#include "check.hpp"
#include "json.hpp"
#include "klgrad/core.hpp"
#include "klgrad/data/idx.hpp"
#include "klgrad/losses/bce.hpp"
#include "klgrad/models/vae.hpp"
#include "pairs.hpp"

namespace course {

namespace {

using Tensor = klgrad::Tensor<double>;
using Array = klgrad::Array<double>;
using Param = klgrad::Parameter<double>;

const std::vector<std::string> kNeeds = {"1.1", "3.2", "5.2", "6.1"};

// A short run: small enough that the selftest's many runs take seconds.
struct Run {
  std::size_t images = 16, hidden = 32, latent = 4;
  int steps = 8;
  double lr = 1e-3;
  unsigned seed = 1;  // the initial weights and the noise eps
};

struct Parts {
  Backward exp_backward;
  Backward3 linear_backward;
  AdamStep adam;
  NormalPair kl;
};

Parts parts_of(const std::any& fn) {
  const std::string spec = fn.has_value() ? std::any_cast<CapstoneParts>(fn).spec : "";
  const auto e = [](const Mat&, const Mat&, const Mat&, Mat&) { KLGRAD_TODO("stub"); };
  const auto l = [](const Mat&, const Mat&, const Mat&, const Mat&, const Mat&, Mat&, Mat&, Mat&) { KLGRAD_TODO("stub"); };
  const auto a = [](Mat&, const Mat&, Mat&, Mat&, Mat&, long, const AdamOptions&) { KLGRAD_TODO("stub"); };
  const auto k = [](const klgrad::Normal<double>&, const klgrad::Normal<double>&) -> Tensor { KLGRAD_TODO("stub"); };
  return {function_of<Backward>(capstone_part(spec, "1.1"), +e), function_of<Backward3>(capstone_part(spec, "3.2"), +l),
          function_of<AdamStep>(capstone_part(spec, "5.2"), +a), function_of<NormalPair>(capstone_part(spec, "6.1"), +k)};
}

// Arrays of rank 1 (a bias) become a (1, n) Mat, rank 2 a Mat of their shape.
Mat to_mat(const Array& a) {
  const std::size_t cols = a.shape().back(), rows = a.size() / cols;
  return Mat{rows, cols, std::vector<double>(a.begin(), a.end())};
}
void add_into(Array& into, const Mat& m) {
  std::size_t k = 0;
  for (double& v : into) v += m.data[k++];
}

// y = x W^T + bias, the backward yours (3.2).
struct StudentLinearOp {
  static constexpr const char* name = "linear (your 3.2 backward)";
  struct Args {
    Backward3 backward;
    long* calls;
  };
  static void forward(klgrad::Ctx<double>& c, const Args&) {
    const Array &x = c.in(0), &W = c.in(1), &b = c.in(2);
    const std::size_t n = x.shape()[0], k = x.shape()[1], m = W.shape()[0];
    c.out() = Array::from_shape({n, m});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < m; ++j) {
        double s = b(j);
        for (std::size_t t = 0; t < k; ++t) s += x(i, t) * W(j, t);
        c.out()(i, j) = s;
      }
  }
  static void backward(klgrad::Ctx<double>& c, const Args& a) {
    const Mat x = to_mat(c.in(0)), W = to_mat(c.in(1)), b = to_mat(c.in(2));
    Mat dx = zeros_like(x), dW = zeros_like(W), db = zeros_like(b);
    ++*a.calls;
    a.backward(x, W, b, to_mat(c.out()), to_mat(c.grad_out()), dx, dW, db);
    if (c.needs_grad(0)) add_into(c.grad_in(0), dx);
    if (c.needs_grad(1)) add_into(c.grad_in(1), dW);
    if (c.needs_grad(2)) add_into(c.grad_in(2), db);
  }
};

// y = exp(x), the backward yours (1.1).
struct StudentExpOp {
  static constexpr const char* name = "exp (your 1.1 backward)";
  struct Args {
    Backward backward;
    long* calls;
  };
  static void forward(klgrad::Ctx<double>& c, const Args&) { c.out() = klgrad::Array<double>(xt::exp(c.in(0))); }
  static void backward(klgrad::Ctx<double>& c, const Args& a) {
    const Mat x = to_mat(c.in(0));
    Mat dx = zeros_like(x);
    ++*a.calls;
    a.backward(x, to_mat(c.out()), to_mat(c.grad_out()), dx);
    if (c.needs_grad(0)) add_into(c.grad_in(0), dx);
  }
};

struct Data {
  Array x;  // (images, 784) in [0, 1]
  std::vector<Array> eps;  // one (images, latent) draw per step
};

Data data_for(const Run& r) {
  Data d;
  const klgrad::MnistSplit train = klgrad::load_mnist(klgrad::default_fashion_mnist_dir(), "train", r.images);
  std::vector<std::size_t> order(r.images);
  for (std::size_t i = 0; i < r.images; ++i) order[i] = i;
  klgrad::gather_batch(train.images, order, 0, r.images, d.x);
  klgrad::Generator gen(r.seed + 1000);
  for (int s = 0; s < r.steps; ++s) d.eps.push_back(gen.normal<double>({r.images, r.latent}));
  return d;
}

// The loss (recon + KL, summed over the batch) before each update, on yours.
std::vector<double> your_curve(const Run& r, const Data& d, const Parts& p, long& calls) {
  klgrad::Generator gen(r.seed);
  klgrad::VAE<double> vae(d.x.shape()[1], r.hidden, r.latent, gen);  // only its initial weights are used
  const std::vector<Param*> params = vae.parameters();
  std::vector<Mat> m, v, vmax;
  for (Param* q : params) m.push_back(zeros_like(to_mat(q->value))), v.push_back(m.back()), vmax.push_back(m.back());
  klgrad::register_kl<klgrad::Normal<double>, klgrad::Normal<double>>(
      [&p, &calls](const klgrad::Normal<double>& a, const klgrad::Normal<double>& b) {
        ++calls;
        return p.kl(a, b);
      });
  std::vector<double> losses;
  for (int step = 1; step <= r.steps; ++step) {
    klgrad::Tape<double> tape;
    const auto layer = [&](klgrad::Linear<double>& l, const Tensor& in) {
      return klgrad::apply<StudentLinearOp>({in, tape.param(l.weight), tape.param(l.bias)},
                                            StudentLinearOp::Args{p.linear_backward, &calls});
    };
    const Tensor x = tape.constant_view(d.x);
    const Tensor h = klgrad::relu(layer(vae.fc1, x));
    const Tensor mu = layer(vae.fc21, h), logvar = layer(vae.fc22, h);
    const Tensor sigma = klgrad::apply<StudentExpOp>({logvar * 0.5}, StudentExpOp::Args{p.exp_backward, &calls});
    const Tensor z = mu + tape.constant_view(d.eps[static_cast<std::size_t>(step - 1)]) * sigma;
    const Tensor logits = layer(vae.fc4, klgrad::relu(layer(vae.fc3, z)));
    const Tensor recon = klgrad::binary_cross_entropy_with_logits(logits, x, klgrad::Reduction::sum);
    const klgrad::Normal<double> q(mu, sigma), prior(tape.constant(0.0), tape.constant(1.0));
    const Tensor loss = recon + klgrad::sum(klgrad::kl_divergence(q, prior));
    losses.push_back(loss.value()());
    for (Param* q : params) q->zero_grad();
    loss.backward();
    AdamOptions o;
    o.lr = r.lr;
    for (std::size_t i = 0; i < params.size(); ++i) {
      Mat value = to_mat(params[i]->value);
      p.adam(value, to_mat(params[i]->grad), m[i], v[i], vmax[i], step, o);
      ++calls;
      std::copy(value.data.begin(), value.data.end(), params[i]->value.begin());
    }
  }
  return losses;
}

// The same run on the library: tiny_vae's model, loss and optimizer.
std::vector<double> library_curve(const Run& r, const Data& d) {
  klgrad::Generator gen(r.seed);
  klgrad::VAE<double> vae(d.x.shape()[1], r.hidden, r.latent, gen);
  klgrad::AdamOptions o;
  o.lr = r.lr;
  klgrad::Adam<double> opt(vae.parameters(), o);
  std::vector<double> losses;
  for (int step = 1; step <= r.steps; ++step) {
    klgrad::Tape<double> tape;
    const auto out = vae.forward(tape, tape.constant_view(d.x), d.eps[static_cast<std::size_t>(step - 1)]);
    losses.push_back(out.loss.value()());
    opt.zero_grad();
    out.loss.backward();
    opt.step();
  }
  return losses;
}

Result check_vae(const std::any& fn) {
  long calls = 0;
  Result res;
  const Run r;
  try {
    const Data d = data_for(r);
    const Parts p = parts_of(fn);
    // The library's curve first: your 6.1 replaces the library's (Normal, Normal) pair from here on.
    const std::vector<double> ref = library_curve(r, d), yours = your_curve(r, d, p, calls);
    for (std::size_t k = 0; k < ref.size(); ++k) {
      if (close(yours[k], ref[k])) continue;
      res.calls = calls;
      res.pattern = "curve";
      res.text = "  case   tiny_vae's VAE (784 -> " + std::to_string(r.hidden) + " -> " + std::to_string(r.latent) + "), " +
                 std::to_string(r.images) + " Fashion-MNIST images, Adam lr " + num(r.lr) + ", " + std::to_string(r.steps) +
                 " steps\n  first  the loss before update " + std::to_string(k + 1) + ": " + versus(yours[k], "the library's", ref[k]) +
                 "\n  pattern  your loss curve leaves the library's " +
                 (k == 0 ? "at the start: the loss is the forward, so your KL (6.1)"
                         : "after " + std::to_string(k) + (k == 1 ? " update" : " updates") +
                               ": a gradient or the update rule (1.1, 3.2, 6.1's gradient, 5.2)") +
                 "; `klgrad-course check 1.1 3.2 5.2 6.1` says which\n";
      return res;
    }
  } catch (const NotStarted&) {
    res.status = Status::not_started;
    res.calls = calls;
    res.text = "  the capstone runs your 1.1, 3.2, 5.2 and 6.1, and one of them still holds its KLGRAD_TODO line "
               "(klgrad-course status shows which)\n";
    return res;
  }
  res.status = Status::passed;
  res.calls = calls;
  res.text = "  " + std::to_string(r.steps) + " steps of tiny_vae's VAE on " + std::to_string(r.images) +
             " Fashion-MNIST images, on your functions (" + std::to_string(calls) +
             " calls): every loss equals the library run's to 1e-10 (relative)\n";
  return res;
}

}  // namespace

Exercise capstone_vae_exercise(const Info& info) {
  Info i = info;
  i.needs = kNeeds;
  Exercise e{i, CapstoneParts{"student"}, {}, {}, {}};
  e.check = [](const std::any& fn) { return check_vae(fn); };
  // Grading: another seed for the weights and the noise; the output is the loss curve.
  e.make_inputs = [](unsigned seed) { return Json{{"seed", seed % 100000u + 7u}, {"steps", 6}}.dump(); };
  e.run = [](const std::any& fn, const std::string& text) {
    const Json j = Json::parse(text);
    Run r;
    r.seed = j.at("seed").get<unsigned>();
    r.steps = j.at("steps").get<int>();
    long calls = 0;
    return Json(your_curve(r, data_for(r), parts_of(fn), calls)).dump();
  };
  return e;
}

}  // namespace course
