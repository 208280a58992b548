#!/usr/bin/python3
"""Execute the notebooks of notebooks/ headless; fail on any cell error.

    /usr/bin/python3 tests/notebooks/run_notebooks.py [--bin-dir DIR] [--write] [NOTEBOOK ...]

Without NOTEBOOK arguments it runs every notebooks/*.ipynb, in name order.
By default each notebook runs as an in-memory copy: the committed file is never
touched. --write executes them and saves the outputs in place (how the committed
outputs are regenerated; see notebooks/README.md).

The kernel is Jupyter's "python3" (Debian's /usr/bin/python3 with
python3-ipykernel) and runs in the notebook's folder; KLGRAD_BIN_DIR tells the
notebooks where the klgrad programs are (default: build/bin).
Exit code: 0 when every notebook ran, 1 on a cell error, 2 on a set-up problem.
"""
import argparse
import os
import pathlib
import re
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NEEDED = "python3-nbclient python3-nbformat python3-ipykernel python3-matplotlib python3-numpy"
MAX_BYTES = 500_000  # per committed notebook, outputs included
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=pathlib.Path, help="notebooks to run (default: notebooks/*.ipynb)")
    ap.add_argument("--bin-dir", type=pathlib.Path, default=None,
                    help="folder with kl_fit, kl_grad, kl_tour, tiny_vae (default: $KLGRAD_BIN_DIR, else build/bin)")
    ap.add_argument("--write", action="store_true", help="save the executed notebooks, with outputs, in place")
    ap.add_argument("--timeout", type=int, default=240, help="seconds allowed per cell (default 240)")
    a = ap.parse_args()

    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError
        import ipykernel  # noqa: F401  (the kernel the notebooks run in)
        import matplotlib  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as e:
        print(f"run_notebooks: {e} in {sys.executable}; install the Debian packages: apt-get install {NEEDED} "
              "(bash scripts/test.sh does)", file=sys.stderr)
        return 2

    bin_dir = (a.bin_dir or pathlib.Path(os.environ.get("KLGRAD_BIN_DIR", ROOT / "build" / "bin"))).resolve()
    missing = [p for p in ("kl_fit", "kl_grad", "kl_tour", "tiny_vae") if not (bin_dir / p).is_file()]
    if missing:
        print(f"run_notebooks: {', '.join(missing)} not found in {bin_dir}; build klgrad first "
              "(bash scripts/demo.sh) or pass --bin-dir", file=sys.stderr)
        return 2
    paths = [p.resolve() for p in a.notebooks] or sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        print(f"run_notebooks: no notebooks in {NOTEBOOKS}", file=sys.stderr)
        return 2

    # The kernel inherits this environment. Connection files go to a private
    # folder, so a read-only home or a parallel run cannot interfere.
    os.environ["KLGRAD_BIN_DIR"] = str(bin_dir)
    runtime = tempfile.TemporaryDirectory(prefix="klgrad_nbrun_")
    os.environ["JUPYTER_RUNTIME_DIR"] = runtime.name
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # plots inline, whatever the caller set
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets the debugger's frozen-modules note

    failed = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not a.write:  # the committed file must carry the outputs of a run, within the size budget
            stale = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count") is None]
            size = path.stat().st_size
            if stale or size > MAX_BYTES:
                failed += 1
                why = f"cells {stale} have no outputs" if stale else f"{size} bytes, over the {MAX_BYTES} budget"
                print(f"FAIL {path.name}: {why}; regenerate it with {pathlib.Path(__file__).name} --write", file=sys.stderr)
                continue
        client = NotebookClient(nb, timeout=a.timeout, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        t0 = time.monotonic()
        try:
            client.execute()
        except (CellExecutionError, CellTimeoutError) as e:
            failed += 1
            print(f"FAIL {path.name} after {time.monotonic() - t0:.1f} s:\n{ANSI.sub('', str(e))}", file=sys.stderr)
            continue
        except Exception as e:  # the kernel did not start or died
            failed += 1
            print(f"FAIL {path.name}: {type(e).__name__}: {e} (is python3-ipykernel installed?)", file=sys.stderr)
            continue
        seconds = time.monotonic() - t0
        problems = check(nb)
        if problems:
            failed += 1
            print(f"FAIL {path.name}: " + "; ".join(problems), file=sys.stderr)
            continue
        if a.write:
            nbformat.write(nb, path)
            size = path.stat().st_size
            note = f", {size / 1000:.0f} kB" + ("  (over the 500 kB budget: shrink the figures)" if size > MAX_BYTES else "")
            print(f"ok   {path.name}: {seconds:.1f} s, written{note}")
        else:
            print(f"ok   {path.name}: {seconds:.1f} s")
    return 1 if failed else 0


def check(nb):
    """What a cell error does not catch: error outputs, stray stderr tracebacks, oversized outputs."""
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"cell {i} has an error output")
            if out.get("output_type") == "stream" and "Traceback" in out.get("text", ""):
                problems.append(f"cell {i} printed a traceback")
            if out.get("output_type") == "stream" and len(out.get("text", "")) > 20_000:
                problems.append(f"cell {i} printed {len(out['text'])} characters (keep outputs small)")
    return problems


if __name__ == "__main__":
    sys.exit(main())
