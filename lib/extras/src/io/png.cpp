#include "klgrad/io/png.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <stb_image_write.h>

namespace klgrad {

namespace {

// stb_image_write hands the encoded file over in pieces; collect them.
void append(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* p = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), p, p + size);
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
  // stb_image_write counts bytes in int: (width + 1) * height must stay below 2^31.
  KLGRAD_CHECK(pixels.size() < 0x40000000, "write_png_gray: image of " + std::to_string(pixels.size()) +
                                               " pixels is too large (at most 2^30)");

  // One channel (gray), rows of `width` bytes. stb_image_write picks a filter
  // per row, deflates the rows and writes the IHDR, IDAT and IEND chunks.
  std::vector<std::uint8_t> png;
  const int w = static_cast<int>(width), h = static_cast<int>(height);
  const int ok = stbi_write_png_to_func(append, &png, w, h, 1, pixels.data(), w);
  KLGRAD_CHECK(ok != 0, "write_png_gray: encoding a " + std::to_string(width) + "x" + std::to_string(height) +
                            " image failed (out of memory)");
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
