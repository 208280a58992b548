#include "klgrad/io/png.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <zlib.h>

namespace klgrad {

namespace {

void put_be32(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

// length | type | data | CRC-32 over type and data
void chunk(std::vector<std::uint8_t>& out, const char* type, const std::vector<std::uint8_t>& data) {
  put_be32(out, data.size());
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_be32(out, crc32_z(0L, out.data() + start, out.size() - start));
}

}  // namespace

std::vector<std::uint8_t> encode_png_gray(std::size_t width, std::size_t height,
                                          const std::vector<std::uint8_t>& pixels) {
  constexpr std::size_t kMaxSide = 0x7fffffff;  // PNG dimensions are 31-bit
  KLGRAD_CHECK(width >= 1 && height >= 1 && width <= kMaxSide && height <= kMaxSide,
        "write_png_gray: image of " + std::to_string(width) + "x" + std::to_string(height) +
            " pixels; width and height must be 1 .. 2^31 - 1");
  KLGRAD_CHECK(pixels.size() / width / height == 1 && pixels.size() == width * height,
        "write_png_gray: " + std::to_string(pixels.size()) + " pixels for an image of " + std::to_string(width) + "x" +
            std::to_string(height) + " (" + std::to_string(width) + " * " + std::to_string(height) + " expected)");

  // Rows with filter byte 0 ("none"): simple, and deflate does well on digits.
  std::vector<std::uint8_t> raw;
  raw.reserve(height * (width + 1));
  for (std::size_t r = 0; r < height; ++r) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels.begin() + static_cast<std::ptrdiff_t>(r * width),
               pixels.begin() + static_cast<std::ptrdiff_t>((r + 1) * width));
  }
  KLGRAD_CHECK(raw.size() < 0x40000000, "write_png_gray: image too large for one IDAT chunk (1 GiB)");
  uLongf zsize = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> idat(zsize);
  const int rc = compress2(idat.data(), &zsize, raw.data(), static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION);
  KLGRAD_CHECK(rc == Z_OK, "write_png_gray: zlib compress2 failed with code " + std::to_string(rc));
  idat.resize(zsize);

  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<std::uint8_t> ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});  // bit depth, gray, deflate, filter method 0, no interlace
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", idat);
  chunk(png, "IEND", {});
  return png;
}

void write_png_gray(const std::string& path, std::size_t width, std::size_t height,
                    const std::vector<std::uint8_t>& pixels) {
  write_file_atomic(path, encode_png_gray(width, height, pixels), "png");
}

Grid tile_images(const std::vector<std::uint8_t>& images, std::size_t n, std::size_t h, std::size_t w,
                 std::size_t cols, std::size_t pad, std::uint8_t background) {
  KLGRAD_CHECK(pad <= 4096, "tile_images: pad = " + std::to_string(pad) + " pixels; use at most 4096");
  KLGRAD_CHECK(n >= 1 && h >= 1 && w >= 1 && cols >= 1,
        "tile_images: n = " + std::to_string(n) + " images of " + std::to_string(h) + "x" + std::to_string(w) +
            " in " + std::to_string(cols) + " columns; all four must be at least 1");
  KLGRAD_CHECK(images.size() / n / h / w == 1 && images.size() == n * h * w,
        "tile_images: " + std::to_string(images.size()) + " bytes for " + std::to_string(n) + " images of " +
            std::to_string(h) + "x" + std::to_string(w) + " (" + std::to_string(n * h * w) + " expected)");
  const std::size_t c = std::min(cols, n), r = (n + c - 1) / c;
  Grid g;
  g.width = c * w + (c + 1) * pad;
  g.height = r * h + (r + 1) * pad;
  g.pixels.assign(g.width * g.height, background);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t top = pad + (i / c) * (h + pad), left = pad + (i % c) * (w + pad);
    for (std::size_t y = 0; y < h; ++y)
      std::memcpy(&g.pixels[(top + y) * g.width + left], &images[(i * h + y) * w], w);
  }
  return g;
}

template <class T>
std::vector<std::uint8_t> to_pixels(const Array<T>& x) {
  std::vector<std::uint8_t> out(x.size());
  const T* p = x.data();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const T v = p[i] > T(0) ? std::min(p[i], T(1)) : T(0);  // NaN fails p > 0: 0
    out[i] = static_cast<std::uint8_t>(std::lround(v * T(255)));
  }
  return out;
}

template std::vector<std::uint8_t> to_pixels(const Array<float>&);
template std::vector<std::uint8_t> to_pixels(const Array<double>&);

}  // namespace klgrad
