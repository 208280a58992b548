// klgrad — a small, readable reverse-mode autodiff engine that teaches
// KL-divergence minimization.  #include "klgrad/klgrad.hpp" for everything.
//
//   klgrad::Tape<float> tape;                        // one step's graph
//   klgrad::Parameter<float> logits(xt::zeros<float>({1, 3}));
//   auto q = tape.constant(klgrad::Array<float>{{0.7f, 0.2f, 0.1f}});
//   auto loss = klgrad::kl_div(klgrad::log_softmax(tape.param(logits), 1), q, "batchmean");
//   loss.backward();                                 // logits.grad = softmax(logits) - q
//   tape.clear();                                    // the step's graph dies here
//
// Reading order: tape.hpp (the engine), ops.hpp (primitives), losses/kl_div.hpp
// (the model loss node), optim.hpp, distributions.hpp, nn.hpp,
// models/vae.hpp and models/vae_trainer.hpp (the VAE), data/ and io/ (files).
#pragma once

#include "klgrad/data/idx.hpp"
#include "klgrad/debug.hpp"
#include "klgrad/distributions.hpp"
#include "klgrad/distributions/beta.hpp"
#include "klgrad/distributions/exponential.hpp"
#include "klgrad/distributions/gamma.hpp"
#include "klgrad/distributions/kl_zoo.hpp"
#include "klgrad/distributions/laplace.hpp"
#include "klgrad/distributions/linalg.hpp"
#include "klgrad/distributions/low_rank_multivariate_normal.hpp"
#include "klgrad/distributions/monte_carlo.hpp"
#include "klgrad/distributions/multivariate_normal.hpp"
#include "klgrad/distributions/special.hpp"
#include "klgrad/distributions/uniform.hpp"
#include "klgrad/error.hpp"
#include "klgrad/gradcheck.hpp"
#include "klgrad/io/npz.hpp"
#include "klgrad/io/png.hpp"
#include "klgrad/losses/bce.hpp"
#include "klgrad/losses/cross_entropy.hpp"
#include "klgrad/losses/alpha_div.hpp"
#include "klgrad/losses/js_div.hpp"
#include "klgrad/losses/kl_div.hpp"
#include "klgrad/losses/mse.hpp"
#include "klgrad/losses/nll.hpp"
#include "klgrad/losses/reduction.hpp"
#include "klgrad/losses/registry.hpp"
#include "klgrad/nn.hpp"
#include "klgrad/ops.hpp"
#include "klgrad/optim.hpp"
#include "klgrad/random.hpp"
#include "klgrad/tape.hpp"
#include "klgrad/xt.hpp"
