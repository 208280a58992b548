"""Reference values of the distribution zoo's first slice (issue 14): Exponential,
Gamma, Beta and Uniform (log_prob, entropy, mean, variance and their gradients
w.r.t. every parameter), in float64, and the special functions
(tests/distributions/test_zoo.cpp).

Keys: <family>/<param>, <family>/value, <family>/<what>/{out,seed,grad_<param>};
special/{x,lgamma,digamma,trigamma,trigamma_mpmath}.
"""
import mpmath
import torch
from torch.distributions import Beta, Exponential, Gamma, Uniform

D = torch.float64
PARAMS = {"exponential": ["rate"], "gamma": ["concentration", "rate"],
          "beta": ["concentration1", "concentration0"], "uniform": ["low", "high"]}
CLASSES = {"exponential": Exponential, "gamma": Gamma, "beta": Beta, "uniform": Uniform}


def leaf(x):
    return x.detach().clone().requires_grad_()


def grads(w, key, out, params, seed):
    """Writes out, the seed and d(sum(out * seed))/d param (zeros where no gradient reaches it)."""
    w.put(key + "/out", out)
    w.put(key + "/seed", seed)
    names = list(params)
    if out.requires_grad:
        gs = torch.autograd.grad((out * seed).sum(), [params[n] for n in names], allow_unused=True, retain_graph=True)
    else:  # e.g. PyTorch's all-inf KL, full_like(p's parameter, inf)
        gs = [None] * len(names)
    for n, g in zip(names, gs):
        w.put(key + "/grad_" + n, torch.zeros_like(params[n]) if g is None else g)


def positive(g, *shape):
    return torch.exp(0.7 * torch.randn(*shape, generator=g, dtype=D))


def family_params(g, fam):
    """First parameter (2, 3), second (3,): the batch shape (2, 3) comes from broadcasting."""
    if fam == "exponential":
        return {"rate": positive(g, 2, 3)}
    if fam == "gamma":
        return {"concentration": positive(g, 2, 3), "rate": positive(g, 3)}
    if fam == "beta":
        return {"concentration1": positive(g, 2, 3), "concentration0": positive(g, 3)}
    low = torch.randn(2, 3, generator=g, dtype=D)
    return {"low": low, "high": low.max(0).values + torch.exp(torch.randn(3, generator=g, dtype=D))}


def families(w, g):
    for fam, names in PARAMS.items():
        ps = {n: leaf(v) for n, v in family_params(g, fam).items()}
        for n in names:
            w.put("%s/%s" % (fam, n), ps[n])
        d = CLASSES[fam](*[ps[n] for n in names], validate_args=False)
        torch.manual_seed(14)
        value = d.sample((4,))
        if fam == "uniform":  # two values outside [low, high): log_prob -inf
            value[0, 0, 0] = d.low[0, 0] - 0.5
            value[1, 1, 2] = d.high[1, 2] + 0.5
        w.put(fam + "/value", value)
        grads(w, fam + "/log_prob", d.log_prob(value), ps, torch.randn(4, 2, 3, generator=g, dtype=D))
        for what in ["entropy", "mean", "variance"]:
            out = d.entropy() if what == "entropy" else getattr(d, what)
            grads(w, "%s/%s" % (fam, what), out, ps, torch.randn(2, 3, generator=g, dtype=D))


def special(w, g):
    """lgamma, digamma and their derivatives digamma, trigamma (polygamma(1, .)), at
    positive points across the range the distributions use and at negative non-integers."""
    x = torch.cat([torch.exp(3 * torch.randn(20, generator=g, dtype=D)), torch.tensor([1e-3, 0.5, 1.0, 2.0, 30.5, 170.0], dtype=D),
                   -4 * torch.rand(6, generator=g, dtype=D)])
    w.put("special/x", x)
    w.put("special/lgamma", torch.lgamma(x))
    w.put("special/digamma", torch.digamma(x))
    w.put("special/trigamma", torch.polygamma(1, x))
    # PyTorch's polygamma(1, .) is accurate to ~5e-10 relative only (its CPU series);
    # mpmath at 40 digits is the reference the tests hold klgrad's trigamma to.
    mpmath.mp.dps = 40
    w.put("special/trigamma_mpmath", torch.tensor([float(mpmath.psi(1, v)) for v in x.tolist()], dtype=D))


def generate(w):
    g = torch.Generator().manual_seed(14)
    special(w, g)
    families(w, g)
