#!/usr/bin/python3
"""klgrad's tiny_vae against the PyTorch reference VAE, same work, same machine, one run.

    /usr/bin/python3 bench/vae_bench.py                 # 3 epochs, full Fashion-MNIST, 2 threads
    /usr/bin/python3 bench/vae_bench.py --epochs 1 --train-limit 10000

Both train the pytorch/examples VAE (784-400-20, batch 128, Adam 1e-3) for the
same epochs with the same thread count and report, per epoch, the test loss
(nats per image, sampled z) and training samples per second; this script adds
each process's peak RSS and prints the comparison with the targets:
test loss within 2% of PyTorch's, >= 3x PyTorch's samples/s, peak RSS <= 150 MB.
The roofline: one image costs 2 * 3 * 651,200 multiply-adds in the four GEMM
layers (forward + two backward products), ~3.9 MFLOP; at this machine's measured
~180 GFLOP/s SGEMM on 2 threads that is ~46k images/s.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOFLINE = 46000.0
EPOCH = re.compile(r"^epoch (\d+) train_loss (\S+) test_loss (\S+) .*samples_per_s (\S+)")


def peak_rss_mb_of(cmd):
    """Runs cmd, returns (stdout, peak RSS in MB of that child alone)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all waited-for children: run klgrad first.
    return out, max(after, before) / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-limit", type=int, default=0)
    ap.add_argument("--test-limit", type=int, default=0)
    args = ap.parse_args()

    subprocess.run(["cmake", "--build", os.path.join(ROOT, "build"), "--target", "tiny_vae"], check=True,
                   stdout=subprocess.DEVNULL)
    limits = ["--train-limit", str(args.train_limit), "--test-limit", str(args.test_limit)]
    with tempfile.TemporaryDirectory() as out:
        kl_out, kl_rss = peak_rss_mb_of([os.path.join(ROOT, "build", "bin", "tiny_vae"), "--epochs", str(args.epochs),
                                         "--threads", str(args.threads), "--no-progress", "--out", out] + limits)
    kl = [EPOCH.match(l).groups() for l in kl_out.splitlines() if EPOCH.match(l)]

    torch_cmd = ["/usr/bin/python3",  # PyTorch is installed for the system interpreter only
                 os.path.join(ROOT, "bench", "torch_vae.py"), "--epochs", str(args.epochs),
                 "--threads", str(args.threads), "--json"]
    if args.train_limit:
        torch_cmd += ["--train-limit", str(args.train_limit)]
    if args.test_limit:
        torch_cmd += ["--test-limit", str(args.test_limit)]
    try:
        pt_out = subprocess.run(torch_cmd, check=True, capture_output=True, text=True).stdout
        pt = json.loads(pt_out.strip().splitlines()[-1])
    except (subprocess.CalledProcessError, FileNotFoundError, json.JSONDecodeError) as e:
        print("PyTorch reference unavailable (%s): klgrad only" % e)
        pt = None

    env = {k: os.environ.get(k, "-") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print("VAE on Fashion-MNIST, %d epoch(s), %d threads, load average %.1f, %s"
          % (args.epochs, args.threads, os.getloadavg()[0], " ".join("%s=%s" % kv for kv in env.items())))
    print("%-6s %14s %14s %8s" % ("epoch", "klgrad test", "PyTorch test", "diff"))
    worst = 0.0
    for i, (e, _, test, _) in enumerate(kl):
        ref = pt["test_loss"][i] if pt else None
        diff = (float(test) - ref) / ref * 100 if ref else None
        if diff is not None:
            worst = max(worst, abs(diff))
        print("%-6s %14.2f %14s %8s" % (e, float(test), "%.2f" % ref if ref else "n/a",
                                         "%+.2f%%" % diff if diff is not None else "n/a"))
    sps = sum(float(k[3]) for k in kl) / len(kl)
    print("samples/s: klgrad %.0f, PyTorch %s, ratio %s; klgrad reaches %.0f%% of the ~%.0fk/s SGEMM roofline"
          % (sps, "%.0f" % pt["samples_per_s"] if pt else "n/a",
             "%.2fx" % (sps / pt["samples_per_s"]) if pt else "n/a", 100 * sps / ROOFLINE, ROOFLINE / 1000))
    print("peak RSS: klgrad %.0f MB, PyTorch %s MB" % (kl_rss, "%.0f" % pt["peak_rss_mb"] if pt else "n/a"))
    if pt:
        print("targets: quality within 2%%: %s | speed >= 3x: %s | RSS <= 150 MB: %s"
              % ("PASS" if worst <= 2 else "MISS (%.2f%%)" % worst,
                 "PASS" if sps >= 3 * pt["samples_per_s"] else "MISS",
                 "PASS" if kl_rss <= 150 else "MISS"))


if __name__ == "__main__":
    main()
