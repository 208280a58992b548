// klgrad/core.hpp — the teaching core alone (the target klgrad::core): the
// engine, the primitive ops, the KL node, the optimizers, gradcheck and Linear.
// docs/READING.md gives the order to read it in. klgrad/klgrad.hpp adds the
// other losses, the distributions, and files and models.
#pragma once

#include "klgrad/debug.hpp"
#include "klgrad/error.hpp"
#include "klgrad/gradcheck.hpp"
#include "klgrad/losses/kl_div.hpp"
#include "klgrad/losses/reduction.hpp"
#include "klgrad/nn.hpp"
#include "klgrad/ops.hpp"
#include "klgrad/optim.hpp"
#include "klgrad/random.hpp"
#include "klgrad/tape.hpp"
#include "klgrad/xt.hpp"
