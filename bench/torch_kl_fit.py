#!/usr/bin/python3
"""PyTorch-eager reference for klgrad's kl_fit benchmark.

The tutorial loop "minimize KL to move Q toward P": the model distribution is
Q = softmax(logits) with logits = zeros(1, n) as the only parameter, the target
P is fixed, and each step does

    loss = kl_div(log_softmax(logits, 1), P, reduction='batchmean')  # KL(P || Q)
    opt.zero_grad(); loss.backward(); opt.step()                     # Adam(lr=0.01)

Timing: W warm-up steps, then R repetitions of S steps, each from a fresh
logits/optimizer (so every repetition does identical work); the reported
us_per_step is the median over repetitions. final_loss is the loss computed at
the last step of a repetition (the same in all of them).

Run with the system interpreter (PyTorch 1.13 is installed only there):
    /usr/bin/python3 bench/torch_kl_fit.py --n 1000 --steps 2000 --threads 1 --json
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def make_target(n):
    """Q, shape (1, n): the tutorial's [0.7, 0.2, 0.1] for n = 3, else softmax of a seeded N(0, 1) vector."""
    if n == 3:
        return torch.tensor([[0.7, 0.2, 0.1]])
    gen = torch.Generator().manual_seed(0)
    return torch.softmax(torch.randn(1, n, generator=gen), dim=1)


def run(q, steps):
    """S optimizer steps from logits = 0; returns (seconds, loss of the last step)."""
    logits = torch.zeros_like(q, requires_grad=True)
    opt = torch.optim.Adam([logits], lr=0.01)
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = F.kl_div(F.log_softmax(logits, 1), q, reduction="batchmean")
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    return seconds, loss.item()  # .item() only after the clock stops


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3, help="support size of P and Q")
    ap.add_argument("--steps", type=int, default=1000, help="optimizer steps per repetition")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--warmup", type=int, default=200, help="untimed steps before measuring")
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions (median reported)")
    ap.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    q = make_target(args.n)
    if args.warmup > 0:
        run(q, args.warmup)
    results = [run(q, args.steps) for _ in range(args.reps)]
    us_per_step = statistics.median(s for s, _ in results) / args.steps * 1e6
    final_loss = results[-1][1]

    if args.json:
        print(json.dumps({"impl": "pytorch-eager", "n": args.n, "threads": args.threads,
                          "steps": args.steps, "us_per_step": round(us_per_step, 3),
                          "final_loss": final_loss}))
    else:
        print(f"pytorch-eager n={args.n} threads={args.threads}: "
              f"{us_per_step:.2f} us/step, final loss {final_loss:.6g}")


if __name__ == "__main__":
    main()
