// klgrad/models/vae.hpp — the variational autoencoder of pytorch/examples.
//
//   encoder  x (N, 784) -> h = relu(fc1 x) (N, 400) -> mu = fc21 h, logvar = fc22 h   (N, 20) each
//   sample   z = mu + eps * exp(logvar / 2),  eps ~ N(0, I) drawn once per forward
//            (the reparameterization trick: z is a differentiable function of mu, logvar)
//   decoder  z -> relu(fc3 z) (N, 400) -> logits = fc4 (N, 784),  x_hat = sigmoid(logits)
//
// Loss per batch (nats, summed over the batch):
//   recon = BCE(x_hat, x) summed = binary_cross_entropy_with_logits(logits, x, sum)
//           (the same value as sigmoid + BCE, without log(0) trouble)
//   kl    = KL(N(mu, sigma^2) || N(0, I)) summed = -1/2 sum(1 + logvar - mu^2 - exp(logvar))
//   loss  = recon + beta kl
// The KL term pulls every encoding toward the prior N(0, I): that is what makes
// decoding a random z ~ N(0, I) give a plausible image.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "klgrad/nn.hpp"

namespace klgrad {

template <class T>
struct VAE {
  std::size_t input, hidden, latent;
  Linear<T> fc1, fc21, fc22, fc3, fc4;

  VAE(std::size_t input, std::size_t hidden, std::size_t latent, Generator& gen);

  std::vector<Parameter<T>*> parameters();

  struct Output {
    Tensor<T> logits, mu, logvar;  // decoder logits (N, input); posterior mean and log-variance (N, latent)
    Tensor<T> recon, kl, loss;     // summed over the batch
  };
  // The encoder: x (N, input) -> (mu, logvar), each (N, latent).
  std::pair<Tensor<T>, Tensor<T>> encode(Tape<T>& tape, const Tensor<T>& x);
  // One forward pass over x (N, input) in [0, 1], with eps (N, latent) ~ N(0, I).
  Output forward(Tape<T>& tape, const Tensor<T>& x, const Array<T>& eps, T beta = T(1));
  // Decodes z (N, latent) to probabilities (N, input), without a graph.
  Array<T> decode(const Array<T>& z);
};

// The closed-form KL of the encoder's posterior to the prior, summed:
// -1/2 sum(1 + logvar - mu^2 - exp(logvar)) = sum_i KL(N(mu_i, exp(logvar_i)) || N(0, 1)).
template <class T>
Tensor<T> gaussian_kl_to_standard(const Tensor<T>& mu, const Tensor<T>& logvar);

}  // namespace klgrad
