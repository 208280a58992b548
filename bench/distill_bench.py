#!/usr/bin/python3
"""klgrad's distill against the PyTorch reference (bench/torch_distill.py), same work, same machine, one run.

    /usr/bin/python3 bench/distill_bench.py                  # 5 epochs each, full Fashion-MNIST, 2 threads
    /usr/bin/python3 bench/distill_bench.py --epochs 2 --train-limit 10000

Both train the teacher (784-512-512-10, dropout 0.2), the labels-only baseline
student and the distilled student (784-64-10; T = 4, alpha = 0.9) with Adam
1e-3, batch 128, the same epochs and thread count. Printed: test accuracy and
NLL of each model for both, the accuracy differences (target: within 0.5
points), and the students' training images per second (target: klgrad >= 3x
PyTorch). Initial weights and data order differ between the two (each draws
its own), so accuracies agree to within run-to-run noise, not exactly.
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULT = re.compile(r"^result (\S+) acc (\S+) nll (\S+)")
EPOCH = re.compile(r"^epoch \d+ model (baseline|distilled) .*samples_per_s (\S+)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-limit", type=int, default=0)
    ap.add_argument("--test-limit", type=int, default=0)
    a = ap.parse_args()
    subprocess.run(["cmake", "--build", os.path.join(ROOT, "build"), "--target", "distill"], check=True, stdout=subprocess.DEVNULL)
    common = ["--epochs", str(a.epochs), "--threads", str(a.threads), "--no-progress",
              "--train-limit", str(a.train_limit), "--test-limit", str(a.test_limit)]
    exe = os.path.join(ROOT, "build", "bin", "distill")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([exe, "teacher", "--out", out] + common, check=True, capture_output=True, text=True)
        text = subprocess.run([exe, "student", "--teacher", out + "/teacher.npz", "--out", out] + common,
                              check=True, capture_output=True, text=True).stdout
    kl = {m.group(1): (float(m.group(2)), float(m.group(3))) for m in map(RESULT.match, text.splitlines()) if m}
    speed = {}
    for m in map(EPOCH.match, text.splitlines()):
        if m:
            speed.setdefault(m.group(1), []).append(float(m.group(2)))
    torch_cmd = ["/usr/bin/python3", os.path.join(ROOT, "bench", "torch_distill.py"), "--epochs", str(a.epochs),
                 "--threads", str(a.threads), "--json", "--train-limit", str(a.train_limit), "--test-limit", str(a.test_limit)]
    pt = json.loads(subprocess.run(torch_cmd, check=True, capture_output=True, text=True).stdout)

    print("%-10s %14s %14s %10s %12s %12s" % ("model", "klgrad acc %", "PyTorch acc %", "diff", "klgrad nll", "PyTorch nll"))
    for name in ["teacher", "baseline", "distilled"]:
        k, p = kl[name], pt[name]
        print("%-10s %14.2f %14.2f %+10.2f %12.4f %12.4f" % (name, k[0], p[0], k[0] - p[0], k[1], p[1]))
    print("distillation buys: klgrad %+.2f points, PyTorch %+.2f points (distilled - baseline)"
          % (kl["distilled"][0] - kl["baseline"][0], pt["distilled"][0] - pt["baseline"][0]))
    for name in ["baseline", "distilled"]:
        ks = sum(speed[name]) / len(speed[name])
        print("%-10s training images/s: klgrad %.0f, PyTorch %.0f, ratio %.2fx (target >= 3x)" % (name, ks, pt[name][2], ks / pt[name][2]))


if __name__ == "__main__":
    main()
