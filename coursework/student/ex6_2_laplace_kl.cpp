// Exercise 6.2: KL(Laplace || Laplace) through the registry (10 points).
// The math and what "done" means: coursework/exercises/6.2-laplace-kl/exercise.md
// Check it:  build/bin/klgrad-course check 6.2      Stuck?  build/bin/klgrad-course hint 6.2
//
// Return KL(p || q) for two batches of Laplace distributions, one value per
// batch entry, as a klgrad Tensor composed from klgrad ops on p.loc(),
// p.scale(), q.loc() and q.scale() (klgrad/ops.hpp: +, -, *, /, log, exp, abs,
// and scalars). The engine gives its gradient; the check registers it with
// klgrad::register_kl.
#include "pairs.hpp"  // course.hpp (KLGRAD_TODO), klgrad/core.hpp, klgrad/distributions/laplace.hpp

namespace student {

klgrad::Tensor<double> kl_laplace_laplace(const klgrad::Laplace<double>& p, const klgrad::Laplace<double>& q) {
  KLGRAD_TODO("6.2");  // delete this line, then compose the closed form
}

}  // namespace student
