// export.hpp — a student repository with the chosen exercises (export.cpp).
#pragma once

#include <string>
#include <vector>

#include "course.hpp"

namespace course {

struct ExportSummary {
  std::size_t copied = 0, dropped = 0;
  std::vector<std::string> exercises;
};

// Throws std::invalid_argument for an unknown id, an empty choice, or an --out
// that exists and is not empty (nothing already there is touched).
ExportSummary export_repository(const std::string& root, const std::vector<Exercise>& all,
                                const std::vector<std::string>& chosen, const std::string& out);

}  // namespace course
