"""Reference values of the distribution zoo (issue 14): so far the special
functions lgamma, digamma and trigamma (tests/distributions/test_zoo.cpp).
"""
import mpmath
import torch

D = torch.float64


def special(w, g):
    """lgamma, digamma and their derivatives digamma, trigamma (polygamma(1, .)), at
    positive points across the range the distributions use and at negative non-integers."""
    x = torch.cat([torch.exp(3 * torch.randn(20, generator=g, dtype=D)), torch.tensor([1e-3, 0.5, 1.0, 2.0, 30.5, 170.0], dtype=D),
                   -4 * torch.rand(6, generator=g, dtype=D)])
    w.put("special/x", x)
    w.put("special/lgamma", torch.lgamma(x))
    w.put("special/digamma", torch.digamma(x))
    w.put("special/trigamma", torch.polygamma(1, x))
    # PyTorch's polygamma(1, .) is accurate to ~5e-10 relative only (its CPU series);
    # mpmath at 40 digits is the reference the tests hold klgrad's trigamma to.
    mpmath.mp.dps = 40
    w.put("special/trigamma_mpmath", torch.tensor([float(mpmath.psi(1, v)) for v in x.tolist()], dtype=D))


def generate(w):
    g = torch.Generator().manual_seed(14)
    special(w, g)
