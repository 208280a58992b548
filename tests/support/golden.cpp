#include "support/golden.hpp"

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "klgrad/error.hpp"

namespace golden {

File::File(const std::string& name) : name_(name) {
  const std::string path = std::string(KLGRAD_GOLDEN_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("golden: cannot open " + path + "; regenerate with /usr/bin/python3 tests/golden/generate.py");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string key, tok;
    std::size_t ndim = 0;
    s >> key >> ndim;
    Record r;
    for (std::size_t k = 0; k < ndim; ++k) {
      std::size_t d = 0;
      s >> d;
      r.shape.push_back(d);
    }
    while (s >> tok) r.values.push_back(std::stod(tok));  // stod reads nan, inf, -inf
    if (r.values.size() != klgrad::numel(r.shape))
      throw std::runtime_error("golden: " + name + ": record " + key + " has " + std::to_string(r.values.size()) +
                               " values for shape " + klgrad::shape_str(r.shape));
    records_[key] = std::move(r);
  }
}

const Record& File::at(const std::string& key) const {
  auto it = records_.find(key);
  if (it == records_.end()) throw std::runtime_error("golden: " + name_ + " has no record '" + key + "'; regenerate the fixtures");
  return it->second;
}

std::vector<std::string> File::keys_with_prefix(const std::string& prefix) const {
  std::vector<std::string> out;
  for (auto it = records_.lower_bound(prefix); it != records_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    out.push_back(it->first);
  return out;
}

const File& file(const std::string& name) {
  static std::map<std::string, std::unique_ptr<File>> cache;
  auto& f = cache[name];
  if (!f) f = std::make_unique<File>(name);
  return *f;
}

std::string compare(const klgrad::Array<double>& got, const klgrad::Array<double>& want, double rtol, double atol) {
  if (got.shape() != want.shape())
    return "shape " + klgrad::shape_str(got.shape()) + " vs reference " + klgrad::shape_str(want.shape());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double a = got.flat(i), b = want.flat(i);
    if (std::isnan(a) && std::isnan(b)) continue;
    if (std::isinf(b) && a == b) continue;
    if (!(std::abs(a - b) <= atol + rtol * std::abs(b))) {
      std::ostringstream o;
      o.precision(17);
      o << "element " << i << ": got " << a << ", PyTorch " << b;
      return o.str();
    }
  }
  return "";
}

}  // namespace golden
