#include "klgrad/io/checkpoint.hpp"

#include <cmath>

namespace klgrad {

void write_training_state(std::vector<std::pair<std::string, NpyArray>>& e, const std::vector<Parameter<float>*>& params,
                          Optimizer<float>& optimizer, const Array<double>& history, const Generator& gen) {
  e.emplace_back("epoch", to_npy(Array<std::int64_t>(static_cast<std::int64_t>(history.shape()[0]))));
  e.emplace_back("rng_state", text_entry(gen.state()));
  e.emplace_back("history", to_npy(history));
  for (Parameter<float>* p : params) e.emplace_back(p->name, to_npy(p->value));
  optimizer.visit_state([&](const std::string& name, Array<float>& a) { e.emplace_back("optim." + name, to_npy(a)); });
  optimizer.visit_steps([&](const std::string& name, std::int64_t& s) { e.emplace_back("optim." + name, to_npy(Array<std::int64_t>(s))); });
}

TrainingState TrainingState::read(const NpzEntries& f, const std::string& path, const std::vector<Parameter<float>*>& params,
                                  Optimizer<float>& optimizer, std::size_t width) {
  TrainingState s;
  for (Parameter<float>* p : params) {
    s.values.push_back(read_entry<float>(f, p->name, path));
    if (s.values.back().shape() != p->value.shape())
      throw DataError(path + ": '" + p->name + "' has shape " + shape_str(s.values.back().shape()) + ", the model needs " +
                      shape_str(p->value.shape()));
    for (float v : s.values.back())
      if (!std::isfinite(v)) throw DataError(path + ": '" + p->name + "' holds " + number_str(v) + "; the checkpoint is damaged");
  }
  optimizer.visit_state([&](const std::string& name, Array<float>& a) {
    s.optimizer_state.push_back(read_entry<float>(f, "optim." + name, path));
    if (s.optimizer_state.back().shape() != a.shape()) throw DataError(path + ": 'optim." + name + "' has the wrong shape");
  });
  optimizer.visit_steps([&](const std::string& name, std::int64_t&) { s.optimizer_steps.push_back(read_count(f, "optim." + name, path)); });
  const std::int64_t epoch = read_count(f, "epoch", path);
  s.history = read_entry<double>(f, "history", path);
  const Array<double>& h = s.history;
  if (h.dimension() != 2 || h.shape()[1] != width || static_cast<std::int64_t>(h.shape()[0]) != epoch)
    throw DataError(path + ": damaged checkpoint ('history' does not match 'epoch')");
  for (std::size_t r = 0; r < h.shape()[0]; ++r)  // row r is epoch r + 1
    if (!whole_number(h(r, 0)) || h(r, 0) != static_cast<double>(r + 1))
      throw DataError(path + ": damaged checkpoint ('history' row " + std::to_string(r + 1) + " is not epoch " +
                      std::to_string(r + 1) + ")");
  try {
    s.gen.set_state(read_text(f, "rng_state", path));
  } catch (const Error& err) {
    throw DataError(path + ": damaged checkpoint (rng_state: " + err.what() + ")");
  }
  return s;
}

void TrainingState::commit(const std::vector<Parameter<float>*>& params, Optimizer<float>& optimizer, Generator& g) const {
  std::size_t i = 0;
  for (Parameter<float>* p : params) p->value = values[i++];
  i = 0;
  optimizer.visit_state([&](const std::string&, Array<float>& a) { a = optimizer_state[i++]; });
  i = 0;
  optimizer.visit_steps([&](const std::string&, std::int64_t& s) { s = optimizer_steps[i++]; });
  g = gen;
}

}  // namespace klgrad
