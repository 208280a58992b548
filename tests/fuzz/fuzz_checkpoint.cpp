// Fuzzes the checkpoint loader: the input is written to a file in /dev/shm and
// loaded with VaeTrainer::load (models/vae_trainer.hpp) into a tiny VAE
// (input 4, hidden 3, latent 2), the path `tiny_vae --resume` takes:
// read_npz -> parse_npz -> parse_npy -> from_npy -> the checks against the model.
// Bad input must give klgrad::Error; after a file loads, the trainer must
// still work (sample() decodes with the loaded weights).
//
// The zip stores a CRC-32 of every entry, so almost every mutation of an array
// would only test the CRC check. The custom mutator therefore recomputes the
// CRCs of 3 in 4 mutants (the rest keep theirs): the mutations then reach the
// .npy headers, dtypes, shapes and values, and a saved crash input is a file
// the real loader reads the same way.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>
#include <zlib.h>

#include "klgrad/error.hpp"
#include "scratch_file.hpp"
#include "klgrad/models/vae_trainer.hpp"

namespace {


std::uint32_t le(const std::uint8_t* p, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Rewrites the CRC-32 of every stored entry whose records are in bounds
// (central directory and local header); anything else is left as it is.
void fix_crcs(std::uint8_t* d, std::size_t size) {
  std::size_t end = size;
  for (std::size_t back = 22; back <= size && back <= 22 + 0xffff && end == size; ++back)
    if (le(d + size - back, 4) == 0x06054b50) end = size - back;
  if (end == size) return;
  std::size_t p = le(d + end + 16, 4);
  for (std::uint32_t i = 0, count = le(d + end + 10, 2); i < count; ++i) {
    if (p > end || end - p < 46 || le(d + p, 4) != 0x02014b50) return;
    const std::size_t csize = le(d + p + 20, 4), offset = le(d + p + 42, 4);
    if (offset > size || size - offset < 30) return;
    const std::size_t start = offset + 30 + le(d + offset + 26, 2) + le(d + offset + 28, 2);
    if (start <= size && csize <= size - start) {
      const std::uint32_t crc = static_cast<std::uint32_t>(crc32_z(0L, d + start, csize));
      for (int b = 0; b < 4; ++b) d[p + 16 + b] = d[offset + 14 + b] = static_cast<std::uint8_t>(crc >> (8 * b));
    }
    p += 46 + le(d + p + 28, 2) + le(d + p + 30, 2) + le(d + p + 32, 2);
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (seed % 4 != 0) fix_crcs(data, size);
  return size;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ScratchFile file("checkpoint.npz", data, size);
  klgrad::VaeConfig config;
  config.hidden = 3;
  config.latent = 2;
  config.batch_size = 2;
  klgrad::VaeTrainer trainer(config, 4);
  try {
    trainer.load(file.path);
  } catch (const klgrad::Error&) {
    return 0;  // the expected answer to a bad file
  }
  if (trainer.sample(2, 7).shape() != klgrad::Shape({2, 4})) __builtin_trap();
  return 0;
}
