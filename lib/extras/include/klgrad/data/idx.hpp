// klgrad/data/idx.hpp — MNIST / Fashion-MNIST in the IDX format.
//
// IDX (http://yann.lecun.com/exdb/mnist/): a big-endian header, then bytes.
//   images: magic 2051 (0x00000803), count, rows, cols, then count*rows*cols
//           pixels, row-major, 0 = background, 255 = ink
//   labels: magic 2049 (0x00000801), count, then count labels (0..9)
// Files are usually gzipped; zlib reads .gz and raw files alike.
// Debian's dataset-fashion-mnist installs them in /usr/share/datasets/fashion-mnist:
//   {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (60000 + 10000 images of 28x28)
//
//   auto train = klgrad::load_mnist(dir, "train");
//   klgrad::Array<float> x;                                   // (batch, 784), reused
//   klgrad::gather_batch(train.images, order, b * 128, 128, x);
//
// Every problem is a DataError of one line, "idx: <file>: <problem>; <fix>"
// ("mnist: ..." for what load_mnist checks across the two files).
// A header is never trusted: sizes are checked against the bytes that are
// really there before anything is allocated for them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "klgrad/io/atomic_file.hpp"
#include "klgrad/xt.hpp"

namespace klgrad {

// `count` images of rows x cols bytes each, image i at pixels[i * rows * cols].
struct Images {
  std::size_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;

  std::size_t image_size() const { return rows * cols; }
  const std::uint8_t* image(std::size_t i) const { return pixels.data() + i * image_size(); }
};

struct Labels {
  std::vector<std::uint8_t> values;
  std::size_t count() const { return values.size(); }
};

// `limit` > 0 reads only the first `limit` items (fewer if the file has fewer).
Images read_idx_images(const std::string& path, std::size_t limit = 0);
Labels read_idx_labels(const std::string& path, std::size_t limit = 0);

// The same from decompressed bytes in memory (what the readers call; fuzz entry
// points). `name` is the file name used in error messages.
Images parse_idx_images(const std::uint8_t* data, std::size_t size, const std::string& name, std::size_t limit = 0);
Labels parse_idx_labels(const std::uint8_t* data, std::size_t size, const std::string& name, std::size_t limit = 0);

struct MnistSplit {
  Images images;
  Labels labels;
};

// dir/<split>-images-idx3-ubyte[.gz] and dir/<split>-labels-idx1-ubyte[.gz],
// split "train" or "t10k". Checks that the counts agree and labels are 0..9.
MnistSplit load_mnist(const std::string& dir, const std::string& split, std::size_t limit = 0);

// The folder where Debian's dataset-fashion-mnist package installs Fashion-MNIST:
// a default for programs to offer. The library never reads it unless given it.
inline const char* default_fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

// out = images idx[begin], ..., idx[begin + n - 1] as floats pixel / 255 in [0, 1],
// shape (n, rows * cols). Reuses out's buffer when its size already fits.
template <class T>
void gather_batch(const Images& images, const std::vector<std::size_t>& idx, std::size_t begin, std::size_t n,
                  Array<T>& out);

}  // namespace klgrad
