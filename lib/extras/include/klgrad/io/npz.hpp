// klgrad/io/npz.hpp — NumPy .npy arrays in .npz archives: checkpoints numpy can open.
//
//   klgrad::write_npz("vae.npz", {{"enc/w", klgrad::to_npy(w)}, {"step", klgrad::to_npy(step)}});
//   auto z = klgrad::read_npz("vae.npz");
//   klgrad::Array<float> w = klgrad::from_npy<float>(z.at("enc/w"), "enc/w");
//   # python: numpy.load("vae.npz")["enc/w"]
//
// Formats
//   .npy: "\x93NUMPY", version 1.0, a little-endian uint16 header length, then a
//         Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//         padded with spaces and '\n' so the data starts at a multiple of 64,
//         then the C-order data.
//   .npz: a zip archive holding <name>.npy per array, as numpy.savez writes it:
//         "stored" (uncompressed) entries with a CRC-32 each; klgrad also fixes
//         the date to 1980-01-01, so equal arrays give byte-identical files.
// libzip reads and writes the zip container; the .npy code is klgrad's own
// (docs/FORMATS.md). The writer is atomic (io/atomic_file.hpp): a crash
// mid-save leaves the previous checkpoint intact.
// The reader accepts numpy.savez files (zip64 included) and rejects, with a
// DataError of one line, compressed entries (numpy.savez_compressed),
// encrypted ones, big-endian or non-numeric dtypes, Fortran order, a CRC-32
// that does not match, and any corrupt or hostile size, offset or header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "klgrad/io/atomic_file.hpp"
#include "klgrad/xt.hpp"

namespace klgrad {

// One array as numpy stores it.
struct NpyArray {
  std::string dtype;               // numpy descr: "<f4", "<f8", "<i4", "<i8", "|u1", "|b1", ...
  Shape shape;                     // C order; Shape{} is a 0-d array of one element
  std::vector<std::uint8_t> data;  // numel(shape) * itemsize bytes, little-endian
};

// The numpy descr of T: float "<f4", double "<f8", int32_t "<i4", int64_t "<i8", uint8_t "|u1".
template <class T>
std::string npy_dtype();

template <class T>
NpyArray to_npy(const Array<T>& a);

// The array, if its dtype is exactly npy_dtype<T>(); else an Error naming
// `name` and both dtypes (no silent conversion).
template <class T>
Array<T> from_npy(const NpyArray& a, const std::string& name);

// Writes entries in the given order as <name>.npy (names must be unique and
// non-empty; '/' is fine: numpy.load keeps it in the key). Atomic.
void write_npz(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& entries);

// The arrays of an .npz, keyed by entry name without ".npy".
std::map<std::string, NpyArray> read_npz(const std::string& path);

// The same from bytes in memory (fuzz entry points); `name` appears in errors.
std::map<std::string, NpyArray> parse_npz(const std::uint8_t* data, std::size_t size, const std::string& name);
NpyArray parse_npy(const std::uint8_t* data, std::size_t size, const std::string& name);

}  // namespace klgrad
