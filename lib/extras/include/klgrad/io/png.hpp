// klgrad/io/png.hpp — 8-bit grayscale PNG files, e.g. a grid of VAE samples.
//
//   auto grid = klgrad::tile_images(klgrad::to_pixels(samples), 64, 28, 28, 8);  // samples: (64, 784) in [0, 1]
//   klgrad::write_png_gray("samples.png", grid.width, grid.height, grid.pixels);
//
// PNG (RFC 2083): the 8-byte signature, then chunks  length | type | data | CRC-32(type, data):
//   IHDR  width, height, bit depth 8, colour type 0 (gray), deflate, filter 0, no interlace
//   IDAT  zlib stream of the rows, each prefixed by its filter byte (0 none .. 4 Paeth)
//   IEND
// The encoding is stb_image_write's (docs/FORMATS.md); klgrad checks the sizes.
// The file is written atomically (io/atomic_file.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "klgrad/io/atomic_file.hpp"
#include "klgrad/xt.hpp"

namespace klgrad {

// pixels: height rows of width bytes, 0 = black, 255 = white.
void write_png_gray(const std::string& path, std::size_t width, std::size_t height,
                    const std::vector<std::uint8_t>& pixels);

// The bytes of that PNG file.
std::vector<std::uint8_t> encode_png_gray(std::size_t width, std::size_t height,
                                          const std::vector<std::uint8_t>& pixels);

struct Grid {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  // height rows of width bytes
};

// n images of h x w bytes (image i at images[i * h * w]) tiled row by row,
// min(cols, n) per grid row, with `pad` pixels of `background` around and
// between them: width = c * w + (c + 1) * pad for c columns, likewise height.
Grid tile_images(const std::vector<std::uint8_t>& images, std::size_t n, std::size_t h, std::size_t w,
                 std::size_t cols, std::size_t pad = 2, std::uint8_t background = 0);

// Floats to gray levels: round(255 * clamp(x, 0, 1)), NaN -> 0; same layout.
template <class T>
std::vector<std::uint8_t> to_pixels(const Array<T>& x);

}  // namespace klgrad
