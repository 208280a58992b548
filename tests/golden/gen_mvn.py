"""Reference values of MultivariateNormal and LowRankMultivariateNormal (issue 14): log_prob, entropy, mean,
variance, covariance_matrix, precision_matrix and KL(MVN || MVN), with their
gradients w.r.t. loc and the matrix, for each of the three parameterisations
(scale_tril, covariance_matrix, precision_matrix), in float64
(tests/distributions/test_mvn.cpp).

Shapes: a distribution's loc (3, 1, 3) against a matrix batch (2, 3, 3), so its
batch_shape (3, 2) comes from broadcasting; values (4, 3, 2, 3). In the KL pairs
p has loc (3,) and matrices (2, 3, 3), q has loc (4, 1, 3) and one (3, 3)
matrix: the KL has shape (4, 2).

Gradients w.r.t. a covariance or precision matrix: PyTorch's are symmetric
(cholesky's backward); the tests compare symmetrised gradients, and also the
gradient w.r.t. a leaf A of a matrix built as A A^T + I inside the graph
(keys .../via_A/...), which has no symmetric-gradient ambiguity.

Keys: mvn/<kind>/{loc,matrix,A,value}, mvn/<kind>/<what>/{out,seed,grad_loc,grad_matrix},
mvn/<kind>/via_A/<what>/{out,seed,grad_loc,grad_A};
kl/<p kind>_<q kind>/{p_loc,p_matrix,q_loc,q_matrix}, kl/<p>_<q>/kl/{out,seed,grad_p_loc,grad_p_matrix,grad_q_loc,grad_q_matrix};
kl_via_A/{p_loc,p_A,q_loc,q_A}, kl_via_A/kl/{out,seed,grad_p_loc,grad_p_A,grad_q_loc,grad_q_A} (p covariance, q precision).
LowRankMultivariateNormal and its three pairs with MVN: see the section below.
"""
import torch
from torch.distributions import LowRankMultivariateNormal, MultivariateNormal, kl_divergence

D = torch.float64
KINDS = ["scale_tril", "covariance_matrix", "precision_matrix"]
WHATS = ["log_prob", "entropy", "mean", "variance", "covariance_matrix", "precision_matrix"]


def leaf(x):
    return x.detach().clone().requires_grad_()


def grads(w, key, out, params, seed):
    """Writes out, the seed and d(sum(out * seed))/d param (zeros where no gradient reaches it)."""
    w.put(key + "/out", out)
    w.put(key + "/seed", seed)
    names = list(params)
    gs = torch.autograd.grad((out * seed).sum(), [params[n] for n in names], allow_unused=True, retain_graph=True)
    for n, g in zip(names, gs):
        w.put(key + "/grad_" + n, torch.zeros_like(params[n]) if g is None else g)


def spd_from(A):
    """A A^T + I: symmetric positive-definite for any A."""
    return A @ A.mT + torch.eye(A.shape[-1], dtype=D)


def matrix(g, kind, *batch):
    """A valid matrix of `kind` (n = 3) and the A it is built from (None for scale_tril)."""
    if kind == "scale_tril":
        raw = torch.randn(*batch, 3, 3, generator=g, dtype=D)
        return raw.tril(-1) + torch.diag_embed(torch.exp(0.5 * raw.diagonal(dim1=-2, dim2=-1))), None
    A = torch.randn(*batch, 3, 3, generator=g, dtype=D)
    return spd_from(A), A


def build(loc, kind, m):
    return MultivariateNormal(loc, **{kind: m})


def output(d, what, value):
    if what == "log_prob":
        return d.log_prob(value)
    if what == "entropy":
        return d.entropy()
    return getattr(d, what)


def families(w, g):
    for kind in KINDS:
        k = "mvn/" + kind
        loc0 = torch.randn(3, 1, 3, generator=g, dtype=D)
        m0, A0 = matrix(g, kind, 2)
        w.put(k + "/loc", loc0)
        w.put(k + "/matrix", m0)
        torch.manual_seed(14)
        value = build(loc0, kind, m0).sample((4,))
        w.put(k + "/value", value)
        ps = {"loc": leaf(loc0), "matrix": leaf(m0)}
        d = build(ps["loc"], kind, ps["matrix"])
        for what in WHATS:
            out = output(d, what, value)
            grads(w, "%s/%s" % (k, what), out, ps, torch.randn(*out.shape, generator=g, dtype=D))
        if A0 is None:
            continue
        w.put(k + "/A", A0)
        ps = {"loc": leaf(loc0), "A": leaf(A0)}
        d = build(ps["loc"], kind, spd_from(ps["A"]))
        for what in WHATS:
            out = output(d, what, value)
            grads(w, "%s/via_A/%s" % (k, what), out, ps, torch.randn(*out.shape, generator=g, dtype=D))


def pairs(w, g):
    w.put("kl/count", len([1 for p, q in torch.distributions.kl._KL_REGISTRY
                           if p is MultivariateNormal and q is MultivariateNormal]))
    for pk in KINDS:
        for qk in KINDS:
            k = "kl/%s_%s" % (pk, qk)
            pv = {"loc": torch.randn(3, generator=g, dtype=D), "matrix": matrix(g, pk, 2)[0]}
            qv = {"loc": torch.randn(4, 1, 3, generator=g, dtype=D), "matrix": matrix(g, qk)[0]}
            ps = {"p_" + n: leaf(v) for n, v in pv.items()}
            ps.update({"q_" + n: leaf(v) for n, v in qv.items()})
            for n, v in ps.items():
                w.put(k + "/" + n, v)
            kl = kl_divergence(build(ps["p_loc"], pk, ps["p_matrix"]), build(ps["q_loc"], qk, ps["q_matrix"]))
            grads(w, k + "/kl", kl, ps, torch.randn(*kl.shape, generator=g, dtype=D))
    k = "kl_via_A"
    ps = {"p_loc": torch.randn(3, generator=g, dtype=D), "p_A": torch.randn(2, 3, 3, generator=g, dtype=D),
          "q_loc": torch.randn(4, 1, 3, generator=g, dtype=D), "q_A": torch.randn(3, 3, generator=g, dtype=D)}
    ps = {n: leaf(v) for n, v in ps.items()}
    for n, v in ps.items():
        w.put(k + "/" + n, v)
    kl = kl_divergence(MultivariateNormal(ps["p_loc"], covariance_matrix=spd_from(ps["p_A"])),
                       MultivariateNormal(ps["q_loc"], precision_matrix=spd_from(ps["q_A"])))
    grads(w, k + "/kl", kl, ps, torch.randn(*kl.shape, generator=g, dtype=D))


# ---- LowRankMultivariateNormal (n = 3) ---------------------------------------------
# Keys: lowrank/{loc,cov_factor,cov_diag,value}, lowrank/<what>/{out,seed,grad_loc,grad_cov_factor,grad_cov_diag};
# kl/lowrank_lowrank/..., kl/<mvn kind>_lowrank/..., kl/lowrank_<mvn kind>/... with p_/q_ parameters as above.
# Shapes: the family has loc (2, 3), cov_factor (3, 2) (rank 2) and cov_diag (2, 1, 3): batch_shape (2, 2).
# In the pairs a LowRank p has loc (3,), cov_factor (2, 3, 2), cov_diag (3,); a LowRank q has
# loc (4, 1, 3), cov_factor (3, 1) (rank 1), cov_diag (4, 1, 3); the MVN sides are as in pairs().
LR_PARAMS = ["loc", "cov_factor", "cov_diag"]


def lowrank_p(g):
    return {"loc": torch.randn(3, generator=g, dtype=D), "cov_factor": torch.randn(2, 3, 2, generator=g, dtype=D),
            "cov_diag": torch.exp(0.5 * torch.randn(3, generator=g, dtype=D))}


def lowrank_q(g):
    return {"loc": torch.randn(4, 1, 3, generator=g, dtype=D), "cov_factor": torch.randn(3, 1, generator=g, dtype=D),
            "cov_diag": torch.exp(0.5 * torch.randn(4, 1, 3, generator=g, dtype=D))}


def lowrank_family(w, g):
    k = "lowrank"
    v0 = {"loc": torch.randn(2, 3, generator=g, dtype=D), "cov_factor": torch.randn(3, 2, generator=g, dtype=D),
          "cov_diag": torch.exp(0.5 * torch.randn(2, 1, 3, generator=g, dtype=D))}
    for n in LR_PARAMS:
        w.put(k + "/" + n, v0[n])
    torch.manual_seed(14)
    value = LowRankMultivariateNormal(*[v0[n] for n in LR_PARAMS]).sample((4,))
    w.put(k + "/value", value)
    ps = {n: leaf(v0[n]) for n in LR_PARAMS}
    d = LowRankMultivariateNormal(*[ps[n] for n in LR_PARAMS])
    for what in WHATS + ["scale_tril"]:
        out = output(d, what, value)
        grads(w, "%s/%s" % (k, what), out, ps, torch.randn(*out.shape, generator=g, dtype=D))


def lowrank_pairs(w, g):
    w.put("kl/lowrank_count", len([1 for p, q in torch.distributions.kl._KL_REGISTRY
                                   if LowRankMultivariateNormal in (p, q)]))
    cases = [("lowrank", None, "lowrank", None)] + [(kind, kind, "lowrank", None) for kind in KINDS] + \
            [("lowrank", None, kind, kind) for kind in KINDS]
    for pname, pkind, qname, qkind in cases:
        k = "kl/%s_%s" % (pname, qname)
        if pkind is None:
            pv = lowrank_p(g)
        else:
            pv = {"loc": torch.randn(3, generator=g, dtype=D), "matrix": matrix(g, pkind, 2)[0]}
        if qkind is None:
            qv = lowrank_q(g)
        else:
            qv = {"loc": torch.randn(4, 1, 3, generator=g, dtype=D), "matrix": matrix(g, qkind)[0]}
        ps = {"p_" + n: leaf(v) for n, v in pv.items()}
        ps.update({"q_" + n: leaf(v) for n, v in qv.items()})
        for n, v in ps.items():
            w.put(k + "/" + n, v)

        def make(prefix, kind):
            if kind is None:
                return LowRankMultivariateNormal(*[ps[prefix + n] for n in LR_PARAMS])
            return build(ps[prefix + "loc"], kind, ps[prefix + "matrix"])

        kl = kl_divergence(make("p_", pkind), make("q_", qkind))
        grads(w, k + "/kl", kl, ps, torch.randn(*kl.shape, generator=g, dtype=D))


def pytorch_surprises(w):
    """LowRank || MVN expands diag(sqrt(p.cov_diag)) to the batch of q's scale_tril and p's
    cov_factor only: a p whose cov_diag has a larger batch than its cov_factor fails in PyTorch."""
    p = LowRankMultivariateNormal(torch.zeros(3, dtype=D), torch.ones(3, 1, dtype=D), torch.ones(2, 3, dtype=D))
    q = MultivariateNormal(torch.zeros(3, dtype=D), scale_tril=torch.eye(3, dtype=D))
    try:
        kl_divergence(p, q)
        fails = 0
    except RuntimeError:
        fails = 1
    w.put("surprise/lowrank_mvn_diag_batch_fails", fails)
    w.put("surprise/lowrank_mvn_diag_batch_kl", kl_divergence(
        LowRankMultivariateNormal(torch.zeros(3, dtype=D), torch.ones(2, 3, 1, dtype=D), torch.ones(2, 3, dtype=D)), q))


def generate(w):
    g = torch.Generator().manual_seed(14)
    families(w, g)
    pairs(w, g)
    lowrank_family(w, g)
    lowrank_pairs(w, g)
    pytorch_surprises(w)
