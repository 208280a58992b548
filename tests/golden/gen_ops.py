"""Reference values of the primitives in lib/core/include/klgrad/ops.hpp.

For each case: the inputs, the forward output, a random seed gradient g and
the gradient of every input for y.backward(g), in float64 and float32 (the
float32 case runs PyTorch in float32 on the float64 inputs rounded to float32).
Keys: "<group>/<case>/<float64|float32>/<in0|in1|in2|seed|out|grad0|grad1|grad2>".
The C++ tests (tests/ops/test_*.cpp) hold the same case names with the same
functions and scalar arguments; a case here without its C++ twin fails a test.

Inputs include the places where PyTorch picks a convention: abs/relu at 0,
clamp exactly at its bounds, pow at 0, softplus past its threshold, and ties
for max (integers), so those conventions are pinned down too.
"""
import torch
import torch.nn.functional as F

F64 = torch.float64


def randn(*shape):
    return lambda g: torch.randn(shape, generator=g, dtype=F64)


def pos(*shape):  # in [0.25, 1.75): log, sqrt, divisors, fractional powers
    return lambda g: torch.rand(shape, generator=g, dtype=F64) * 1.5 + 0.25


def ints(*shape):  # small integers: ties for max
    return lambda g: torch.randint(-2, 3, shape, generator=g).to(F64)


def scaled(spec, s):
    return lambda g: spec(g) * s


def with_values(spec, values):  # spec with some elements (flat index -> value) set
    def make(g):
        x = spec(g)
        flat = x.view(-1)
        for i, v in values.items():
            flat[i] = v
        return x
    return make


ZEROS = {0: 0.0, 5: 0.0}

CASES = [
    # ---- binary, with broadcasting ----
    ("binary/add_same", lambda a, b: a + b, [randn(3, 4), randn(3, 4)]),
    ("binary/add_row", lambda a, b: a + b, [randn(2, 3), randn(3)]),
    ("binary/add_outer", lambda a, b: a + b, [randn(2, 1), randn(1, 3)]),
    ("binary/add_3d", lambda a, b: a + b, [randn(4, 1, 3), randn(2, 3)]),
    ("binary/sub_row", lambda a, b: a - b, [randn(2, 3), randn(3)]),
    ("binary/sub_3d", lambda a, b: a - b, [randn(4, 1, 3), randn(2, 3)]),
    ("binary/mul_outer", lambda a, b: a * b, [randn(2, 1), randn(1, 3)]),
    ("binary/mul_3d", lambda a, b: a * b, [randn(4, 1, 3), randn(2, 3)]),
    ("binary/mul_scalar_tensor", lambda a, b: a * b, [randn(2, 3), randn()]),
    ("binary/div_row", lambda a, b: a / b, [randn(2, 3), pos(3)]),
    ("binary/div_3d", lambda a, b: a / b, [randn(4, 1, 3), pos(2, 3)]),
    ("binary/add_scalar", lambda x: x + 1.5, [randn(3, 4)]),
    ("binary/mul_scalar", lambda x: x * -2.5, [randn(3, 4)]),
    ("binary/div_scalar", lambda x: x / 0.7, [randn(3, 4)]),
    ("binary/rsub_scalar", lambda x: 3.0 - x, [randn(3, 4)]),
    # ---- unary ----
    ("unary/neg", lambda x: -x, [randn(3, 4)]),
    ("unary/exp", torch.exp, [randn(3, 4)]),
    ("unary/log", torch.log, [pos(3, 4)]),
    ("unary/sqrt", torch.sqrt, [pos(3, 4)]),
    ("unary/abs", torch.abs, [with_values(randn(3, 4), ZEROS)]),
    ("unary/pow_2", lambda x: x.pow(2.0), [randn(3, 4)]),
    ("unary/pow_3", lambda x: x.pow(3.0), [randn(3, 4)]),
    ("unary/pow_0", lambda x: x.pow(0.0), [randn(3, 4)]),
    ("unary/pow_1", lambda x: x.pow(1.0), [with_values(randn(3, 4), ZEROS)]),
    ("unary/pow_0.5", lambda x: x.pow(0.5), [with_values(pos(3, 4), ZEROS)]),
    ("unary/pow_-1.5", lambda x: x.pow(-1.5), [pos(3, 4)]),
    ("unary/pow_2.5_neg", lambda x: x.pow(2.5), [randn(3, 4)]),
    ("unary/clamp", lambda x: x.clamp(-0.5, 0.75), [with_values(randn(3, 4), {0: -0.5, 1: 0.75, 2: 0.0})]),
    ("unary/clamp_lo_gt_hi", lambda x: x.clamp(1.0, -1.0), [randn(3, 4)]),
    ("unary/relu", torch.relu, [with_values(randn(3, 4), ZEROS)]),
    ("unary/sigmoid", torch.sigmoid, [scaled(randn(3, 4), 3.0)]),
    ("unary/tanh", torch.tanh, [scaled(randn(3, 4), 2.0)]),
    ("unary/softplus", F.softplus, [with_values(scaled(randn(3, 4), 10.0), {0: 20.0, 1: 25.0, 2: -30.0})]),
    ("unary/softplus_beta2_th5", lambda x: F.softplus(x, beta=2.0, threshold=5.0),
     [with_values(scaled(randn(3, 4), 3.0), {0: 2.5, 1: 3.0})]),
    # ---- reductions ----
    ("reduce/sum_all", torch.sum, [randn(3, 4)]),
    ("reduce/sum_d1", lambda x: x.sum([1]), [randn(2, 3, 4)]),
    ("reduce/sum_d0", lambda x: x.sum([0]), [randn(5, 4)]),
    ("reduce/sum_d02_keep", lambda x: x.sum([0, 2], keepdim=True), [randn(2, 3, 4)]),
    ("reduce/sum_dneg1", lambda x: x.sum([-1]), [randn(2, 3, 4)]),
    ("reduce/sum_dneg3_neg1", lambda x: x.sum([-3, -1]), [randn(2, 3, 4)]),
    ("reduce/sum_nodims_keep", lambda x: x.sum([], keepdim=True), [randn(2, 3)]),
    ("reduce/mean_all", torch.mean, [randn(3, 4)]),
    ("reduce/mean_d1_keep", lambda x: x.mean([1], keepdim=True), [randn(2, 3, 4)]),
    ("reduce/mean_d01", lambda x: x.mean([0, 1]), [randn(2, 3, 4)]),
    ("reduce/mean_dneg1", lambda x: x.mean([-1]), [randn(2, 3, 4)]),
    ("reduce/max_all", torch.max, [randn(3, 4)]),
    ("reduce/max_all_ties", torch.max, [ints(3, 4)]),
    ("reduce/max_d1_ties", lambda x: x.max(1).values, [ints(3, 4)]),
    ("reduce/max_d0_keep_ties", lambda x: x.max(0, keepdim=True).values, [ints(2, 3, 4)]),
    ("reduce/max_dneg1", lambda x: x.max(-1).values, [randn(2, 3, 4)]),
    ("reduce/max_d1", lambda x: x.max(1).values, [randn(2, 3, 4)]),
    ("reduce/logsumexp_d0", lambda x: torch.logsumexp(x, 0), [randn(2, 3, 4)]),
    ("reduce/logsumexp_d1_keep", lambda x: torch.logsumexp(x, 1, keepdim=True), [randn(2, 3, 4)]),
    ("reduce/logsumexp_dneg1", lambda x: torch.logsumexp(x, -1), [scaled(randn(2, 3, 4), 30.0)]),
    # ---- shape ----
    ("shape/reshape_infer", lambda x: x.reshape(4, -1), [randn(2, 3, 4)]),
    ("shape/reshape_flat", lambda x: x.reshape(-1), [randn(2, 3, 4)]),
    ("shape/reshape_3d", lambda x: x.reshape(3, 1, 4), [randn(3, 4)]),
    ("shape/transpose_2d", lambda x: x.transpose(0, 1), [randn(3, 4)]),
    ("shape/transpose_02", lambda x: x.transpose(0, 2), [randn(2, 3, 4)]),
    ("shape/transpose_neg", lambda x: x.transpose(-1, -2), [randn(2, 3, 4)]),
    ("shape/broadcast_col", lambda x: x.broadcast_to(2, 3, 4), [randn(3, 1)]),
    ("shape/broadcast_row", lambda x: x.broadcast_to(2, 3, 4), [randn(4)]),
    ("shape/broadcast_mid", lambda x: x.broadcast_to(2, 3, 4), [randn(2, 1, 4)]),
    # ---- linear algebra ----
    ("matmul/matmul", torch.matmul, [randn(3, 4), randn(4, 5)]),
    ("matmul/matmul_outer", torch.matmul, [randn(3, 1), randn(1, 4)]),
    ("matmul/matmul_dot", torch.matmul, [randn(1, 6), randn(6, 1)]),
    ("matmul/linear", F.linear, [randn(5, 4), randn(3, 4), randn(3)]),
    ("matmul/linear_one_row", F.linear, [randn(1, 7), randn(2, 7), randn(2)]),
    # ---- softmax family ----
    ("softmax/softmax_d0", lambda x: torch.softmax(x, 0), [randn(2, 3, 4)]),
    ("softmax/softmax_d1", lambda x: torch.softmax(x, 1), [randn(2, 3, 4)]),
    ("softmax/softmax_dneg1", lambda x: torch.softmax(x, -1), [scaled(randn(2, 3, 4), 5.0)]),
    ("softmax/log_softmax_d0", lambda x: F.log_softmax(x, 0), [randn(2, 3, 4)]),
    ("softmax/log_softmax_d1", lambda x: F.log_softmax(x, 1), [randn(2, 3, 4)]),
    ("softmax/log_softmax_dneg1", lambda x: F.log_softmax(x, -1), [scaled(randn(2, 3, 4), 5.0)]),
]


def generate(w):
    for n, (name, fn, specs) in enumerate(CASES):
        g = torch.Generator().manual_seed(1000 + n)
        base = [spec(g) for spec in specs]
        seed64 = None
        for dtype, tag in [(torch.float64, "float64"), (torch.float32, "float32")]:
            xs = [b.detach().to(dtype).clone().requires_grad_() for b in base]
            y = fn(*xs)
            if seed64 is None:
                seed64 = torch.randn(y.shape, generator=g, dtype=F64)
            seed = seed64.to(dtype)
            y.backward(seed)
            k = "%s/%s/" % (name, tag)
            for i, x in enumerate(xs):
                w.put(k + "in%d" % i, x)
            w.put(k + "seed", seed)
            w.put(k + "out", y)
            for i, x in enumerate(xs):
                w.put(k + "grad%d" % i, x.grad if x.grad is not None else torch.zeros_like(x))
