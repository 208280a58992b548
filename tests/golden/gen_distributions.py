"""Reference values of torch.distributions: log_prob, entropy, kl_divergence and
their gradients w.r.t. the parameters, for Normal, Categorical, Bernoulli and
Independent, in float64 and float32 (tests/distributions/)."""
import torch
from torch.distributions import Bernoulli, Categorical, Independent, Normal, kl_divergence


def grads(w, key, out, params, seed):
    """Writes out, the seed, and d(sum(out * seed))/d param for each named param."""
    w.put(key + "/out", out)
    w.put(key + "/seed", seed)
    names = list(params)
    gs = torch.autograd.grad((out * seed).sum(), [params[n] for n in names], allow_unused=True, retain_graph=True)
    for n, g in zip(names, gs):
        w.put(key + "/grad_" + n, torch.zeros_like(params[n]) if g is None else g)


def leaf(x):
    return x.detach().clone().requires_grad_()


def tutorial(w):
    # The tutorial's value KL(N(0, 1) || N(1, 1.5)) = 0.3499, and the reverse direction.
    for dtype, tag in [(torch.float64, "float64"), (torch.float32, "float32")]:
        t = lambda v: torch.tensor(v, dtype=dtype)
        w.put("tutorial/%s/kl_pq" % tag, kl_divergence(Normal(t(0.0), t(1.0)), Normal(t(1.0), t(1.5))))
        w.put("tutorial/%s/kl_qp" % tag, kl_divergence(Normal(t(1.0), t(1.5)), Normal(t(0.0), t(1.0))))


def normal_cases(w, g, dtype, tag):
    k = tag + "/normal"
    loc = leaf(torch.randn(3, 4, generator=g, dtype=dtype))
    scale = leaf(torch.exp(0.5 * torch.randn(3, 4, generator=g, dtype=dtype)))
    value = torch.randn(2, 3, 4, generator=g, dtype=dtype) * 2
    w.put(k + "/loc", loc)
    w.put(k + "/scale", scale)
    w.put(k + "/value", value)
    d = Normal(loc, scale)
    grads(w, k + "/log_prob", d.log_prob(value), {"loc": loc, "scale": scale},
          torch.randn(2, 3, 4, generator=g, dtype=dtype))
    grads(w, k + "/entropy", d.entropy(), {"loc": loc, "scale": scale}, torch.randn(3, 4, generator=g, dtype=dtype))

    # broadcasting parameters: loc (3, 1), scale (4,) -> batch (3, 4)
    kb = tag + "/normal_bcast"
    bloc = leaf(torch.randn(3, 1, generator=g, dtype=dtype))
    bscale = leaf(torch.exp(0.5 * torch.randn(4, generator=g, dtype=dtype)))
    w.put(kb + "/loc", bloc)
    w.put(kb + "/scale", bscale)
    w.put(kb + "/value", value)
    grads(w, kb + "/log_prob", Normal(bloc, bscale).log_prob(value), {"loc": bloc, "scale": bscale},
          torch.randn(2, 3, 4, generator=g, dtype=dtype))

    # KL(p || q), all four parameters
    kk = tag + "/normal_kl"
    ps = {n: leaf(v) for n, v in [
        ("p_loc", torch.randn(3, 4, generator=g, dtype=dtype)),
        ("p_scale", torch.exp(0.5 * torch.randn(3, 4, generator=g, dtype=dtype))),
        ("q_loc", torch.randn(3, 4, generator=g, dtype=dtype)),
        ("q_scale", torch.exp(0.5 * torch.randn(3, 4, generator=g, dtype=dtype)))]}
    for n, v in ps.items():
        w.put(kk + "/" + n, v)
    kl = kl_divergence(Normal(ps["p_loc"], ps["p_scale"]), Normal(ps["q_loc"], ps["q_scale"]))
    grads(w, kk + "/kl", kl, ps, torch.randn(3, 4, generator=g, dtype=dtype))

    # Independent(Normal, 1): log_prob (2, 3), entropy (3,), KL (3,)
    ki = tag + "/independent"
    p = Independent(Normal(ps["p_loc"], ps["p_scale"]), 1)
    q = Independent(Normal(ps["q_loc"], ps["q_scale"]), 1)
    grads(w, ki + "/log_prob", p.log_prob(value), {"p_loc": ps["p_loc"], "p_scale": ps["p_scale"]},
          torch.randn(2, 3, generator=g, dtype=dtype))
    grads(w, ki + "/entropy", p.entropy(), {"p_loc": ps["p_loc"], "p_scale": ps["p_scale"]},
          torch.randn(3, generator=g, dtype=dtype))
    grads(w, ki + "/kl", kl_divergence(p, q), ps, torch.randn(3, generator=g, dtype=dtype))


def categorical_params(g, dtype):
    probs = torch.rand(3, 5, generator=g, dtype=dtype) * 2  # unnormalised rows
    probs[0, 1] = 0.0
    probs[1, 3] = 0.0
    logits = torch.randn(3, 5, generator=g, dtype=dtype) * 2
    return probs, logits


def categorical_cases(w, g, dtype, tag):
    probs, logits = categorical_params(g, dtype)
    value = torch.randint(0, 5, (2, 3), generator=g).to(dtype)
    value[0, 0] = 1  # row 0, class 1 has probability 0
    for kind, param in [("probs", probs), ("logits", logits)]:
        k = "%s/categorical_%s" % (tag, kind)
        x = leaf(param)
        d = Categorical(**{kind: x})
        w.put(k + "/param", x)
        w.put(k + "/value", value)
        grads(w, k + "/log_prob", d.log_prob(value), {"param": x}, torch.randn(2, 3, generator=g, dtype=dtype))
        grads(w, k + "/entropy", d.entropy(), {"param": x}, torch.randn(3, generator=g, dtype=dtype))

    # KL between every parameterisation pair; probs with zeros give the inf / 0 terms
    q_probs = torch.rand(3, 5, generator=g, dtype=dtype)
    q_probs[0, 2] = 0.0  # q = 0 < p: inf
    q_probs[1, 3] = 0.0  # q = 0 = p: 0
    q_logits = torch.randn(3, 5, generator=g, dtype=dtype)
    for pk, pv in [("probs", probs), ("logits", logits)]:
        for qk, qv in [("probs", q_probs), ("logits", q_logits)]:
            k = "%s/categorical_kl/%s_%s" % (tag, pk, qk)
            p, q = leaf(pv), leaf(qv)
            w.put(k + "/p", p)
            w.put(k + "/q", q)
            kl = kl_divergence(Categorical(**{pk: p}), Categorical(**{qk: q}))
            grads(w, k + "/kl", kl, {"p": p, "q": q}, torch.randn(3, generator=g, dtype=dtype))


def bernoulli_cases(w, g, dtype, tag):
    probs = torch.rand(3, 4, generator=g, dtype=dtype)
    probs[0, 0] = 0.0
    probs[1, 1] = 1.0
    logits = torch.randn(3, 4, generator=g, dtype=dtype) * 3
    value = (torch.rand(2, 3, 4, generator=g, dtype=dtype) < 0.5).to(dtype)
    for kind, param in [("probs", probs), ("logits", logits)]:
        k = "%s/bernoulli_%s" % (tag, kind)
        x = leaf(param)
        d = Bernoulli(**{kind: x})
        w.put(k + "/param", x)
        w.put(k + "/value", value)
        grads(w, k + "/log_prob", d.log_prob(value), {"param": x}, torch.randn(2, 3, 4, generator=g, dtype=dtype))
        grads(w, k + "/entropy", d.entropy(), {"param": x}, torch.randn(3, 4, generator=g, dtype=dtype))

    q_probs = torch.rand(3, 4, generator=g, dtype=dtype)
    q_probs[0, 1] = 0.0  # q = 0 < p: inf
    q_probs[2, 2] = 1.0  # q = 1 > p: inf
    q_probs[0, 0] = 0.0  # q = 0 = p: 0
    q_logits = torch.randn(3, 4, generator=g, dtype=dtype) * 3
    for pk, pv in [("probs", probs), ("logits", logits)]:
        for qk, qv in [("probs", q_probs), ("logits", q_logits)]:
            k = "%s/bernoulli_kl/%s_%s" % (tag, pk, qk)
            p, q = leaf(pv), leaf(qv)
            w.put(k + "/p", p)
            w.put(k + "/q", q)
            kl = kl_divergence(Bernoulli(**{pk: p}), Bernoulli(**{qk: q}))
            grads(w, k + "/kl", kl, {"p": p, "q": q}, torch.randn(3, 4, generator=g, dtype=dtype))


def generate(w):
    tutorial(w)
    for dtype, tag in [(torch.float64, "float64"), (torch.float32, "float32")]:
        g = torch.Generator().manual_seed(11)
        normal_cases(w, g, dtype, tag)
        categorical_cases(w, g, dtype, tag)
        bernoulli_cases(w, g, dtype, tag)
