// klgrad/io/checkpoint.hpp — reading and writing the entries of a training
// checkpoint (.npz, io/npz.hpp): a text entry (the format tag, the RNG state),
// arrays and counts, each read with a one-line DataError naming the file and
// the entry when it is missing or damaged. VaeTrainer and ClassifierTrainer
// (models/) store their checkpoints with these.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#include "klgrad/io/npz.hpp"
#include "klgrad/optim.hpp"
#include "klgrad/random.hpp"

namespace klgrad {

// A checkpoint written by a model of other sizes. `field` names the size ("input",
// "hidden", "latent", ...); `saved` is the checkpoint's size, `current` this trainer's. A program
// can catch it to name its own option for that size.
class CheckpointMismatch : public DataError {
 public:
  CheckpointMismatch(const std::string& what, std::string field_, long long saved_, long long current_)
      : DataError(what), field(std::move(field_)), saved(saved_), current(current_) {}
  std::string field;
  long long saved, current;
};

using NpzEntries = std::map<std::string, NpyArray>;

// A string stored as bytes (|u1).
inline NpyArray text_entry(const std::string& s) {
  Array<std::uint8_t> a = Array<std::uint8_t>::from_shape(Shape{s.size()});
  if (!s.empty()) std::memcpy(a.data(), s.data(), s.size());
  return to_npy(a);
}

template <class T>
Array<T> read_entry(const NpzEntries& f, const std::string& key, const std::string& path) {
  auto it = f.find(key);
  if (it == f.end()) throw DataError(path + ": checkpoint has no '" + key + "' entry; it is damaged or from another program");
  return from_npy<T>(it->second, path + ":" + key);
}

inline std::string read_text(const NpzEntries& f, const std::string& key, const std::string& path) {
  const Array<std::uint8_t> a = read_entry<std::uint8_t>(f, key, path);
  return std::string(a.begin(), a.end());
}

// The 'format' entry must be `format`; `kind` names the checkpoint ("VAE") and
// `writer` what writes one ("VaeTrainer::save"), for the error.
inline void check_format(const NpzEntries& f, const std::string& path, const std::string& format, const std::string& kind,
                         const std::string& writer) {
  if (f.find("format") == f.end())
    throw DataError(path + ": not a klgrad " + kind + " checkpoint (no 'format' entry); use a file written by " + writer);
  const std::string saved = read_text(f, "format", path);
  if (saved != format) throw DataError(path + ": checkpoint format '" + saved + "', this klgrad reads '" + format + "'");
}

// A count stored as one int64 (epoch, optimizer steps): exactly one value, >= 0.
inline std::int64_t read_count(const NpzEntries& f, const std::string& key, const std::string& path) {
  const Array<std::int64_t> a = read_entry<std::int64_t>(f, key, path);
  if (a.size() != 1 || a.flat(0) < 0)
    throw DataError(path + ": damaged checkpoint ('" + key + "' must be one count >= 0, has " + std::to_string(a.size()) +
                    " values)");
  return a.flat(0);
}

// A size or an epoch number stored as a double: a whole number in [0, 2^31).
inline bool whole_number(double v) { return v >= 0 && v < 2147483648.0 && v == static_cast<double>(static_cast<long long>(v)); }

// ---- a trainer's state: parameters, optimizer, epochs, history, RNG (io/checkpoint.cpp) ----

// Appends the parameters (by name), the optimizer's state and steps ("optim.*"),
// "epoch", the history (epochs x width, row r is epoch r + 1) and "rng_state".
void write_training_state(std::vector<std::pair<std::string, NpyArray>>& entries, const std::vector<Parameter<float>*>& params,
                          Optimizer<float>& optimizer, const Array<double>& history, const Generator& gen);

// The same read back and checked against the model (shapes, finite values) and
// the history's width; nothing is changed until commit().
struct TrainingState {
  std::vector<Array<float>> values, optimizer_state;
  std::vector<std::int64_t> optimizer_steps;
  Array<double> history;
  Generator gen;

  static TrainingState read(const NpzEntries& f, const std::string& path, const std::vector<Parameter<float>*>& params,
                            Optimizer<float>& optimizer, std::size_t history_width);
  void commit(const std::vector<Parameter<float>*>& params, Optimizer<float>& optimizer, Generator& g) const;
};

}  // namespace klgrad
