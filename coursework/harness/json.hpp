// json.hpp — the harness's JSON (nlohmann/json, Debian's nlohmann-json3-dev):
// the grading files (inputs, submission, key) hold matrices as
// {"rows": r, "cols": c, "data": [...]}.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "course.hpp"

namespace course {

using Json = nlohmann::json;

inline Json to_json(const Mat& m) { return Json{{"rows", m.rows}, {"cols", m.cols}, {"data", m.data}}; }

// Throws std::invalid_argument naming what is wrong.
inline Mat mat_from(const Json& j) {
  if (!j.is_object() || !j.contains("rows") || !j.contains("cols") || !j.contains("data") || !j["data"].is_array())
    throw std::invalid_argument("a matrix must be {\"rows\": r, \"cols\": c, \"data\": [...]}");
  Mat m{j["rows"].get<std::size_t>(), j["cols"].get<std::size_t>(), {}};
  for (const Json& v : j["data"]) {
    if (!v.is_number()) throw std::invalid_argument("a matrix entry is not a number");
    m.data.push_back(v.get<double>());
  }
  if (m.data.size() != m.rows * m.cols)
    throw std::invalid_argument("a matrix has " + std::to_string(m.data.size()) + " entries for shape (" + std::to_string(m.rows) +
                                ", " + std::to_string(m.cols) + ")");
  return m;
}

}  // namespace course
