"""Writes tests/io/numpy_savez.npz, the .npz that test_npz.cpp reads to prove
klgrad understands what numpy.savez really writes (zip64 extra fields, numpy's
header padding). Re-generate with
    /usr/bin/python3 tests/io/make_npz_fixture.py
The values are spelled out in test_npz.cpp ("reads a file written by numpy.savez").
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
np.savez(
    os.path.join(here, "numpy_savez.npz"),
    w=(np.arange(6, dtype="<f4") / 8).reshape(2, 3),
    scalar=np.float64(3.25),
    idx=np.array([-1, 0, 2**40], dtype="<i8"),
    count=np.array([7, -8], dtype="<i4"),
    pix=np.arange(8, dtype="|u1").reshape(2, 2, 2),
    **{"enc/empty": np.zeros((0, 3), dtype="<f4")},
)
