"""Reference values of the losses: forward and gradients w.r.t. input and target."""
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


def generate(w):
    kl_div_cases(w)
