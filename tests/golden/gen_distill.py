"""Reference values of the distillation loss (apps/distill, losses/distill.hpp).

loss = alpha * T^2 * F.kl_div(F.log_softmax(s / T, 1), softmax(t / T, 1), batchmean)
       + (1 - alpha) * F.cross_entropy(s, y)
with the teacher's softened distribution as probabilities, or with
log_target=True as log-probabilities. float64: the value and its gradient with
respect to the student's logits s (the teacher's t is a constant).
"""
import torch
import torch.nn.functional as F


def loss(s, t, y, T, alpha, log_target):
    log_q = F.log_softmax(s / T, 1)
    p = F.log_softmax(t / T, 1) if log_target else F.softmax(t / T, 1)
    kd = F.kl_div(log_q, p, reduction="batchmean", log_target=log_target) * T * T
    return alpha * kd + (1 - alpha) * F.cross_entropy(s, y)


def generate(w):
    g = torch.Generator().manual_seed(17)
    n, k = 8, 10
    s0 = 3 * torch.randn(n, k, generator=g, dtype=torch.float64)
    t = 5 * torch.randn(n, k, generator=g, dtype=torch.float64)
    y = torch.randint(0, k, (n,), generator=g)
    w.put("student_logits", s0)
    w.put("teacher_logits", t)
    w.put("labels", y)
    for T in [1.0, 4.0, 20.0]:
        for alpha in [0.0, 0.5, 0.9, 1.0]:
            for log_target in [False, True]:
                s = s0.clone().requires_grad_()
                out = loss(s, t, y, T, alpha, log_target)
                out.backward()
                key = "T%g/alpha%g/%s/" % (T, alpha, "logt" if log_target else "prob")
                w.put(key + "loss", out)
                w.put(key + "grad_student", s.grad)
