#!/usr/bin/python3
"""Writes the seed corpora of the fuzzers into tests/fuzz/corpus/{idx,checkpoint,numbers}/.

    /usr/bin/python3 tests/fuzz/make_corpus.py

Deterministic (same bytes on every run), needs only numpy. The seeds are small
valid inputs plus a few broken variants; the fuzzers mutate them
(docs/FUZZING.md).
  idx/         IDX image and label files as in data/idx.hpp (raw and gzip), truncated ones
  checkpoint/  tiny VAE checkpoints (input 4, hidden 3, latent 2) in the layout
               VaeTrainer::save writes, and one written by numpy.savez (zip64 extras)
  numbers/     lists as `kl_fit --target` takes them, good and bad
"""
import gzip
import io
import pathlib
import shutil
import struct
import zipfile

import numpy as np

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"


def write(kind, name, data):
    path = CORPUS / kind / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def gz(data):  # mtime 0: the same bytes on every run
    return gzip.compress(data, mtime=0)


# ---- IDX: big-endian header, then bytes ------------------------------------------------

def idx_images(count, rows, cols, pixels):
    return struct.pack(">IIII", 2051, count, rows, cols) + bytes(pixels)


def idx_labels(count, labels):
    return struct.pack(">II", 2049, count) + bytes(labels)


def make_idx():
    images = idx_images(2, 3, 3, [0, 255, 0, 255, 255, 255, 0, 255, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    labels = idx_labels(4, [0, 9, 3, 7])
    write("idx", "images_2x3x3.idx", images)
    write("idx", "labels_4.idx", labels)
    write("idx", "images_2x3x3.idx.gz", gz(images))
    write("idx", "labels_4.idx.gz", gz(labels))
    write("idx", "images_header_only.idx", images[:16])
    write("idx", "images_cut_in_pixels.idx", images[:25])
    write("idx", "labels_cut.idx", labels[:10])
    write("idx", "images_huge_count.idx", idx_images(0xFFFFFFFF, 0xFFFF, 0xFFFF, [1, 2, 3]))
    write("idx", "images_zero_rows.idx", idx_images(1, 0, 3, []))
    write("idx", "labels_gz_truncated.idx.gz", gz(labels)[:-6])
    write("idx", "html_page.idx", "<html><body>404</body></html>")


# ---- checkpoint: an .npz of .npy arrays --------------------------------------------------

def mt19937_64_state(seed):
    """std::mt19937_64(seed) as libstdc++'s operator<< prints it: 312 words, then the position."""
    x = [seed]
    for i in range(1, 312):
        x.append((6364136223846793005 * (x[-1] ^ (x[-1] >> 62)) + i) % 2**64)
    return " ".join(map(str, x)) + " 312"


def checkpoint_entries(epochs, input=4, hidden=3, latent=2):
    """What VaeTrainer::save writes, in its order, for a VAE of these sizes."""
    rng = np.random.default_rng(0)
    text = lambda s: np.frombuffer(s.encode(), dtype=np.uint8)
    e = {
        "format": text("klgrad-vae-checkpoint-1"),
        "config": np.array([input, hidden, latent, 2, 1e-3, 1.0, 1], dtype=np.float64),
        "epoch": np.array(epochs, dtype=np.int64),
        "rng_state": text("klgrad.Generator.v1 mt19937_64 " + mt19937_64_state(1)),
        "history": np.array([[k + 1, 500.0, 480.0, 470.0, 10.0, 0.5, 1000.0] for k in range(epochs)],
                            dtype=np.float64).reshape(epochs, 7),
    }
    layers = [("fc1", input, hidden), ("fc21", hidden, latent), ("fc22", hidden, latent),
              ("fc3", latent, hidden), ("fc4", hidden, input)]
    params = []
    for name, n_in, n_out in layers:
        params.append((name + ".weight", (n_out, n_in)))
        params.append((name + ".bias", (n_out,)))
    for name, shape in params:
        e[name] = rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)
    for i, (_, shape) in enumerate(params):
        e[f"optim.exp_avg.{i}"] = rng.normal(0, 0.01, size=shape).astype(np.float32)
        e[f"optim.exp_avg_sq.{i}"] = rng.uniform(0, 1e-4, size=shape).astype(np.float32)
    for i in range(len(params)):
        e[f"optim.step.{i}"] = np.array(3 * epochs, dtype=np.int64)
    return e


def npz_like_klgrad(entries):
    """Stored entries, fixed date 1980-01-01, no extra fields, and libzip's version
    fields (made by 6.3, needs 1.0): the bytes write_npz produces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, a in entries.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, a, version=(1, 0))
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.create_version, info.extract_version = 63, 10
            z.writestr(info, npy.getvalue())
    return out.getvalue()


def npz_by_numpy(entries):
    out = io.BytesIO()
    np.savez(out, **entries)
    return out.getvalue()


def make_checkpoint():
    write("checkpoint", "vae_4_3_2_epoch1.npz", npz_like_klgrad(checkpoint_entries(1)))
    write("checkpoint", "vae_4_3_2_epoch0_numpy_savez.npz", npz_by_numpy(checkpoint_entries(0)))


# ---- number lists --------------------------------------------------------------------------

def make_numbers():
    lists = ["0.7,0.2,0.1", "0.45,0.05,0.45,0.05", "1e-3 2", "nan", "inf", "1e309", "4.9e-324",
             "-0x1p-1074", "1\n2\n3\n", "\t0.5\r\n0.5", " 1 , 2 ,", ",1", "1,,2", "0.7;0.3", "+.5e+3,-0"]
    for i, text in enumerate(lists):
        write("numbers", f"list_{i:02d}.txt", text)


if __name__ == "__main__":
    for kind, make in [("idx", make_idx), ("checkpoint", make_checkpoint), ("numbers", make_numbers)]:
        shutil.rmtree(CORPUS / kind, ignore_errors=True)
        (CORPUS / kind).mkdir(parents=True)
        make()
