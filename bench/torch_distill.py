#!/usr/bin/python3
"""PyTorch-eager reference for klgrad's distillation benchmark (apps/distill).

The same three models, hyperparameters and loss as `distill` (not the same
initial weights or data order: each framework draws its own):
    teacher   784-512-512-10 MLP, ReLU, Dropout(0.2) after each hidden layer, cross-entropy
    baseline  784-64-10, cross-entropy on the labels alone
    distilled 784-64-10, alpha * T^2 * F.kl_div(F.log_softmax(s/T, 1), F.softmax(t/T, 1), 'batchmean')
              + (1 - alpha) * F.cross_entropy(s, y), with the teacher's logits t computed once (eval mode)
Adam(lr=1e-3), batch 128, training set reshuffled every epoch. Reports test
accuracy (percent) and NLL (nats per image) of each model, and training
images per second of the students.

    /usr/bin/python3 bench/torch_distill.py --epochs 5 --threads 2 --json
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_vae import load_idx_images, set_blas_threads  # noqa: E402  (the same IDX reader as the VAE benchmark)

DATA = "/usr/share/datasets/fashion-mnist"


def load_labels(path, limit):
    import gzip
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    labels = np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(labels[:limit] if limit else labels)


def mlp(sizes, dropout):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(nn.ReLU())
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def train_epoch(model, opt, x, y, batch, teacher=None, T=4.0, alpha=0.9):
    model.train()
    order = torch.randperm(len(x))
    t0 = time.perf_counter()
    for b in range(0, len(x), batch):
        idx = order[b:b + batch]
        s = model(x[idx])
        if teacher is None:
            loss = F.cross_entropy(s, y[idx])
        else:
            kd = F.kl_div(F.log_softmax(s / T, 1), F.softmax(teacher[idx] / T, 1), reduction="batchmean") * T * T
            loss = alpha * kd + (1 - alpha) * F.cross_entropy(s, y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


@torch.no_grad()
def evaluate(model, x, y):
    model.eval()
    z = model(x)
    return 100.0 * (z.argmax(1) == y).double().mean().item(), F.cross_entropy(z, y).item()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-limit", type=int, default=0)
    ap.add_argument("--test-limit", type=int, default=0)
    ap.add_argument("--temperature", type=float, default=4.0)
    ap.add_argument("--alpha", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    set_blas_threads(a.threads)
    torch.manual_seed(a.seed)
    x = load_idx_images(DATA + "/train-images-idx3-ubyte.gz", a.train_limit or None)
    y = load_labels(DATA + "/train-labels-idx1-ubyte.gz", a.train_limit)
    xt = load_idx_images(DATA + "/t10k-images-idx3-ubyte.gz", a.test_limit or None)
    yt = load_labels(DATA + "/t10k-labels-idx1-ubyte.gz", a.test_limit)
    out = {}
    teacher = mlp([784, 512, 512, 10], 0.2)
    opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
    for _ in range(a.epochs):
        train_epoch(teacher, opt, x, y, 128)
    out["teacher"] = evaluate(teacher, xt, yt)
    with torch.no_grad():
        teacher.eval()
        t = teacher(x)
    for name, soft in [("baseline", None), ("distilled", t)]:
        torch.manual_seed(a.seed + 1)  # the same initial student for both
        student = mlp([784, 64, 10], 0)
        opt = torch.optim.Adam(student.parameters(), lr=1e-3)
        seconds = sum(train_epoch(student, opt, x, y, 128, soft, a.temperature, a.alpha) for _ in range(a.epochs))
        out[name] = evaluate(student, xt, yt) + (a.epochs * len(x) / seconds,)
    if a.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print("result %s acc %.2f nll %.4f" % (k, v[0], v[1]))


if __name__ == "__main__":
    main()
