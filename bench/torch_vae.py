#!/usr/bin/python3
"""PyTorch-eager reference for klgrad's VAE benchmark: the VAE of pytorch/examples on Fashion-MNIST.

Model (as in pytorch/examples vae/main.py, default nn.Linear init):
    encoder  x (B, 784) -> h = relu(fc1 x) (B, 400) -> mu = fc21 h, logvar = fc22 h  (B, 20 each)
    sample   z = mu + eps * exp(0.5 logvar),  eps ~ N(0, I)       (also at test time, like the reference)
    decoder  z (B, 20) -> relu(fc3 z) (B, 400) -> sigmoid(fc4 .) (B, 784)
    loss     BCE(recon, x, sum) + KLD,  KLD = -0.5 * sum(1 + logvar - mu^2 - exp(logvar))
Adam(lr=1e-3), batch 128, training set reshuffled every epoch. Losses are
reported in nats per image, averaged over the split.

The data are read straight from the gzipped IDX files of Debian's
dataset-fashion-mnist (numpy + gzip, no torchvision), pixels / 255 as float32.

Run with the system interpreter (PyTorch 1.13 is installed only there):
    /usr/bin/python3 bench/torch_vae.py --epochs 3 --threads 2 --json
"""
import argparse
import ctypes
import gzip
import json
import os
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def set_blas_threads(threads):
    """torch.set_num_threads sizes only PyTorch's OpenMP pool; nn.Linear's matmuls
    run in OpenBLAS (Debian's torch links it), whose own pool defaults to every
    core. Size it too so that --threads means the same for both. Returns the
    OpenBLAS kernel in use (OPENBLAS_CORETYPE in the environment overrides it)."""
    openblas = ctypes.CDLL("libopenblas.so.0")  # already loaded by torch: same instance
    openblas.openblas_set_num_threads(threads)
    openblas.openblas_get_corename.restype = ctypes.c_char_p
    return openblas.openblas_get_corename().decode()


def load_idx_images(path, limit=None):
    """An IDX3 image file (big-endian header: magic 2051, count, rows, cols) -> float32 (count, rows*cols) in [0, 1]."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = np.frombuffer(data, dtype=">u4", count=4)
    if magic != 2051:
        raise ValueError(f"{path}: magic {magic}, expected 2051 (IDX3 images)")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    if limit is not None:
        pixels = pixels[:limit]
    return torch.from_numpy(pixels.astype(np.float32) / 255.0)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc21(h), self.fc22(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Negative ELBO of the batch, summed over images (nats)."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def train_epoch(model, opt, train_x, batch_size):
    """One shuffled pass; returns (summed loss, seconds spent training)."""
    model.train()
    total = 0.0
    t0 = time.perf_counter()
    perm = torch.randperm(len(train_x))
    for i in range(0, len(train_x), batch_size):
        x = train_x[perm[i:i + batch_size]]  # the loader's batch gather: ~1% of a step
        opt.zero_grad()
        recon, mu, logvar = model(x)
        loss = loss_function(recon, x, mu, logvar)
        loss.backward()
        opt.step()
        total += loss.item()
    return total, time.perf_counter() - t0


@torch.no_grad()
def test_loss(model, test_x, batch_size):
    """Summed loss over the test set, in order, with sampled z (as the reference does)."""
    model.eval()
    total = 0.0
    for i in range(0, len(test_x), batch_size):
        x = test_x[i:i + batch_size]
        recon, mu, logvar = model(x)
        total += loss_function(recon, x, mu, logvar).item()
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads and OpenBLAS threads")
    ap.add_argument("--seed", type=int, default=1, help="torch.manual_seed: init, shuffling and eps")
    ap.add_argument("--train-limit", type=int, default=None, help="use only the first N training images")
    ap.add_argument("--test-limit", type=int, default=None, help="use only the first N test images")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="folder of the *-ubyte.gz files")
    ap.add_argument("--json", action="store_true", help="also print a final JSON summary line")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    blas_core = set_blas_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x = load_idx_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"), args.train_limit)
    test_x = load_idx_images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"), args.test_limit)

    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_losses, test_losses, epoch_seconds = [], [], []
    for epoch in range(1, args.epochs + 1):
        train_sum, seconds = train_epoch(model, opt, train_x, args.batch_size)
        test_sum = test_loss(model, test_x, args.batch_size)
        train_losses.append(train_sum / len(train_x))
        test_losses.append(test_sum / len(test_x))
        epoch_seconds.append(seconds)
        print(f"epoch {epoch} train_loss {train_losses[-1]:.4f} test_loss {test_losses[-1]:.4f} "
              f"epoch_s {seconds:.3f} samples_per_s {len(train_x) / seconds:.1f}", flush=True)

    if args.json:
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
        print(json.dumps({
            "impl": "pytorch-eager", "epochs": args.epochs, "batch_size": args.batch_size,
            "threads": args.threads, "blas_core": blas_core, "seed": args.seed,
            "train_n": len(train_x), "test_n": len(test_x),
            "train_loss": [round(v, 4) for v in train_losses],
            "test_loss": [round(v, 4) for v in test_losses],
            "epoch_s": [round(v, 3) for v in epoch_seconds],
            "samples_per_s": round(args.epochs * len(train_x) / sum(epoch_seconds), 1),
            "peak_rss_mb": round(peak_rss_mb, 1),
        }))


if __name__ == "__main__":
    main()
