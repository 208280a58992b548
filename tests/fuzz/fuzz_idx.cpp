// Fuzzes the IDX readers (data/idx.hpp). The input is one file's bytes, read
// as images and as labels, whole and with limit = 3, from memory (parse_idx_*);
// a gzip input (1f 8b) also goes through the file reader (read_idx_*, which
// inflates, then parses) from a file in /dev/shm. Raw files take the same
// reader path, but each file read costs ~1 ms of zlib buffers, so raw inputs
// are parsed in memory only, many times faster.
// Each read either throws klgrad::Error or returns what the header promised:
//   images: min(limit, count) images of rows x cols, pixels.size() = n * rows * cols
//   labels: min(limit, count) labels
// and gather_batch over every image stays in bounds.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include <unistd.h>

#include "klgrad/data/idx.hpp"
#include "klgrad/error.hpp"
#include "scratch_file.hpp"

namespace {


void check(const klgrad::Images& im, std::size_t limit) {
  if ((limit > 0 && im.count > limit) || im.pixels.size() != im.count * im.rows * im.cols) __builtin_trap();
  std::vector<std::size_t> order(im.count);
  std::iota(order.begin(), order.end(), std::size_t(0));
  klgrad::Array<float> x;
  klgrad::gather_batch(im, order, 0, im.count, x);
}

void check(const klgrad::Labels& l, std::size_t limit) {
  if (limit > 0 && l.count() > limit) __builtin_trap();
}

template <class Read>
void expect_data_or_error(Read read, std::size_t limit) {
  try {
    check(read(limit), limit);
  } catch (const klgrad::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (std::size_t limit : {std::size_t(0), std::size_t(3)}) {
    expect_data_or_error([&](std::size_t n) { return klgrad::parse_idx_images(data, size, "fuzz", n); }, limit);
    expect_data_or_error([&](std::size_t n) { return klgrad::parse_idx_labels(data, size, "fuzz", n); }, limit);
  }
  if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) return 0;
  const ScratchFile file("idx", data, size);
  for (std::size_t limit : {std::size_t(0), std::size_t(3)}) {
    expect_data_or_error([&](std::size_t n) { return klgrad::read_idx_images(file.path, n); }, limit);
    expect_data_or_error([&](std::size_t n) { return klgrad::read_idx_labels(file.path, n); }, limit);
  }
  return 0;
}
