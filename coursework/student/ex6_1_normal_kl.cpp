// Exercise 6.1: KL(Normal || Normal) through the registry (15 points).
// The math and what "done" means: coursework/exercises/6.1-normal-kl/exercise.md
// Check it:  build/bin/klgrad-course check 6.1      Stuck?  build/bin/klgrad-course hint 6.1
//
// Return KL(p || q) for two batches of Normals, one value per batch entry, as
// a klgrad Tensor composed from klgrad ops on p.loc(), p.scale(), q.loc() and
// q.scale() (klgrad/ops.hpp: +, -, *, /, log, pow, and scalars). The engine
// gives its gradient; the check registers it with klgrad::register_kl.
#include "pairs.hpp"  // course.hpp (KLGRAD_TODO), klgrad/core.hpp, klgrad/distributions.hpp

namespace student {

klgrad::Tensor<double> kl_normal_normal(const klgrad::Normal<double>& p, const klgrad::Normal<double>& q) {
  KLGRAD_TODO("6.1");  // delete this line, then compose the closed form
}

}  // namespace student
