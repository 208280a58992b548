"""Reference trajectories of the optimizers: SGD, Adam and AdamW as PyTorch 1.13 runs them.

Every case optimises two parameters, p0 (2, 2) and p1 (3,), for STEPS steps on
    f(theta) = sign * (0.5 (theta - c)^T A (theta - c) + 0.025 sum theta^4)
with theta = concat(p0, p1), A symmetric positive definite and c fixed; sign = -1
with maximize=True, so every run heads for the same minimum of the quadratic-quartic.
Each step records the gradient PyTorch fed to the optimizer and both parameters
after the step; the C++ test feeds the same gradients and compares the parameters.
The schedule also covers the corner cases:
  * p1.grad is None (set_to_none) at steps 0, 7, 14, ...: p1 is skipped, so its
    first update happens at step 1 and its step count lags p0's (Adam's bias
    corrections are per parameter);
  * p0.grad is zero at step 10: a zero gradient still updates (momentum, decay).
Keys: <case>/<dtype>/{init0,init1,grad0,grad1,has_grad1,param0,param1} with the
per-step arrays stacked along a leading axis of length STEPS, and the options the
optimizer was built with as scalars <case>/opt/<name> (flags as 0/1), read back by
the C++ test. defaults/<optimizer>/<name> are PyTorch's default options.
"""
import torch

STEPS = 50
SKIP_P1_EVERY = 7  # p1.grad = None when step % 7 == 0
ZERO_P0_AT = 10    # p0.grad = 0 at this step

CASES = [
    # name, optimizer, kwargs
    ("sgd_plain", "SGD", dict(lr=0.05)),
    ("sgd_momentum_dampening", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("sgd_nesterov", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("sgd_weight_decay", "SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("sgd_maximize", "SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("adam_default", "Adam", dict()),
    ("adam_amsgrad", "Adam", dict(lr=0.05, amsgrad=True)),
    ("adam_weight_decay", "Adam", dict(lr=0.05, weight_decay=0.1)),
    ("adam_maximize", "Adam", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("adamw", "AdamW", dict(lr=0.05)),
    ("adamw_amsgrad_maximize", "AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True, maximize=True)),
]

# The options the C++ test reads back, in PyTorch's names (betas split in two).
OPTION_NAMES = {
    "SGD": ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"],
    "Adam": ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", "maximize"],
    "AdamW": ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", "maximize"],
}


def options(opt, kind):
    d = dict(opt.defaults)
    if "betas" in d:
        d["beta1"], d["beta2"] = d["betas"]
    return [(n, float(d[n])) for n in OPTION_NAMES[kind]]


def objective_data(dtype):
    g = torch.Generator().manual_seed(11)
    m = torch.randn(7, 7, generator=g, dtype=torch.float64)
    a = (m @ m.T / 7 + torch.eye(7, dtype=torch.float64)).to(dtype)
    c = torch.randn(7, generator=g, dtype=torch.float64).to(dtype)
    p0 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(dtype)
    p1 = torch.randn(3, generator=g, dtype=torch.float64).to(dtype)
    return a, c, p0, p1


def run(w, name, kind, kwargs, dtype, tag):
    a, c, init0, init1 = objective_data(dtype)
    p0 = init0.clone().requires_grad_()
    p1 = init1.clone().requires_grad_()
    opt = getattr(torch.optim, kind)([p0, p1], **kwargs)
    sign = -1.0 if kwargs.get("maximize", False) else 1.0
    grads0, grads1, has1, params0, params1 = [], [], [], [], []
    for step in range(STEPS):
        opt.zero_grad()  # 1.13 default: in place
        theta = torch.cat([p0.reshape(-1), p1])
        d = theta - c
        f = sign * (0.5 * (d @ (a @ d)) + 0.025 * (theta ** 4).sum())
        f.backward()
        if step == ZERO_P0_AT:
            p0.grad.zero_()
        if step % SKIP_P1_EVERY == 0:
            p1.grad = None
        grads0.append(p0.grad.clone())
        has1.append(p1.grad is not None)
        grads1.append(p1.grad.clone() if p1.grad is not None else torch.zeros_like(p1))
        opt.step()
        params0.append(p0.detach().clone())
        params1.append(p1.detach().clone())
    k = "%s/%s/" % (name, tag)
    w.put(k + "init0", init0)
    w.put(k + "init1", init1)
    w.put(k + "grad0", torch.stack(grads0))
    w.put(k + "grad1", torch.stack(grads1))
    w.put(k + "has_grad1", torch.tensor(has1, dtype=torch.int64))
    w.put(k + "param0", torch.stack(params0))
    w.put(k + "param1", torch.stack(params1))
    if tag == "float64":
        for n, v in options(opt, kind):
            w.put("%s/opt/%s" % (name, n), v)


def generate(w):
    for kind in ["SGD", "Adam", "AdamW"]:
        dummy = torch.zeros(1, requires_grad=True)
        kwargs = {"lr": 0.1} if kind == "SGD" else {}  # SGD's lr has no default
        for n, v in options(getattr(torch.optim, kind)([dummy], **kwargs), kind):
            if not (kind == "SGD" and n == "lr"):
                w.put("defaults/%s/%s" % (kind, n), v)
    for name, kind, kwargs in CASES:
        for dtype, tag in [(torch.float64, "float64"), (torch.float32, "float32")]:
            run(w, name, kind, kwargs, dtype, tag)
