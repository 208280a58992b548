// klgrad/xt.hpp — the one place klgrad includes xtensor.
//
// Every klgrad value is an `Array<T>`: an N-d, row-major, dynamically shaped
// xtensor container. Keeping the include here means a move to another xtensor
// version touches one file.
//
// xtensor discipline used throughout klgrad:
//  * never keep an `auto` xtensor expression past its statement: assign it to
//    an Array first (lazy expressions may reference temporaries);
//  * write results with `xt::noalias(out) = expr` into reused buffers (no
//    temporary, no page faults), only where each element reads its own position;
//  * never put a `keep_dims` reducer inside a broadcasting expression: it reads
//    out of bounds on xtensor 0.24.3 (upstream issue 2737). Materialise it first.
// docs/XTENSOR.md explains each of these traps.
#pragma once

#include <cstddef>
#include <string>

#include <xtensor/xarray.hpp>
#include <xtensor/xnoalias.hpp>

namespace klgrad {

template <class T>
using Array = xt::xarray<T>;

// A shape, e.g. Shape{2, 3}. (Braces: `Array<T>({2, 3})` would be two values.)
using Shape = xt::xarray<float>::shape_type;

// "(2, 3)": how shapes appear in every klgrad error message.
std::string shape_str(const Shape& s);

// Number of elements of a shape (1 for a 0-d shape).
std::size_t numel(const Shape& s);

}  // namespace klgrad
