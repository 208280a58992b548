"""Reference values of the distribution zoo's first slice (issue 14): Exponential,
Gamma, Beta and Uniform (log_prob, entropy, mean, variance and their gradients
w.r.t. every parameter) and every KL pair PyTorch 1.13 registers among them (the
KL and its gradient w.r.t. every parameter of p and q), in float64
(tests/distributions/test_zoo.cpp).

Keys: <family>/<param>, <family>/value, <family>/<what>/{out,seed,grad_<param>};
kl/<p>_<q>/{p_<param>,q_<param>}, kl/<p>_<q>/kl/{out,seed,grad_p_<param>,grad_q_<param>};
edge/... for the 0 log 0 cases where PyTorch's own formula gives NaN.
"""
import mpmath
import torch
from torch.distributions import Beta, Exponential, Gamma, Uniform, kl_divergence

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


def pair_params(g, pf, qf):
    """p's parameters (2, 3), q's (3,) (Uniform || Uniform, Beta || Uniform: both (2, 3)), chosen so that
    the pairs with a support condition have both finite and infinite elements."""
    p, q = family_params(g, pf), family_params(g, qf)
    u = lambda *s: torch.rand(*s, generator=g, dtype=D)
    if pf == "uniform" and qf == "uniform":
        q = {"low": p["low"] - 0.5 * torch.randn(2, 3, generator=g, dtype=D) - 0.3,
             "high": p["high"] + 0.5 * torch.randn(2, 3, generator=g, dtype=D) + 0.3}
    elif pf == "uniform" and qf in ("exponential", "gamma"):
        low = 0.5 * torch.randn(2, 3, generator=g, dtype=D) + 0.3  # some below 0: inf
        p = {"low": low, "high": low + torch.exp(torch.randn(2, 3, generator=g, dtype=D))}
    elif pf == "uniform" and qf == "beta":
        low = 0.7 * u(2, 3) - 0.15  # some below 0: inf
        p = {"low": low, "high": low + 0.1 + 0.6 * u(2, 3)}  # some above 1: inf
    elif pf == "beta" and qf == "uniform":
        # (2, 3), not (3,): PyTorch's result[mask] = inf needs the mask (q's shape) to be
        # the result's shape, so it cannot broadcast a (3,) q here (IndexError)
        q = {"low": 0.5 * u(2, 3) * torch.tensor([-1.0, 1.0, -1.0], dtype=D),
             "high": 1 + 0.5 * u(2, 3) * torch.tensor([1.0, 1.0, -1.0], dtype=D)}
    return p, q


def pairs(w, g):
    registered = sorted((p.__name__.lower(), q.__name__.lower()) for p, q in torch.distributions.kl._KL_REGISTRY
                        if p.__name__.lower() in PARAMS and q.__name__.lower() in PARAMS)
    w.put("kl/count", len(registered))
    for pf, qf in registered:
        k = "kl/%s_%s" % (pf, qf)
        pv, qv = pair_params(g, pf, qf)
        ps = {"p_" + n: leaf(v) for n, v in pv.items()}
        ps.update({"q_" + n: leaf(v) for n, v in qv.items()})
        for n, v in ps.items():
            w.put(k + "/" + n, v)
        p = CLASSES[pf](*[ps["p_" + n] for n in PARAMS[pf]])
        q = CLASSES[qf](*[ps["q_" + n] for n in PARAMS[qf]])
        kl = kl_divergence(p, q)
        grads(w, k + "/kl", kl, ps, torch.randn(*kl.shape, generator=g, dtype=D))


def edges(w):
    """0 log 0 at the ends of the support. PyTorch's _x_log_x(t) = t log t is NaN at
    t = 0; the KL itself is finite. References from formulas PyTorch evaluates
    without that term: KL(U(0, h) || Gamma(1, r)) = KL(U(0, h) || Exp(r)), and
    KL(U(0, 1) || Beta(a, b)) = (a - 1) + (b - 1) + log B(a, b) (E log X = E log(1 - X) = -1)."""
    t = lambda v: torch.tensor(v, dtype=D)
    h, r = t([0.5, 1.0, 3.0]), t([0.7, 1.0, 2.0])
    w.put("edge/uniform0_gamma1/high", h)
    w.put("edge/uniform0_gamma1/rate", r)
    w.put("edge/uniform0_gamma1/kl", kl_divergence(Uniform(torch.zeros(3, dtype=D), h), Exponential(r)))
    w.put("edge/uniform0_gamma1/torch", kl_divergence(Uniform(torch.zeros(3, dtype=D), h), Gamma(torch.ones(3, dtype=D), r)))
    a, b = t([0.5, 2.0, 3.5]), t([1.5, 0.8, 2.0])
    w.put("edge/uniform01_beta/a", a)
    w.put("edge/uniform01_beta/b", b)
    w.put("edge/uniform01_beta/kl", (a - 1) + (b - 1) + torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b))
    w.put("edge/uniform01_beta/torch", kl_divergence(Uniform(torch.zeros(3, dtype=D), torch.ones(3, dtype=D)), Beta(a, b)))


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
    pairs(w, g)
    edges(w)
