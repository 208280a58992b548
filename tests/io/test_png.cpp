// The PNG writer: signature, IHDR, valid CRCs, IDAT inflating (zlib) to rows
// that, unfiltered by the PNG rules below, are the pixels; tile_images and to_pixels.
#include <doctest/doctest.h>

#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include <unistd.h>

#include "klgrad/io/png.hpp"

using namespace klgrad;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

std::uint32_t be32(const Bytes& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

struct Chunk {
  std::string type;
  Bytes data;
};

// Splits a PNG after its signature into chunks, checking each CRC-32.
std::vector<Chunk> chunks(const Bytes& png) {
  std::vector<Chunk> out;
  std::size_t at = 8;
  while (at + 12 <= png.size()) {
    const std::size_t len = be32(png, at);
    REQUIRE(at + 12 + len <= png.size());
    Chunk c{std::string(png.begin() + static_cast<std::ptrdiff_t>(at + 4), png.begin() + static_cast<std::ptrdiff_t>(at + 8)),
            Bytes(png.begin() + static_cast<std::ptrdiff_t>(at + 8), png.begin() + static_cast<std::ptrdiff_t>(at + 8 + len))};
    const uLong crc = crc32_z(0L, png.data() + at + 4, 4 + len);
    CHECK_MESSAGE(be32(png, at + 8 + len) == crc, "bad CRC in chunk " << c.type);
    out.push_back(c);
    at += 12 + len;
  }
  CHECK(at == png.size());
  return out;
}

// Undoes the PNG row filters (RFC 2083, 6.2-6.6) of 1-byte pixels: each row is
// its filter type, then `w` bytes; a = left, b = above, c = above-left (0 off the image).
Bytes unfilter(const Bytes& rows, std::size_t w, std::size_t h) {
  REQUIRE(rows.size() == h * (w + 1));
  Bytes out(w * h);
  for (std::size_t r = 0; r < h; ++r) {
    const std::uint8_t type = rows[r * (w + 1)];
    REQUIRE(type <= 4);
    for (std::size_t x = 0; x < w; ++x) {
      const int a = x ? out[r * w + x - 1] : 0, b = r ? out[(r - 1) * w + x] : 0;
      const int c = x && r ? out[(r - 1) * w + x - 1] : 0;
      int pred = 0;
      if (type == 1) pred = a;
      if (type == 2) pred = b;
      if (type == 3) pred = (a + b) / 2;
      if (type == 4) {
        const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[r * w + x] = static_cast<std::uint8_t>(rows[r * (w + 1) + 1 + x] + pred);
    }
  }
  return out;
}

// The pixels of an 8-bit gray PNG, checking its structure on the way.
Bytes decode_gray(const Bytes& png, std::size_t w, std::size_t h) {
  REQUIRE(png.size() > 8);
  CHECK(Bytes(png.begin(), png.begin() + 8) == Bytes{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
  const auto cs = chunks(png);
  REQUIRE(cs.size() == 3);
  CHECK(cs[0].type == "IHDR");
  REQUIRE(cs[0].data.size() == 13);
  CHECK(be32(cs[0].data, 0) == w);
  CHECK(be32(cs[0].data, 4) == h);
  CHECK(Bytes(cs[0].data.begin() + 8, cs[0].data.end()) == Bytes{8, 0, 0, 0, 0});  // 8-bit gray, no interlace
  CHECK(cs[1].type == "IDAT");
  CHECK(cs[2].type == "IEND");
  CHECK(cs[2].data.empty());
  Bytes rows(h * (w + 1) + 16);
  uLongf n = rows.size();
  REQUIRE(uncompress(rows.data(), &n, cs[1].data.data(), cs[1].data.size()) == Z_OK);
  rows.resize(n);
  return unfilter(rows, w, h);
}

}  // namespace

TEST_CASE("write_png_gray: signature, IHDR, CRCs, and IDAT inflates and unfilters to the pixels") {
  const std::size_t w = 5, h = 3;
  Bytes pixels(w * h);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 17);
  const Bytes png = encode_png_gray(w, h, pixels);
  CHECK(decode_gray(png, w, h) == pixels);

  // A larger image with smooth and noisy rows, so that every filter type can win.
  const std::size_t W = 37, H = 23;
  Bytes big(W * H);
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < big.size(); ++i) {
    state = state * 1103515245u + 12345u;
    big[i] = (i / W) % 3 == 0 ? static_cast<std::uint8_t>(state >> 24) : static_cast<std::uint8_t>(3 * (i % W) + i / W);
  }
  CHECK(decode_gray(encode_png_gray(W, H, big), W, H) == big);

  const fs::path path = fs::temp_directory_path() / ("klgrad_png_" + std::to_string(::getpid()) + ".png");
  write_png_gray(path.string(), w, h, pixels);
  std::ifstream in(path, std::ios::binary);
  CHECK(Bytes(std::istreambuf_iterator<char>(in), {}) == png);
  fs::remove(path);
}

TEST_CASE("write_png_gray rejects sizes that do not match the pixels") {
  CHECK_THROWS_WITH_AS(encode_png_gray(4, 4, Bytes(15)),
                       "write_png_gray: 15 pixels for an image of 4x4 (4 * 4 expected)", Error);
  CHECK_THROWS_WITH_AS(encode_png_gray(0, 4, Bytes{}), doctest::Contains("must be 1 .. 2^31 - 1"), Error);
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2 + 2;
  CHECK_THROWS_AS(encode_png_gray(huge, 2, Bytes(2)), Error);  // w * h overflows to 2
  CHECK_THROWS_WITH_AS(write_png_gray("/nonexistent-dir/x.png", 1, 1, Bytes{0}),
                       doctest::Contains("png: /nonexistent-dir/x.png: cannot create temporary file"), DataError);
}

TEST_CASE("tile_images lays images out row by row with padding") {
  // Three 2x2 images (values 1.., 5.., 9..) in 2 columns with 1 pixel of padding.
  Bytes images(12);
  for (std::size_t i = 0; i < 12; ++i) images[i] = static_cast<std::uint8_t>(i + 1);
  const Grid g = tile_images(images, 3, 2, 2, 2, 1, 200);
  CHECK(g.width == 7);  // 2 * 2 + 3 * 1
  CHECK(g.height == 7);
  REQUIRE(g.pixels.size() == 49);
  const Bytes want{200, 200, 200, 200, 200, 200, 200,  //
                   200, 1,   2,   200, 5,   6,   200,  //
                   200, 3,   4,   200, 7,   8,   200,  //
                   200, 200, 200, 200, 200, 200, 200,  //
                   200, 9,   10,  200, 200, 200, 200,  //
                   200, 11,  12,  200, 200, 200, 200,  //
                   200, 200, 200, 200, 200, 200, 200};
  CHECK(g.pixels == want);

  const Grid one = tile_images(images, 3, 2, 2, 10, 0);  // cols past n: one row of n
  CHECK(one.width == 6);
  CHECK(one.height == 2);
  CHECK(one.pixels[2] == 5);
  CHECK_THROWS_WITH_AS(tile_images(images, 4, 2, 2, 2), doctest::Contains("12 bytes for 4 images of 2x2 (16 expected)"),
                       Error);
  CHECK_THROWS_AS(tile_images(images, 3, 2, 2, 0), Error);
}

TEST_CASE("to_pixels: round(255 clamp(x, 0, 1)), NaN to 0") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(to_pixels(Array<double>{-1.0, 0.0, 0.5, 1.0, 2.0, nan}) == Bytes{0, 0, 128, 255, 255, 0});
  CHECK(to_pixels(Array<float>{{0.2f, 0.4f}}) == Bytes{51, 102});
}
