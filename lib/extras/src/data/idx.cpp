#include "klgrad/data/idx.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include <sys/stat.h>
#include <zlib.h>

namespace klgrad {

namespace {

constexpr std::uint32_t kImageMagic = 2051;  // 0x00000803: unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelMagic = 2049;  // 0x00000801: unsigned bytes, 1 dimension
constexpr std::size_t kImageHeader = 16;     // magic, count, rows, cols
constexpr std::size_t kLabelHeader = 8;      // magic, count

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// What a wrong magic number most likely means.
std::string describe_magic(const std::uint8_t* p) {
  const std::uint32_t m = be32(p);
  if (m == kImageMagic) return " (an IDX image file)";
  if (m == kLabelMagic) return " (an IDX label file)";
  if (p[0] == '<') return " (text starting with '<': an HTML page saved by a failed download?)";
  return "";
}

// "60000 images of 28x28 (47040016 bytes)"; the byte count saturates in the message.
std::string size_text(std::uint64_t bytes, bool overflow) {
  return overflow ? "more than 2^64 bytes" : std::to_string(bytes) + " bytes";
}

std::string truncated(const std::string& where, const std::string& claim, std::size_t size) {
  return where + "truncated: " + claim + " but the file ends after " + std::to_string(size) +
         " bytes; the download was cut short, fetch the file again";
}

// Items [0, n) of a file whose header (`header` bytes) says `count` items of
// `item` bytes each; n = min(limit, count), or count when limit == 0.
struct Plan {
  std::size_t n = 0;
  std::uint64_t need = 0;  // header + n * item, valid when !overflow
  bool overflow = false;
};

Plan plan(std::size_t header, std::uint64_t count, std::uint64_t item, std::size_t limit) {
  Plan p;
  p.n = static_cast<std::size_t>(limit > 0 ? std::min<std::uint64_t>(limit, count) : count);
  std::uint64_t body = 0;
  p.overflow = __builtin_mul_overflow(static_cast<std::uint64_t>(p.n), item, &body) ||
               __builtin_add_overflow(body, std::uint64_t{header}, &p.need);
  return p;
}

// How many decompressed bytes reading this file needs, judged from its first
// bytes; `fallback` when the header is unusable (parse then reports why).
std::uint64_t bytes_needed(const std::vector<std::uint8_t>& head, bool images, std::size_t limit,
                           std::uint64_t fallback) {
  const std::size_t header = images ? kImageHeader : kLabelHeader;
  if (head.size() < header || be32(head.data()) != (images ? kImageMagic : kLabelMagic)) return fallback;
  const std::uint64_t item = images ? std::uint64_t{be32(&head[8])} * be32(&head[12]) : 1;
  const Plan p = plan(header, be32(&head[4]), item, limit);
  return p.overflow ? std::numeric_limits<std::uint64_t>::max() : p.need;
}

std::string gz_error_text(gzFile f, const std::string& path) {
  int code = Z_OK;
  const char* text = gzerror(f, &code);
  if (code == Z_ERRNO) return std::strerror(errno);
  std::string msg = text ? text : "unknown error";
  if (msg.rfind(path + ": ", 0) == 0) msg.erase(0, path.size() + 2);  // zlib prefixes the path
  return "not a valid gzip stream (zlib: " + msg + "); the file is corrupt, fetch it again";
}

// Decompresses (or just reads) `path`: first the header, then only as many
// bytes as the header asks for, growing the buffer as bytes really arrive, so
// a lying header costs at most what the file actually holds.
std::vector<std::uint8_t> read_idx_bytes(const std::string& path, bool images, std::size_t limit) {
  const std::string where = "idx: " + path + ": ";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw DataError(where + (errno == ENOENT ? std::string("file not found") : std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw DataError(where + "is a directory, expected an IDX file");

  const std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw DataError(where + "cannot open: " + std::strerror(errno ? errno : ENOMEM));
  gzFile f = file.get();
  gzbuffer(f, 1u << 17);
  std::vector<std::uint8_t> buf;
  auto read_upto = [&](std::uint64_t target) {  // false at end of data
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    while (buf.size() < target) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, target - buf.size()));
      const std::size_t old = buf.size();
      buf.resize(old + want);
      const int got = gzread(f, buf.data() + old, static_cast<unsigned>(want));
      if (got < 0) throw DataError(where + gz_error_text(f, path));
      buf.resize(old + static_cast<std::size_t>(got));
      if (got == 0) return false;
    }
    return true;
  };

  const std::size_t header = images ? kImageHeader : kLabelHeader;
  read_upto(header);
  const std::uint64_t need = bytes_needed(buf, images, limit, buf.size());
  // Reserve what the header asks for, but no more than the file could plausibly
  // inflate to (IDX digits compress 2-5x); past that the buffer just grows.
  const std::uint64_t plausible = 8 * static_cast<std::uint64_t>(st.st_size) + (std::uint64_t{1} << 16);
  buf.reserve(static_cast<std::size_t>(std::min(need, plausible)));
  const bool complete = read_upto(need);
  if (complete && limit == 0) {
    // Read past the end so that zlib checks the gzip trailer (CRC-32, length).
    std::uint8_t probe[256];
    if (gzread(f, probe, sizeof probe) < 0) throw DataError(where + gz_error_text(f, path));
  }
  return buf;
}

}  // namespace

Images parse_idx_images(const std::uint8_t* data, std::size_t size, const std::string& name, std::size_t limit) {
  const std::string where = "idx: " + name + ": ";
  const std::uint32_t magic = size >= 4 ? be32(data) : 0;  // a wrong file first, a short one second
  if (size >= 4 && magic != kImageMagic)
    throw DataError(where + "bad magic " + hex32(magic) + describe_magic(data) +
                    ", expected 2051 (an IDX image file such as train-images-idx3-ubyte.gz)");
  if (size < kImageHeader)
    throw DataError(where + "truncated: " + std::to_string(size) +
                    " bytes, but an IDX image header needs 16; the download was cut short, fetch the file again");
  Images im;
  const std::uint32_t count = be32(data + 4), rows = be32(data + 8), cols = be32(data + 12);
  if (count > 0 && (rows == 0 || cols == 0))
    throw DataError(where + "header says images of " + std::to_string(rows) + "x" + std::to_string(cols) +
                    ", but an image needs at least 1x1 pixels; the file is corrupt");
  const std::uint64_t item = std::uint64_t{rows} * cols;
  const Plan all = plan(kImageHeader, count, item, 0);
  const Plan p = plan(kImageHeader, count, item, limit);
  if (p.overflow || p.need > size) {
    const std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
    const std::string claim =
        p.n == count ? "header says " + std::to_string(count) + " images of " + shape + " (" +
                           size_text(all.need, all.overflow) + ")"
                     : "the first " + std::to_string(p.n) + " of " + std::to_string(count) + " images of " + shape +
                           " need " + size_text(p.need, p.overflow);
    throw DataError(truncated(where, claim, size));
  }
  im.count = p.n;
  im.rows = rows;
  im.cols = cols;
  im.pixels.assign(data + kImageHeader, data + p.need);
  return im;
}

Labels parse_idx_labels(const std::uint8_t* data, std::size_t size, const std::string& name, std::size_t limit) {
  const std::string where = "idx: " + name + ": ";
  const std::uint32_t magic = size >= 4 ? be32(data) : 0;  // a wrong file first, a short one second
  if (size >= 4 && magic != kLabelMagic)
    throw DataError(where + "bad magic " + hex32(magic) + describe_magic(data) +
                    ", expected 2049 (an IDX label file such as train-labels-idx1-ubyte.gz)");
  if (size < kLabelHeader)
    throw DataError(where + "truncated: " + std::to_string(size) +
                    " bytes, but an IDX label header needs 8; the download was cut short, fetch the file again");
  const std::uint32_t count = be32(data + 4);
  const Plan p = plan(kLabelHeader, count, 1, limit);
  if (p.need > size) {
    const std::string claim = p.n == count ? "header says " + std::to_string(count) + " labels (" +
                                                 std::to_string(p.need) + " bytes)"
                                           : "the first " + std::to_string(p.n) + " of " + std::to_string(count) +
                                                 " labels need " + std::to_string(p.need) + " bytes";
    throw DataError(truncated(where, claim, size));
  }
  Labels l;
  l.values.assign(data + kLabelHeader, data + p.need);
  return l;
}

Images read_idx_images(const std::string& path, std::size_t limit) {
  const std::vector<std::uint8_t> bytes = read_idx_bytes(path, true, limit);
  return parse_idx_images(bytes.data(), bytes.size(), path, limit);
}

Labels read_idx_labels(const std::string& path, std::size_t limit) {
  const std::vector<std::uint8_t> bytes = read_idx_bytes(path, false, limit);
  return parse_idx_labels(bytes.data(), bytes.size(), path, limit);
}

MnistSplit load_mnist(const std::string& dir, const std::string& split, std::size_t limit) {
  KLGRAD_CHECK(split == "train" || split == "t10k",
        "load_mnist: split '" + split + "' is not 'train' or 't10k' (the MNIST test split is called t10k)");
  const std::string fix = "; give the folder that holds {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] "
                          "(Debian's dataset-fashion-mnist installs them)";
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw DataError("mnist: " + dir + ": directory not found" + fix);
  auto find = [&](const std::string& base) {
    for (const std::string& p : {dir + "/" + base + ".gz", dir + "/" + base})
      if (::stat(p.c_str(), &st) == 0) return p;
    throw DataError("mnist: " + dir + "/" + base + ".gz: file not found (nor " + base + ")" + fix);
  };
  const std::string image_path = find(split + "-images-idx3-ubyte");
  const std::string label_path = find(split + "-labels-idx1-ubyte");
  MnistSplit s{read_idx_images(image_path, limit), read_idx_labels(label_path, limit)};
  if (s.labels.count() != s.images.count)
    throw DataError("mnist: " + label_path + " has " + std::to_string(s.labels.count()) + " labels but " +
                    image_path + " has " + std::to_string(s.images.count) +
                    " images; both files must come from the same split, fetch them again");
  for (std::size_t i = 0; i < s.labels.count(); ++i)
    if (s.labels.values[i] > 9)
      throw DataError("mnist: " + label_path + ": label " + std::to_string(s.labels.values[i]) + " at index " +
                      std::to_string(i) + " is outside 0..9; is this an MNIST label file?");
  return s;
}

template <class T>
void gather_batch(const Images& images, const std::vector<std::size_t>& idx, std::size_t begin, std::size_t n,
                  Array<T>& out) {
  KLGRAD_CHECK(begin <= idx.size() && n <= idx.size() - begin,
        "gather_batch: batch [" + std::to_string(begin) + ", " + std::to_string(begin + n) +
            ") is out of range for an index list of " + std::to_string(idx.size()));
  const std::size_t d = images.image_size();
  if (out.dimension() != 2 || out.shape(0) != n || out.shape(1) != d) out.resize(Shape{n, d});
  static const std::array<T, 256> scale = [] {  // pixel / 255, exactly rounded once
    std::array<T, 256> s{};
    for (std::size_t p = 0; p < 256; ++p) s[p] = static_cast<T>(p) / T(255);
    return s;
  }();
  T* dst = out.data();
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t i = idx[begin + r];
    KLGRAD_CHECK(i < images.count, "gather_batch: idx[" + std::to_string(begin + r) + "] = " + std::to_string(i) +
                                " is out of range for " + std::to_string(images.count) + " images");
    const std::uint8_t* src = images.image(i);
    for (std::size_t k = 0; k < d; ++k) dst[r * d + k] = scale[src[k]];
  }
}

template void gather_batch(const Images&, const std::vector<std::size_t>&, std::size_t, std::size_t, Array<float>&);
template void gather_batch(const Images&, const std::vector<std::size_t>&, std::size_t, std::size_t, Array<double>&);

}  // namespace klgrad
