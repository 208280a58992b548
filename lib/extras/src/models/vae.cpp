#include "klgrad/models/vae.hpp"

#include "klgrad/debug.hpp"

#include <tuple>

#include "klgrad/losses/bce.hpp"

namespace klgrad {

template <class T>
VAE<T>::VAE(std::size_t in, std::size_t hid, std::size_t lat, Generator& gen)
    : input(in), hidden(hid), latent(lat),
      fc1(in, hid, gen, "fc1"), fc21(hid, lat, gen, "fc21"), fc22(hid, lat, gen, "fc22"),
      fc3(lat, hid, gen, "fc3"), fc4(hid, in, gen, "fc4") {
  KLGRAD_CHECK(in > 0 && hid > 0 && lat > 0, "VAE: input, hidden and latent sizes must be >= 1, got " + std::to_string(in) +
                                          ", " + std::to_string(hid) + ", " + std::to_string(lat));
}

template <class T>
std::vector<Parameter<T>*> VAE<T>::parameters() {
  std::vector<Parameter<T>*> p;
  for (Linear<T>* l : {&fc1, &fc21, &fc22, &fc3, &fc4}) l->collect(p);
  return p;
}

template <class T>
Tensor<T> gaussian_kl_to_standard(const Tensor<T>& mu, const Tensor<T>& logvar) {
  return sum(T(1) + logvar - mu * mu - exp(logvar)) * T(-0.5);
}

template <class T>
std::pair<Tensor<T>, Tensor<T>> VAE<T>::encode(Tape<T>& tape, const Tensor<T>& x) {
  KLGRAD_CHECK(x.dim() == 2 && x.shape()[1] == input, "VAE: input batch " + shape_str(x.shape()) + " must be (N, " +
                                                          std::to_string(input) + ")");
  KLGRAD_SCOPE("VAE encoder");
  Tensor<T> h = relu(fc1(tape, x));
  return {fc21(tape, h), fc22(tape, h)};
}

template <class T>
typename VAE<T>::Output VAE<T>::forward(Tape<T>& tape, const Tensor<T>& x, const Array<T>& eps, T beta) {
  KLGRAD_CHECK(eps.shape() == Shape({x.shape()[0], latent}), "VAE: eps " + shape_str(eps.shape()) + " must be (" +
                                                          std::to_string(x.shape()[0]) + ", " + std::to_string(latent) + ")");
  Output o;
  std::tie(o.mu, o.logvar) = encode(tape, x);
  Tensor<T> z;
  {
    KLGRAD_SCOPE("VAE reparameterize: z = mu + eps exp(logvar / 2)");
    z = o.mu + tape.constant_view(eps) * exp(o.logvar * T(0.5));
  }
  {
    KLGRAD_SCOPE("VAE decoder");
    o.logits = fc4(tape, relu(fc3(tape, z)));
  }
  KLGRAD_SCOPE("VAE loss: recon + beta KL(N(mu, sigma^2) || N(0, I))");
  o.recon = binary_cross_entropy_with_logits(o.logits, x, Reduction::sum);
  o.kl = gaussian_kl_to_standard(o.mu, o.logvar);
  o.loss = beta == T(1) ? o.recon + o.kl : o.recon + o.kl * beta;
  return o;
}

template <class T>
Array<T> VAE<T>::decode(const Array<T>& z) {
  Tape<T> tape;
  NoGrad ng;
  return sigmoid(fc4(tape, relu(fc3(tape, tape.constant_view(z))))).value();
}

template struct VAE<float>;
template struct VAE<double>;
template Tensor<float> gaussian_kl_to_standard(const Tensor<float>&, const Tensor<float>&);
template Tensor<double> gaussian_kl_to_standard(const Tensor<double>&, const Tensor<double>&);

}  // namespace klgrad
