#include "klgrad/models/classifier.hpp"

#include <chrono>
#include <cmath>
#include <numeric>

#include "klgrad/losses/distill.hpp"

namespace klgrad {

// ---- dropout and the MLP ----

template <class T>
Tensor<T> dropout(const Tensor<T>& x, double p, Generator& gen) {
  KLGRAD_CHECK(p >= 0 && p < 1, "dropout: p must be in [0, 1), got " + number_str(p));
  if (p == 0) return x;
  Array<T> mask = gen.uniform<T>(x.shape());
  const T keep = static_cast<T>(1 - p), scale = T(1) / keep;
  for (T& m : mask) m = m < keep ? scale : T(0);  // kept with probability 1 - p, then scaled
  return x * x.tape().constant(mask);
}

template <class T>
MLP<T>::MLP(std::vector<std::size_t> s, double p, Generator& gen) : sizes(std::move(s)), dropout_p(p) {
  KLGRAD_CHECK(sizes.size() >= 2, "MLP: sizes needs an input and an output size, got " + std::to_string(sizes.size()) + " sizes");
  for (std::size_t n : sizes) KLGRAD_CHECK(n > 0, "MLP: every size must be >= 1, got 0");
  KLGRAD_CHECK(p >= 0 && p < 1, "MLP: dropout must be in [0, 1), got " + number_str(p));
  layers.reserve(sizes.size() - 1);
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) layers.emplace_back(sizes[i], sizes[i + 1], gen, "fc" + std::to_string(i + 1));
}

template <class T>
std::vector<Parameter<T>*> MLP<T>::parameters() {
  std::vector<Parameter<T>*> p;
  for (Linear<T>& l : layers) l.collect(p);
  return p;
}

template <class T>
Tensor<T> MLP<T>::forward(Tape<T>& tape, const Tensor<T>& x, Generator* train_gen) {
  KLGRAD_CHECK(x.dim() == 2 && x.shape()[1] == sizes.front(),
               "MLP: input batch " + shape_str(x.shape()) + " must be (N, " + std::to_string(sizes.front()) + ")");
  Tensor<T> h = x;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    h = layers[i](tape, h);
    if (i + 1 == layers.size()) break;  // the last layer gives the logits
    h = relu(h);
    if (train_gen) h = dropout(h, dropout_p, *train_gen);
  }
  return h;
}

template Tensor<float> dropout(const Tensor<float>&, double, Generator&);
template Tensor<double> dropout(const Tensor<double>&, double, Generator&);
template struct MLP<float>;
template struct MLP<double>;

// ---- the trainer ----

namespace {

constexpr const char* kFormat = "klgrad-classifier-checkpoint-1";
constexpr std::size_t kHistory = 8;  // epoch, train_loss, accuracy, nll, agreement, kl, epoch_s, samples_per_s

std::vector<std::size_t> all_sizes(std::size_t input, const std::vector<std::size_t>& hidden, std::size_t classes) {
  std::vector<std::size_t> s{input};
  s.insert(s.end(), hidden.begin(), hidden.end());
  s.push_back(classes);
  return s;
}

AdamOptions adam_options(const ClassifierConfig& c) {
  AdamOptions o;
  o.lr = c.lr;
  return o;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// rows idx[begin .. begin + n) of a (count, K) array into out (n, K).
void gather_rows(const Array<float>& all, const std::vector<std::size_t>& idx, std::size_t begin, std::size_t n,
                 Array<float>& out) {
  const std::size_t k = all.shape()[1];
  if (out.shape() != Shape({n, k})) out.resize(Shape{n, k});
  for (std::size_t i = 0; i < n; ++i) std::copy_n(all.data() + idx[begin + i] * k, k, out.data() + i * k);
}

void check_data(const Images& images, const Labels& labels, const Array<float>& teacher, std::size_t input,
                std::size_t classes, const char* who) {
  KLGRAD_CHECK(images.image_size() == input, std::string(who) + ": images are " + std::to_string(images.rows) + "x" +
                                                 std::to_string(images.cols) + ", the model expects " + std::to_string(input) +
                                                 " pixels per image");
  KLGRAD_CHECK(labels.count() == images.count, std::string(who) + ": " + std::to_string(images.count) + " images but " +
                                                   std::to_string(labels.count()) + " labels");
  for (std::uint8_t y : labels.values)
    KLGRAD_CHECK(y < classes, std::string(who) + ": label " + std::to_string(y) + " is not one of the model's " +
                                  std::to_string(classes) + " classes");
  KLGRAD_CHECK(teacher.size() == 0 || teacher.shape() == Shape({images.count, classes}),
               std::string(who) + ": teacher logits " + shape_str(teacher.shape()) + " must be (" +
                   std::to_string(images.count) + ", " + std::to_string(classes) + "), one row per image");
}

std::size_t argmax_row(const float* row, std::size_t k) {
  return static_cast<std::size_t>(std::max_element(row, row + k) - row);
}

}  // namespace

ClassifierTrainer::ClassifierTrainer(const ClassifierConfig& c, std::size_t input, std::size_t classes)
    : config_(c), gen_(c.seed), model_(all_sizes(input, c.hidden, classes), c.dropout, gen_),
      optimizer_(model_.parameters(), adam_options(c)) {
  KLGRAD_CHECK(c.batch_size >= 1, "ClassifierTrainer: batch_size must be >= 1, got " + std::to_string(c.batch_size));
}

double ClassifierTrainer::train_epoch(const Images& train, const Labels& labels, const Array<float>& teacher,
                                      const DistillConfig& d, const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::size_t classes = model_.sizes.back(), n = train.count;
  check_data(train, labels, teacher, model_.sizes.front(), classes, "ClassifierTrainer::train_epoch");
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), std::size_t(0));
  for (std::size_t i = n; i > 1; --i) std::swap(order_[i - 1], order_[gen_.next_u64() % i]);  // Fisher-Yates
  double total = 0;
  for (std::size_t b = 0; b < n; b += config_.batch_size) {
    const std::size_t m = std::min(config_.batch_size, n - b);
    gather_batch(train, order_, b, m, x_);
    y_.resize(m);
    for (std::size_t i = 0; i < m; ++i) y_[i] = labels.values[order_[b + i]];
    const Tensor<float> logits = model_.forward(tape_, tape_.constant_view(x_), &gen_);
    Tensor<float> loss;
    if (teacher.size() == 0) {
      loss = cross_entropy(logits, y_);
    } else {
      gather_rows(teacher, order_, b, m, t_);
      loss = distillation_loss(logits, tape_.constant_view(t_), y_, static_cast<float>(d.temperature),
                               static_cast<float>(d.alpha), d.log_target);
    }
    total += static_cast<double>(loss.item()) * static_cast<double>(m);
    optimizer_.zero_grad();
    loss.backward();
    optimizer_.step();
    tape_.clear();
    if (progress) progress(b + m, n);
  }
  return n ? total / static_cast<double>(n) : 0.0;
}

ClassifierEval ClassifierTrainer::evaluate(const Images& images, const Labels& labels, const Array<float>& teacher,
                                           const DistillConfig& d) {
  const std::size_t classes = model_.sizes.back(), n = images.count;
  check_data(images, labels, teacher, model_.sizes.front(), classes, "ClassifierTrainer::evaluate");
  ClassifierEval e;
  if (n == 0) return e;
  const Array<float> z = logits(images);  // (n, classes), dropout off
  y_.assign(labels.values.begin(), labels.values.end());
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t top = argmax_row(z.data() + i * classes, classes);
    e.accuracy += top == static_cast<std::size_t>(y_[i]);
    if (teacher.size()) e.agreement += top == argmax_row(teacher.data() + i * classes, classes);
  }
  NoGrad no_grad;
  const Tensor<float> zt = tape_.constant_view(z);
  e.nll = static_cast<double>(cross_entropy(zt, y_).item());
  if (teacher.size()) {  // KL(P || Q) at T per image, without the T^2
    const float temp = static_cast<float>(d.temperature);
    e.kl = static_cast<double>(distillation_kl(zt, tape_.constant_view(teacher), temp, d.log_target).item()) /
           static_cast<double>(temp * temp);
  }
  tape_.clear();
  e.accuracy /= static_cast<double>(n);
  e.agreement /= static_cast<double>(n);
  return e;
}

ClassifierEpoch ClassifierTrainer::run_epoch(const Images& train, const Labels& train_labels, const Images& test,
                                             const Labels& test_labels, const Array<float>& teacher_train,
                                             const Array<float>& teacher_test, const DistillConfig& d,
                                             const std::function<void(std::size_t, std::size_t)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  ClassifierEpoch m;
  m.epoch = epochs_done() + 1;
  m.train_loss = train_epoch(train, train_labels, teacher_train, d, progress);
  const double train_s = seconds_since(t0);
  m.test = evaluate(test, test_labels, teacher_test, d);
  m.epoch_s = seconds_since(t0);
  m.samples_per_s = train_s > 0 ? static_cast<double>(train.count) / train_s : 0.0;
  history_.push_back(m);
  return m;
}

Array<float> ClassifierTrainer::logits(const Images& images) {
  const std::size_t classes = model_.sizes.back(), n = images.count;
  KLGRAD_CHECK(images.image_size() == model_.sizes.front(),
               "ClassifierTrainer::logits: images are " + std::to_string(images.rows) + "x" + std::to_string(images.cols) +
                   ", the model expects " + std::to_string(model_.sizes.front()) + " pixels per image");
  Array<float> out = Array<float>::from_shape({n, classes});
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t(0));
  NoGrad no_grad;
  for (std::size_t b = 0; b < n; b += config_.batch_size) {
    const std::size_t m = std::min(config_.batch_size, n - b);
    gather_batch(images, order, b, m, x_);
    const Tensor<float> z = model_.forward(tape_, tape_.constant_view(x_));
    std::copy_n(z.value().data(), m * classes, out.data() + b * classes);
    tape_.clear();
  }
  return out;
}

// ---- checkpoints ----

void ClassifierTrainer::save(const std::string& path) const {
  std::vector<std::pair<std::string, NpyArray>> e;
  e.emplace_back("format", text_entry(kFormat));
  Array<std::int64_t> sizes = Array<std::int64_t>::from_shape({model_.sizes.size()});
  for (std::size_t i = 0; i < model_.sizes.size(); ++i) sizes(i) = static_cast<std::int64_t>(model_.sizes[i]);
  e.emplace_back("sizes", to_npy(sizes));
  e.emplace_back("config", to_npy(Array<double>{config_.dropout, static_cast<double>(config_.batch_size), config_.lr,
                                                static_cast<double>(config_.seed)}));
  Array<double> h = Array<double>::from_shape({history_.size(), kHistory});
  for (std::size_t i = 0; i < history_.size(); ++i) {
    const ClassifierEpoch& m = history_[i];
    const double row[kHistory] = {static_cast<double>(m.epoch), m.train_loss, m.test.accuracy, m.test.nll, m.test.agreement,
                                  m.test.kl, m.epoch_s, m.samples_per_s};
    for (std::size_t j = 0; j < kHistory; ++j) h(i, j) = row[j];
  }
  auto& self = const_cast<ClassifierTrainer&>(*this);  // the visitors hand out mutable references
  write_training_state(e, self.model_.parameters(), self.optimizer_, h, gen_);
  write_npz(path, e);
}

namespace {

// The sizes and config a checkpoint was saved with, checked.
std::vector<std::size_t> saved_sizes(const NpzEntries& f, const std::string& path) {
  check_format(f, path, kFormat, "classifier", "ClassifierTrainer::save (distill teacher, distill student)");
  const Array<std::int64_t> s = read_entry<std::int64_t>(f, "sizes", path);
  if (s.dimension() != 1 || s.size() < 2)
    throw DataError(path + ": damaged checkpoint ('sizes' must list at least an input and an output size)");
  std::vector<std::size_t> sizes;
  for (std::int64_t v : s) {
    if (v < 1 || v > (std::int64_t(1) << 24)) throw DataError(path + ": damaged checkpoint ('sizes' holds " + std::to_string(v) + ")");
    sizes.push_back(static_cast<std::size_t>(v));
  }
  return sizes;
}

ClassifierConfig saved_config(const NpzEntries& f, const std::string& path, const std::vector<std::size_t>& sizes) {
  const Array<double> c = read_entry<double>(f, "config", path);
  if (c.size() != 4 || !(c(0) >= 0 && c(0) < 1) || !whole_number(c(1)) || c(1) < 1 || !(c(2) > 0) || !whole_number(c(3)))
    throw DataError(path + ": damaged checkpoint ('config' must be dropout in [0, 1), batch size, lr > 0, seed)");
  ClassifierConfig config;
  config.hidden.assign(sizes.begin() + 1, sizes.end() - 1);
  config.dropout = c(0);
  config.batch_size = static_cast<std::size_t>(c(1));
  config.lr = c(2);
  config.seed = static_cast<std::uint64_t>(c(3));
  return config;
}

}  // namespace

std::unique_ptr<ClassifierTrainer> ClassifierTrainer::from_checkpoint(const std::string& path) {
  const NpzEntries f = read_npz(path);
  const std::vector<std::size_t> sizes = saved_sizes(f, path);
  auto t = std::make_unique<ClassifierTrainer>(saved_config(f, path, sizes), sizes.front(), sizes.back());
  t->load(path);
  return t;
}

void ClassifierTrainer::load(const std::string& path) {
  const NpzEntries f = read_npz(path);
  const std::vector<std::size_t> sizes = saved_sizes(f, path);
  (void)saved_config(f, path, sizes);
  const std::vector<std::size_t>& mine = model_.sizes;
  const std::size_t depth = std::max(sizes.size(), mine.size());
  for (std::size_t i = 0; i < depth; ++i) {
    const long long saved = i < sizes.size() ? static_cast<long long>(sizes[i]) : 0;
    const long long current = i < mine.size() ? static_cast<long long>(mine[i]) : 0;
    if (sizes.size() != mine.size() || saved != current) {
      const std::string field = i == 0 ? "input" : (i + 1 == depth ? "classes" : "hidden");
      throw CheckpointMismatch(path + ": checkpoint has layer sizes " + shape_str(Shape(sizes.begin(), sizes.end())) +
                                   " but this model has " + shape_str(Shape(mine.begin(), mine.end())),
                               field, saved, current);
    }
  }
  // Everything is read and checked before anything is changed: a bad file leaves the trainer as it was.
  const TrainingState state = TrainingState::read(f, path, model_.parameters(), optimizer_, kHistory);
  state.commit(model_.parameters(), optimizer_, gen_);
  const Array<double>& h = state.history;
  history_.clear();
  for (std::size_t r = 0; r < h.shape()[0]; ++r) {
    ClassifierEpoch m;
    m.epoch = static_cast<long>(h(r, 0));
    m.train_loss = h(r, 1);
    m.test = {h(r, 2), h(r, 3), h(r, 4), h(r, 5)};
    m.epoch_s = h(r, 6);
    m.samples_per_s = h(r, 7);
    history_.push_back(m);
  }
}

}  // namespace klgrad
