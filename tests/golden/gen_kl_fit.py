"""Reference trajectories of apps/kl_fit: the same loop, run by PyTorch 1.13.

kl_fit minimizes KL between a learnable model Q = softmax(logits), logits of shape
(1, n), and fixed data P, the target (with --family gaussian the logits are
-(i - mu)^2 / (2 exp(2 log_sigma)) on the grid i = 0..n-1, with learnable scalars
mu and log_sigma); every step (the loss is recorded before the update)
    log_q = log_softmax(logits, 1)
    loss  = kl_div(log_q, P, reduction)                     # forward: KL(P || Q)
          | kl_div(log P, log_q, reduction, log_target=True) # reverse: KL(Q || P)
    opt.zero_grad(); loss.backward(); opt.step()
Each configuration is a list of kl_fit flags (always in the --flag=value form);
this script reads them with kl_fit's defaults (parse_flags below), so the flags
stored in the fixture are the single source of truth for both sides: the C++
test (tests/apps/test_kl_fit.cpp) runs kl_fit with exactly these flags.

Keys, for a configuration <name>:
  cfg/<name>/<flag>/<flag>/...  the flags, '/'-separated inside the key (the
                                value is the configuration's index)
  <name>/loss        (steps,)   the loss printed as 'step k loss v', k = 1..steps
  <name>/final_loss  ()         the loss after the last update (the summary)
  <name>/p           (1, n)     the model Q after the last update (the summary's Q)
  <name>/p_steps     (steps, n) Q before each update (the --csv columns), only
                                for the configurations in CSV_CONFIGS
Values are float32 or float64 like the run's --dtype.
"""
import warnings

import torch
import torch.nn.functional as F

# kl_fit's defaults (apps/kl_fit.cpp, `kl_fit --help`).
DEFAULTS = {
    "target": "0.7,0.2,0.1", "init": None, "direction": "forward", "reduction": "batchmean",
    "optimizer": "adam", "lr": "0.01", "momentum": "0", "dampening": "0", "weight_decay": None,
    "betas": "0.9,0.999", "eps": "1e-08", "steps": "100", "dtype": "float32",
    "nesterov": False, "maximize": False, "amsgrad": False, "family": "free",
}
BOOLEAN_FLAGS = {"nesterov", "maximize", "amsgrad"}

# One target with n = 50 entries: softmax of a seeded N(0, 2^2) vector, written
# with round-trip precision (the float64 values parse back exactly).
_g = torch.Generator().manual_seed(50)
_q50 = torch.softmax(2.0 * torch.randn(50, generator=_g, dtype=torch.float64), 0)
TARGET_50 = ",".join(repr(float(v)) for v in _q50)
INIT_50 = ",".join(repr(round(float(v), 3)) for v in torch.randn(50, generator=_g, dtype=torch.float64))

# Every optimizer option of kl_fit, at a learning rate that moves P visibly in 100 steps.
OPTIMIZERS = [
    ("sgd_plain", ["--optimizer=sgd", "--lr=0.5"]),
    ("sgd_momentum_dampening", ["--optimizer=sgd", "--lr=0.2", "--momentum=0.9", "--dampening=0.3"]),
    ("sgd_nesterov", ["--optimizer=sgd", "--lr=0.2", "--momentum=0.9", "--nesterov"]),
    ("sgd_weight_decay", ["--optimizer=sgd", "--lr=0.3", "--momentum=0.5", "--weight-decay=0.1"]),
    ("sgd_maximize", ["--optimizer=sgd", "--lr=0.1", "--momentum=0.5", "--weight-decay=0.01", "--maximize"]),
    ("adam_default", []),  # kl_fit's defaults: adam, lr 0.01
    ("adam_amsgrad", ["--optimizer=adam", "--lr=0.05", "--amsgrad"]),
    ("adam_weight_decay", ["--optimizer=adam", "--lr=0.05", "--weight-decay=0.1"]),
    ("adam_maximize", ["--optimizer=adam", "--lr=0.03", "--weight-decay=0.01", "--maximize"]),
    ("adam_betas_eps", ["--optimizer=adam", "--lr=0.05", "--betas=0.8,0.99", "--eps=1e-06"]),
    ("adamw_default", ["--optimizer=adamw"]),  # weight decay 0.01 by default
    ("adamw_options", ["--optimizer=adamw", "--lr=0.05", "--weight-decay=0.2", "--betas=0.85,0.995",
                       "--eps=1e-07", "--amsgrad", "--maximize"]),
]
DIRECTIONS = [
    # forward from uniform P to the default Q; reverse from non-zero logits to another Q
    ("forward", []),
    ("reverse", ["--direction=reverse", "--target=0.1,0.3,0.6", "--init=-1.5,2,0.3"]),
]
DTYPES = ["float64", "float32"]

# A bimodal target on a 24-point grid for the unimodal Gaussian family
# (--family gaussian): trajectories of both directions and both optimizers.
_x = torch.arange(24, dtype=torch.float64)
_bimodal = torch.exp(-(_x - 5) ** 2 / 8) + torch.exp(-(_x - 15) ** 2 / 8)  # not symmetric about mu0 = 11.5
TARGET_BIMODAL = ",".join(repr(float(v)) for v in _bimodal / _bimodal.sum())
GAUSSIAN = [
    ("gaussian_adam", ["--family=gaussian", "--lr=0.05", "--target=" + TARGET_BIMODAL]),
    ("gaussian_adam_reverse", ["--family=gaussian", "--lr=0.05", "--direction=reverse", "--init=8,0.5",
                               "--target=" + TARGET_BIMODAL]),
    ("gaussian_sgd", ["--family=gaussian", "--optimizer=sgd", "--lr=0.5", "--momentum=0.9", "--init=3,0.2",
                      "--target=" + TARGET_BIMODAL]),
]


def configurations():
    """(name, flags) pairs: every optimizer x both directions x both dtypes with
    batchmean; sum and mean for a subset; n = 50 targets; a target with a zero."""
    out = []
    for dtype in DTYPES:
        for dname, dflags in DIRECTIONS:
            for oname, oflags in OPTIMIZERS:
                out.append(("%s/%s/batchmean/%s" % (oname, dname, dtype),
                            oflags + dflags + ["--dtype=" + dtype]))
            for red in ["sum", "mean"]:
                for oname, oflags in OPTIMIZERS:
                    if oname in ("sgd_momentum_dampening", "adam_default", "adamw_options"):
                        out.append(("%s/%s/%s/%s" % (oname, dname, red, dtype),
                                    oflags + dflags + ["--reduction=" + red, "--dtype=" + dtype]))
        out.append(("adam_n50/forward/batchmean/" + dtype,
                    ["--lr=0.05", "--target=" + TARGET_50, "--dtype=" + dtype]))
        out.append(("adam_n50/reverse/sum/" + dtype,
                    ["--lr=0.05", "--direction=reverse", "--reduction=sum", "--target=" + TARGET_50,
                     "--init=" + INIT_50, "--dtype=" + dtype]))
        out.append(("sgd_n50/forward/mean/" + dtype,
                    ["--optimizer=sgd", "--lr=20", "--momentum=0.9", "--reduction=mean",
                     "--target=" + TARGET_50, "--init=" + INIT_50, "--dtype=" + dtype]))
        # a zero in the target P (forward only: reverse KL is infinite there); its term is 0 * log 0 = 0
        out.append(("adam_zero_target/forward/batchmean/" + dtype,
                    ["--lr=0.05", "--target=0.5,0.5,0", "--init=0.2,-0.4,1", "--dtype=" + dtype]))
        for gname, gflags in GAUSSIAN:
            out.append((gname + "/" + dtype, gflags + ["--steps=200", "--dtype=" + dtype]))
    # '/' in names and keys separates fields; the flags must not contain it or spaces
    return [(n.replace("/", "."), f) for n, f in out]


# --csv is checked for these (P before every update is recorded for them).
CSV_CONFIGS = ["adam_default.forward.batchmean.float64", "adam_n50.forward.batchmean.float32",
               "gaussian_adam.float64"]


def parse_flags(flags):
    """kl_fit's command line (the --flag=value form) on top of its defaults."""
    c = dict(DEFAULTS)
    for f in flags:
        assert f.startswith("--") and " " not in f and "/" not in f, f
        name, eq, value = f[2:].partition("=")
        name = name.replace("-", "_")
        assert name in c, f
        if name in BOOLEAN_FLAGS:
            assert not eq, f
            c[name] = True
        else:
            assert eq, f
            c[name] = value
    return c


def numbers(text):
    return [float(v) for v in text.split(",")]


def make_optimizer(c, params):
    lr = float(c["lr"])
    if c["optimizer"] == "sgd":
        wd = float(c["weight_decay"]) if c["weight_decay"] is not None else 0.0
        return torch.optim.SGD(params, lr=lr, momentum=float(c["momentum"]), dampening=float(c["dampening"]),
                               weight_decay=wd, nesterov=c["nesterov"], maximize=c["maximize"])
    kind = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[c["optimizer"]]
    kwargs = dict(lr=lr, betas=tuple(numbers(c["betas"])), eps=float(c["eps"]),
                  amsgrad=c["amsgrad"], maximize=c["maximize"])
    if c["weight_decay"] is not None:  # else PyTorch's default: 0 for Adam, 1e-2 for AdamW
        kwargs["weight_decay"] = float(c["weight_decay"])
    return kind(params, **kwargs)


def run(c, record_p):
    dtype = {"float32": torch.float32, "float64": torch.float64}[c["dtype"]]
    # kl_fit reads the numbers as doubles and rounds them to the dtype
    q = torch.tensor([numbers(c["target"])], dtype=torch.float64).to(dtype)
    log_q = torch.log(q)
    n = q.shape[1]
    if c["family"] == "gaussian":
        import math
        init = numbers(c["init"]) if c["init"] is not None else [(n - 1) / 2, math.log(n / 4)]
        mu = torch.tensor([[init[0]]], dtype=torch.float64).to(dtype).requires_grad_()
        log_sigma = torch.tensor([[init[1]]], dtype=torch.float64).to(dtype).requires_grad_()
        grid = torch.arange(n, dtype=dtype).reshape(1, n)
        params = [mu, log_sigma]

        def logits_of():  # kl_fit's op order, so float32 rounds the same way
            d = grid - mu
            return d * d * torch.exp(log_sigma * -2.0) * -0.5
    else:
        init = numbers(c["init"]) if c["init"] is not None else [0.0] * n
        logits = torch.tensor([init], dtype=torch.float64).to(dtype).requires_grad_()
        params = [logits]

        def logits_of():
            return logits
    opt = make_optimizer(c, params)
    forward = c["direction"] == "forward"
    red = c["reduction"]

    def loss_of(log_p):
        if forward:
            return F.kl_div(log_p, q, reduction=red)
        return F.kl_div(log_q, log_p, reduction=red, log_target=True)

    losses, ps = [], []
    for _ in range(int(c["steps"])):
        log_p = F.log_softmax(logits_of(), 1)
        loss = loss_of(log_p)
        losses.append(loss.detach().clone())
        if record_p:
            ps.append(torch.exp(log_p.detach()[0]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        log_p = F.log_softmax(logits_of(), 1)
        final_loss = loss_of(log_p)
        p = torch.exp(log_p)
    return torch.stack(losses), final_loss, p, (torch.stack(ps) if record_p else None)


def generate(w):
    warnings.filterwarnings("ignore", message=".*reduction: 'mean'.*")  # kl_div's 'mean' warning
    configs = configurations()
    assert len({n for n, _ in configs}) == len(configs)
    for name in CSV_CONFIGS:
        assert name in dict(configs), name
    for i, (name, flags) in enumerate(configs):
        c = parse_flags(flags)
        losses, final_loss, p, p_steps = run(c, name in CSV_CONFIGS)
        assert torch.isfinite(losses).all() and torch.isfinite(p).all(), name
        w.put("cfg/%s/%s" % (name, "/".join(flags)), float(i))
        w.put(name + "/loss", losses)
        w.put(name + "/final_loss", final_loss)
        w.put(name + "/p", p)
        if p_steps is not None:
            w.put(name + "/p_steps", p_steps)
