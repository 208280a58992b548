"""Reference values of the losses: forward and gradients w.r.t. input and target.

kl_div (with the tutorial example), binary_cross_entropy (+ _with_logits),
mse_loss, nll_loss and cross_entropy; float64 and float32, every reduction.
"""
import torch
import torch.nn.functional as F


def kl_div_cases(w):
    # The tutorial's example: KL(P || Q) with Q = softmax([0.8, 0.15, 0.05]).
    x = F.log_softmax(torch.tensor([[0.8, 0.15, 0.05]]), dim=1)
    t = torch.tensor([[0.7, 0.2, 0.1]])
    w.put("tutorial/batchmean", F.kl_div(x, t, reduction="batchmean"))
    w.put("tutorial/KLDivLoss", torch.nn.KLDivLoss(reduction="batchmean")(x, t))
    for red in ["none", "sum", "mean"]:
        w.put("tutorial/" + red, F.kl_div(x, t, reduction=red))

    # Random cases: (4, 5) log-probabilities vs probabilities with zeros.
    for dtype, tag in [(torch.float64, "float64"), (torch.float32, "float32")]:
        for log_target in [False, True]:
            for red in ["none", "sum", "mean", "batchmean"]:
                g = torch.Generator().manual_seed(7)
                logits = torch.randn(4, 5, generator=g, dtype=dtype)
                x = F.log_softmax(logits, 1).detach().requires_grad_()
                p = torch.softmax(torch.randn(4, 5, generator=g, dtype=dtype) * 2, 1)
                if log_target:
                    t = torch.log(p).detach().requires_grad_()
                else:
                    p[0, 1] = 0.0  # a zero target: its term is 0, its target-gradient NaN
                    t = p.detach().requires_grad_()
                y = F.kl_div(x, t, reduction=red, log_target=log_target)
                seed = torch.randn(y.shape, generator=g, dtype=dtype)
                y.backward(seed)
                k = "kl_div/%s/%s/%s/" % (tag, "logt" if log_target else "prob", red)
                w.put(k + "input", x)
                w.put(k + "target", t)
                w.put(k + "seed", seed)
                w.put(k + "out", y)
                w.put(k + "grad_input", x.grad)
                w.put(k + "grad_target", t.grad)


DTYPES = [(torch.float64, "float64"), (torch.float32, "float32")]
REDUCTIONS = ["none", "sum", "mean"]


def put_case(w, k, loss, inputs, extra=()):
    """Runs loss(*inputs) with a random seed gradient; writes inputs, seed, out and grads.

    inputs: (name, tensor) pairs; float tensors get gradients written as grad_<name>.
    """
    g = torch.Generator().manual_seed(11)
    y = loss(*[t for _, t in inputs])
    seed = torch.randn(y.shape, generator=g, dtype=y.dtype)
    y.backward(seed)
    for name, t in list(inputs) + list(extra):
        w.put(k + name, t)
    w.put(k + "seed", seed)
    w.put(k + "out", y)
    for name, t in inputs:
        if t.is_floating_point() and t.requires_grad:
            w.put(k + "grad_" + name, t.grad)


def bce_cases(w):
    # Probabilities with the edge values: 0 and 1 exactly (PyTorch's -100 log
    # clamp, the 1e-12f gradient epsilon, +-inf target gradients), a log below
    # -100 that is clamped although x > 0, and x next to 1.
    for dtype, tag in DTYPES:
        for red in REDUCTIONS:
            g = torch.Generator().manual_seed(3)
            x = torch.sigmoid(2 * torch.randn(4, 5, generator=g, dtype=dtype))
            t = torch.rand(4, 5, generator=g, dtype=dtype)
            x[0, :4] = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=dtype)
            t[0, :4] = torch.tensor([0.3, 0.7, 0.0, 1.0], dtype=dtype)
            x[1, :3] = torch.tensor([1e-45, 1e-30, 1 - 1e-7], dtype=dtype)
            x = x.detach().requires_grad_()
            t = t.detach().requires_grad_()
            put_case(w, "bce/%s/%s/" % (tag, red), lambda a, b: F.binary_cross_entropy(a, b, reduction=red),
                     [("input", x), ("target", t)])


def bce_logits_cases(w):
    # Logits at +-100 and +-1e4 on both sides of the target, and z = 30 with
    # t = 1 (a loss of 9e-14, which PyTorch's log(1 + e) rounds; log1p keeps it).
    for dtype, tag in DTYPES:
        for red in REDUCTIONS:
            g = torch.Generator().manual_seed(4)
            z = 3 * torch.randn(4, 5, generator=g, dtype=dtype)
            t = torch.rand(4, 5, generator=g, dtype=dtype)
            z[0, :] = torch.tensor([100.0, -100.0, 100.0, -100.0, 0.0], dtype=dtype)
            t[0, :] = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.5], dtype=dtype)
            z[1, :3] = torch.tensor([1e4, -1e4, 30.0], dtype=dtype)
            t[1, :3] = torch.tensor([0.3, 0.3, 1.0], dtype=dtype)
            z = z.detach().requires_grad_()
            t = t.detach().requires_grad_()
            put_case(w, "bce_logits/%s/%s/" % (tag, red),
                     lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=red),
                     [("input", z), ("target", t)])


def mse_cases(w):
    for dtype, tag in DTYPES:
        for red in REDUCTIONS:
            g = torch.Generator().manual_seed(5)
            x = torch.randn(3, 4, generator=g, dtype=dtype).requires_grad_()
            t = torch.randn(3, 4, generator=g, dtype=dtype).requires_grad_()
            put_case(w, "mse/%s/%s/" % (tag, red), lambda a, b: F.mse_loss(a, b, reduction=red),
                     [("input", x), ("target", t)])


# (case, targets, ignore_index) for nll_loss and cross_entropy on 5 samples, 4 classes.
NLL_TARGETS = [
    ("default", [0, 3, -100, 1, 2], -100),   # one sample ignored by the default index
    ("ignore1", [0, 3, 1, 1, 2], 1),         # ignore_index inside [0, C): class 1 is ignored
    ("all_ignored", [-100] * 5, -100),       # 'mean' is 0/0 = NaN
]


def nll_cases(w):
    for dtype, tag in DTYPES:
        for case, target, ignore in NLL_TARGETS:
            for red in REDUCTIONS:
                g = torch.Generator().manual_seed(6)
                x = F.log_softmax(torch.randn(5, 4, generator=g, dtype=dtype), 1).detach().requires_grad_()
                t = torch.tensor(target)
                put_case(w, "nll/%s/%s/%s/" % (tag, case, red),
                         lambda a, b: F.nll_loss(a, b, reduction=red, ignore_index=ignore),
                         [("input", x), ("target", t)], [("ignore_index", ignore)])


CE_CASES = [  # (case, targets, ignore_index, label_smoothing)
    ("plain", [2, 0, -100, 1, 3], -100, 0.0),
    ("smooth", [2, 0, -100, 1, 3], -100, 0.1),
    ("smooth_ignore1", [2, 0, 1, 1, 3], 1, 0.25),
    ("all_ignored", [-100] * 5, -100, 0.1),
]


def cross_entropy_cases(w):
    # The last row has logits of +-1e4: stable log-sum-exp keeps every value finite.
    for dtype, tag in DTYPES:
        for case, target, ignore, eps in CE_CASES:
            for red in REDUCTIONS:
                g = torch.Generator().manual_seed(8)
                z = 2 * torch.randn(5, 4, generator=g, dtype=dtype)
                z[4] = torch.tensor([1e4, -1e4, 0.0, 5e3], dtype=dtype)
                z = z.detach().requires_grad_()
                t = torch.tensor(target)
                put_case(w, "cross_entropy/%s/%s/%s/" % (tag, case, red),
                         lambda a, b: F.cross_entropy(a, b, reduction=red, ignore_index=ignore, label_smoothing=eps),
                         [("input", z), ("target", t)], [("ignore_index", ignore), ("label_smoothing", eps)])


def generate(w):
    kl_div_cases(w)
    bce_cases(w)
    bce_logits_cases(w)
    mse_cases(w)
    nll_cases(w)
    cross_entropy_cases(w)
