// Whole files as bytes, for the tests that write good and damaged files, and
// the message of the DataError a reader throws on them.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "klgrad/error.hpp"

namespace files {

using Bytes = std::vector<std::uint8_t>;

inline void write(const std::string& path, const Bytes& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

inline Bytes read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// What f() threw as a klgrad::DataError, or a marker that it threw none.
template <class F>
std::string data_error(F&& f) {
  try {
    f();
  } catch (const klgrad::DataError& e) {
    return e.what();
  }
  return "(no DataError thrown)";
}

}  // namespace files
