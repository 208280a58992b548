// Synthetic MNIST-format (IDX) files for the data tests and the bad-input sweep:
// big-endian header, then bytes. Good ones, and the raw material for bad ones.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "support/files.hpp"

namespace idx_files {

using files::Bytes;

inline void put_be32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

// An IDX image file: header then `count` images whose pixel k is (i + k) % 256.
inline Bytes images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, std::uint32_t magic = 2051) {
  Bytes b;
  for (std::uint32_t v : {magic, count, rows, cols}) put_be32(b, v);
  for (std::uint32_t i = 0; i < count; ++i)
    for (std::uint32_t k = 0; k < rows * cols; ++k) b.push_back(static_cast<std::uint8_t>(i + k));
  return b;
}

// An IDX label file: labels 0, 1, ..., 9, 0, 1, ...
inline Bytes labels(std::uint32_t count) {
  Bytes b;
  put_be32(b, 2049);
  put_be32(b, count);
  for (std::uint32_t i = 0; i < count; ++i) b.push_back(static_cast<std::uint8_t>(i % 10));
  return b;
}

inline void write_gz(const std::string& path, const Bytes& b) {
  gzFile f = gzopen(path.c_str(), "wb");
  const bool ok = f != nullptr && gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size());
  if (f == nullptr || gzclose(f) != Z_OK || !ok) throw std::runtime_error("write_gz: cannot write " + path);
}

}  // namespace idx_files
