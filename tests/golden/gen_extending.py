"""Reference values for the docs/EXTENDING.md examples: js_div, alpha_div and Laplace.

PyTorch has no JS or alpha-divergence loss, so both are composed here from
torch primitives exactly as their definitions read (autograd gives the
gradients); Laplace and KL(Laplace || Laplace) come from torch.distributions.
Run: /usr/bin/python3 tests/golden/generate.py gen_extending
"""
import torch
import torch.nn.functional as F
from torch.distributions import Laplace, kl_divergence

DTYPES = [(torch.float64, "float64"), (torch.float32, "float32")]
REDUCTIONS = ["none", "sum", "batchmean"]
ALPHAS = [-0.5, 0.0, 0.25, 0.5, 0.9, 1.0, 2.0]


def reduce(terms, red):
    if red == "none":
        return terms
    s = terms.sum()
    return s / terms.shape[0] if red == "batchmean" else s


def js_terms(x, p):
    """1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, elementwise (kl_div's terms)."""
    q = x.exp()
    log_m = ((p + q) / 2).log()
    return 0.5 * F.kl_div(log_m, p, reduction="none") + 0.5 * F.kl_div(log_m, q, reduction="none")


def alpha_terms(x, p, a):
    """(p^a q^(1-a) - a p - (1 - a) q) / (a (a - 1)); the KL limits at a = 1 and a = 0."""
    q = x.exp()
    if a == 1.0:
        return p * (p.log() - x) - p + q
    if a == 0.0:
        return q * (x - p.log()) - q + p
    return (p ** a * q ** (1 - a) - a * p - (1 - a) * q) / (a * (a - 1))


def loss_case(w, k, fn, dtype, red, seed):
    """x = log Q (4, 5), p = P (4, 5), both rows normalised; writes out and grads for a random seed gradient."""
    g = torch.Generator().manual_seed(seed)
    x = F.log_softmax(torch.randn(4, 5, generator=g, dtype=dtype), 1).detach().requires_grad_()
    p = torch.softmax(2 * torch.randn(4, 5, generator=g, dtype=dtype), 1).detach().requires_grad_()
    y = reduce(fn(x, p), red)
    sd = torch.randn(y.shape, generator=g, dtype=dtype)
    y.backward(sd)
    for name, v in [("input", x), ("target", p), ("seed", sd), ("out", y), ("grad_input", x.grad),
                    ("grad_target", p.grad)]:
        w.put(k + name, v)


def losses(w):
    for dtype, tag in DTYPES:
        for red in REDUCTIONS:
            loss_case(w, "js/%s/%s/" % (tag, red), js_terms, dtype, red, 5)
            for a in ALPHAS:
                loss_case(w, "alpha/%s/%s/%r/" % (tag, red, a), lambda x, p: alpha_terms(x, p, a), dtype, red, 6)
    # Zeros in the target (one-hot data): forward values only (the p-gradient is -inf there).
    x = F.log_softmax(torch.tensor([[0.3, -1.0, 2.0], [0.0, 0.5, -0.5]], dtype=torch.float64), 1)
    p = torch.tensor([[0.0, 0.0, 1.0], [0.5, 0.0, 0.5]], dtype=torch.float64)
    w.put("zeros/input", x)
    w.put("zeros/target", p)
    w.put("zeros/js", torch.where(p > 0, js_terms(x, p), 0.5 * x.exp() * torch.log(torch.tensor(2.0, dtype=torch.float64))))
    for a in [0.25, 0.5, 2.0]:
        w.put("zeros/alpha/%r" % a, alpha_terms(x, p, a))


def laplace(w):
    for dtype, tag in DTYPES:
        g = torch.Generator().manual_seed(8)
        leaf = lambda v: v.detach().clone().requires_grad_()
        k = "laplace/%s/" % tag
        loc = leaf(torch.randn(3, 4, generator=g, dtype=dtype))
        scale = leaf(torch.exp(0.5 * torch.randn(3, 4, generator=g, dtype=dtype)))
        value = 2 * torch.randn(2, 3, 4, generator=g, dtype=dtype)
        d = Laplace(loc, scale)
        for name, v in [("loc", loc), ("scale", scale), ("value", value)]:
            w.put(k + name, v)
        for what, out in [("log_prob", d.log_prob(value)), ("entropy", d.entropy())]:
            sd = torch.randn(out.shape, generator=g, dtype=dtype)
            gl, gs = torch.autograd.grad((out * sd).sum(), [loc, scale], allow_unused=True)
            gl = torch.zeros_like(loc) if gl is None else gl  # entropy does not depend on loc
            for name, v in [("out", out), ("seed", sd), ("grad_loc", gl), ("grad_scale", gs)]:
                w.put(k + what + "/" + name, v)
        # KL(p || q) for a (3, 4) batch, with equal locations in row 0 (delta = 0).
        q_loc = leaf(torch.cat([loc[:1].detach(), torch.randn(2, 4, generator=g, dtype=dtype)]))
        q_scale = leaf(torch.exp(0.5 * torch.randn(3, 4, generator=g, dtype=dtype)))
        out = kl_divergence(Laplace(loc, scale), Laplace(q_loc, q_scale))
        sd = torch.randn(out.shape, generator=g, dtype=dtype)
        grads = torch.autograd.grad((out * sd).sum(), [loc, scale, q_loc, q_scale])
        for name, v in [("q_loc", q_loc), ("q_scale", q_scale), ("kl/out", out), ("kl/seed", sd)]:
            w.put(k + name, v)
        for name, v in zip(["p_loc", "p_scale", "q_loc", "q_scale"], grads):
            w.put(k + "kl/grad_" + name, v)


def generate(w):
    losses(w)
    laplace(w)
