#include "klgrad/io/npz.hpp"

#include <cstring>
#include <set>
#include <type_traits>

#include <zlib.h>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "klgrad's .npy code copies little-endian bytes as they are");

namespace klgrad {

namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";  // 6 bytes
constexpr std::uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
constexpr std::uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01, numpy's fixed date
constexpr std::uint32_t kMax32 = 0xffffffffu;

// ---- little-endian bytes -------------------------------------------------

std::uint64_t le(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void put(std::vector<std::uint8_t>& out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// ---- dtypes ----------------------------------------------------------------

// "<f4" -> 4; 0 if not a plain little-endian numeric dtype.
std::size_t itemsize(const std::string& d) {
  if (d.size() != 3 && d.size() != 4) return 0;
  if (d[0] != '<' && d[0] != '|') return 0;
  if (std::string("biufc").find(d[1]) == std::string::npos) return 0;
  const std::string n = d.substr(2);
  const std::size_t s = n == "1" ? 1 : n == "2" ? 2 : n == "4" ? 4 : n == "8" ? 8 : n == "16" ? 16 : 0;
  if (s == 0 || (d[1] == 'b' && s != 1) || (d[1] == 'f' && s == 1) || (d[1] == 'c' && s < 8)) return 0;
  return s;
}

// "<f4" -> "float32", for messages.
std::string dtype_name(const std::string& d) {
  const std::size_t s = itemsize(d);
  if (s == 0) return "unsupported";
  if (d[1] == 'b') return "bool";
  const char* kind = d[1] == 'i' ? "int" : d[1] == 'u' ? "uint" : d[1] == 'f' ? "float" : "complex";
  return kind + std::to_string(8 * s);
}

std::string quoted(const std::string& d) { return "'" + d + "' (" + dtype_name(d) + ")"; }

// Bytes of an array of `shape` and `dtype`; false on overflow.
bool nbytes(const Shape& shape, std::size_t item, std::uint64_t& out) {
  std::uint64_t n = item;
  for (auto d : shape)
    if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(d), &n)) return false;
  out = n;
  return true;
}

// ---- .npy header -----------------------------------------------------------

std::string shape_literal(const Shape& s) {  // Python's repr of a tuple: (), (3,), (2, 3)
  std::string t = "(";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + (s.size() == 1 ? ",)" : ")");
}

std::vector<std::uint8_t> npy_header(const NpyArray& a) {
  std::string dict = "{'descr': '" + a.dtype + "', 'fortran_order': False, 'shape': " + shape_literal(a.shape) + ", }";
  // Pad with spaces to a newline so that the data starts at a multiple of 64.
  const std::size_t pre = 10;  // magic, version 1.0, uint16 length
  dict += std::string(63 - (pre + dict.size()) % 64, ' ') + "\n";
  KLGRAD_CHECK(dict.size() <= 0xffff, "write_npz: shape " + shape_str(a.shape) + " makes a .npy header over 64 KiB");
  std::vector<std::uint8_t> h(kNpyMagic, kNpyMagic + 6);
  h.push_back(1);
  h.push_back(0);
  put(h, dict.size(), 2);
  h.insert(h.end(), dict.begin(), dict.end());
  return h;
}

// A reader for the header dict: a Python literal, but only the grammar numpy writes.
class DictReader {
 public:
  DictReader(const std::string& text, const std::string& where) : s_(text), where_(where) {}

  NpyArray read() {
    NpyArray a;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (!peek('}')) {
      const std::string key = string();
      expect(':');
      if (key == "descr" && !have_descr) {
        if (peek('[')) fail("structured dtypes (descr is a list) are not supported");
        a.dtype = string();
        have_descr = true;
      } else if (key == "fortran_order" && !have_order) {
        if (word("True")) fail("Fortran-order arrays are not supported; save numpy.ascontiguousarray(a)");
        if (!word("False")) fail("fortran_order must be True or False");
        have_order = true;
      } else if (key == "shape" && !have_shape) {
        a.shape = tuple();
        have_shape = true;
      } else {
        fail("unexpected or repeated key '" + key + "' in the header");
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    skip();
    if (i_ != s_.size()) fail("text after the header dict");
    if (!have_descr || !have_order || !have_shape) fail("the header lacks 'descr', 'fortran_order' or 'shape'");
    return a;
  }

 private:
  [[noreturn]] void fail(const std::string& what) { throw DataError(where_ + "bad .npy header: " + what); }
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t')) ++i_;
  }
  bool peek(char c) {
    skip();
    return i_ < s_.size() && s_[i_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "' at byte " + std::to_string(i_));
    ++i_;
  }
  bool word(const char* w) {
    skip();
    const std::size_t n = std::strlen(w);
    if (s_.compare(i_, n, w) != 0) return false;
    i_ += n;
    return true;
  }
  std::string string() {
    skip();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) fail("expected a quoted string at byte " + std::to_string(i_));
    const char q = s_[i_++];
    const std::size_t end = s_.find(q, i_);
    if (end == std::string::npos || end - i_ > 64) fail("unterminated or overlong string");
    std::string t = s_.substr(i_, end - i_);
    i_ = end + 1;
    return t;
  }
  Shape tuple() {
    Shape shape;
    expect('(');
    while (!peek(')')) {
      if (shape.size() >= 64) fail("more than 64 dimensions");
      if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') fail("shape entries must be non-negative integers");
      std::uint64_t v = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9')
        if (__builtin_mul_overflow(v, std::uint64_t{10}, &v) ||
            __builtin_add_overflow(v, static_cast<std::uint64_t>(s_[i_++] - '0'), &v))
          fail("a shape entry overflows 64 bits");
      if (i_ < s_.size() && s_[i_] == 'L') ++i_;  // Python 2 longs
      shape.push_back(static_cast<std::size_t>(v));
      if (!peek(')')) expect(',');
    }
    expect(')');
    return shape;
  }

  const std::string& s_;
  std::string where_;
  std::size_t i_ = 0;
};

NpyArray parse_npy_at(const std::uint8_t* data, std::size_t size, const std::string& where) {
  if (size < 10 || std::memcmp(data, kNpyMagic, 6) != 0)
    throw DataError(where + "not a .npy array (no \\x93NUMPY magic)");
  const int major = data[6];
  if (major < 1 || major > 3)
    throw DataError(where + ".npy format version " + std::to_string(major) + " is not supported (1, 2 or 3)");
  const std::size_t pre = major == 1 ? 10 : 12;
  if (size < pre) throw DataError(where + "truncated .npy header");
  const std::uint64_t hlen = le(data + 8, major == 1 ? 2 : 4);
  if (hlen > size - pre)
    throw DataError(where + "truncated: the .npy header claims " + std::to_string(hlen) + " bytes but only " +
                    std::to_string(size - pre) + " follow");
  const std::string text(reinterpret_cast<const char*>(data + pre), static_cast<std::size_t>(hlen));
  NpyArray a = DictReader(text, where).read();
  const std::size_t item = itemsize(a.dtype);
  if (item == 0) {
    if (!a.dtype.empty() && a.dtype[0] == '>')
      throw DataError(where + "big-endian dtype '" + a.dtype + "' is not supported; save a.astype('<" +
                      a.dtype.substr(1) + "')");
    throw DataError(where + "dtype '" + a.dtype + "' is not supported; klgrad reads numeric arrays such as '<f4', '<f8', '<i8', '|u1'");
  }
  std::uint64_t want = 0;
  const std::size_t have = size - pre - static_cast<std::size_t>(hlen);
  const bool fits = nbytes(a.shape, item, want);
  if (!fits || want != have)
    throw DataError(where + "shape " + shape_str(a.shape) + " of " + quoted(a.dtype) + " needs " +
                    (fits ? std::to_string(want) : std::string("more than 2^64")) +
                    " bytes of data but the entry has " + std::to_string(have) + "; the file is corrupt");
  const std::uint8_t* body = data + pre + hlen;
  a.data.assign(body, body + have);
  return a;
}

// ---- zip -------------------------------------------------------------------

void validate(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& entries) {
  std::set<std::string> seen;
  const std::string where = "write_npz: " + path + ": ";
  KLGRAD_CHECK(entries.size() < 0xffff, where + "more than 65534 entries (zip64) is not supported");
  for (const auto& [name, a] : entries) {
    KLGRAD_CHECK(!name.empty() && name.find('\0') == std::string::npos && name.size() < 0xff00,
          where + "entry names must be non-empty, without NUL bytes, and shorter than 65280 bytes");
    KLGRAD_CHECK(seen.insert(name).second, where + "entry '" + name + "' appears twice");
    const std::size_t item = itemsize(a.dtype);
    KLGRAD_CHECK(item > 0, where + "entry '" + name + "' has unsupported dtype '" + a.dtype +
                        "'; use a little-endian numeric descr such as '<f4'");
    std::uint64_t want = 0;
    KLGRAD_CHECK(nbytes(a.shape, item, want) && want == a.data.size(),
          where + "entry '" + name + "' has " + std::to_string(a.data.size()) + " bytes of data but shape " +
              shape_str(a.shape) + " of '" + a.dtype + "' needs " + std::to_string(want));
  }
}

struct Central {
  std::string name;
  std::uint32_t crc, size, offset;
};

std::string where_of(const std::string& name) { return "npz: " + name + ": "; }

}  // namespace

template <class T>
std::string npy_dtype() {
  if constexpr (std::is_same_v<T, float>) {
    return "<f4";
  } else if constexpr (std::is_same_v<T, double>) {
    return "<f8";
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return "<i4";
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return "<i8";
  } else {
    static_assert(std::is_same_v<T, std::uint8_t>, "npy_dtype: float, double, int32_t, int64_t or uint8_t");
    return "|u1";
  }
}

template <class T>
NpyArray to_npy(const Array<T>& a) {
  NpyArray n;
  n.dtype = npy_dtype<T>();
  n.shape = Shape(a.shape().begin(), a.shape().end());
  const auto* p = reinterpret_cast<const std::uint8_t*>(a.data());
  n.data.assign(p, p + a.size() * sizeof(T));
  return n;
}

template <class T>
Array<T> from_npy(const NpyArray& a, const std::string& name) {
  // A file's contents, not the caller's code, are wrong here: DataError.
  if (a.dtype != npy_dtype<T>())
    throw DataError("from_npy: entry '" + name + "' has dtype " + quoted(a.dtype) + " but was read as " +
                    quoted(npy_dtype<T>()) + "; read it with the matching type or convert it in numpy");
  if (a.data.size() != numel(a.shape) * sizeof(T))
    throw DataError("from_npy: entry '" + name + "' has " + std::to_string(a.data.size()) + " bytes but shape " +
                    shape_str(a.shape) + " needs " + std::to_string(numel(a.shape) * sizeof(T)));
  Array<T> r = Array<T>::from_shape(a.shape);
  if (!a.data.empty()) std::memcpy(r.data(), a.data.data(), a.data.size());
  return r;
}

NpyArray parse_npy(const std::uint8_t* data, std::size_t size, const std::string& name) {
  return parse_npy_at(data, size, "npy: " + name + ": ");
}

void write_npz(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& entries) {
  validate(path, entries);
  // Everything must fit the 32-bit sizes and offsets of a plain zip.
  std::uint64_t total = 0;
  std::vector<std::vector<std::uint8_t>> headers;
  for (const auto& [name, a] : entries) {
    headers.push_back(npy_header(a));
    total += 30 + 46 + 2 * (name.size() + 4) + headers.back().size() + a.data.size();
  }
  KLGRAD_CHECK(total < kMax32, "write_npz: " + path + ": " + std::to_string(total) +
                            " bytes exceeds the 4 GiB of a plain zip (zip64 is not supported)");

  AtomicFile file(path, "npz");
  std::vector<Central> central;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const NpyArray& a = entries[e].second;
    const std::vector<std::uint8_t>& h = headers[e];
    const std::string name = entries[e].first + ".npy";
    uLong crc = crc32_z(0L, h.data(), h.size());
    if (!a.data.empty()) crc = crc32_z(crc, a.data.data(), a.data.size());  // a null buffer resets the CRC
    Central c{name, static_cast<std::uint32_t>(crc), static_cast<std::uint32_t>(h.size() + a.data.size()),
              static_cast<std::uint32_t>(file.bytes_written())};
    std::vector<std::uint8_t> local;
    put(local, kLocalSig, 4);
    put(local, 20, 2);  // version needed: 2.0
    put(local, 0, 2);   // flags
    put(local, 0, 2);   // method: stored
    put(local, 0, 2);   // time 00:00
    put(local, kDosDate1980, 2);
    put(local, c.crc, 4);
    put(local, c.size, 4);  // compressed size
    put(local, c.size, 4);  // uncompressed size
    put(local, name.size(), 2);
    put(local, 0, 2);  // extra length
    local.insert(local.end(), name.begin(), name.end());
    file.write(local);
    file.write(h);
    file.write(a.data.data(), a.data.size());
    central.push_back(c);
  }
  const std::uint64_t cd_offset = file.bytes_written();
  std::vector<std::uint8_t> cd;  // central directory, then the end record
  for (const Central& c : central) {
    put(cd, kCentralSig, 4);
    put(cd, 0x0314, 2);  // made by: Unix, zip 2.0
    put(cd, 20, 2);      // version needed
    put(cd, 0, 2);       // flags
    put(cd, 0, 2);       // stored
    put(cd, 0, 2);
    put(cd, kDosDate1980, 2);
    put(cd, c.crc, 4);
    put(cd, c.size, 4);
    put(cd, c.size, 4);
    put(cd, c.name.size(), 2);
    put(cd, 0, 2);  // extra
    put(cd, 0, 2);  // comment
    put(cd, 0, 2);  // disk
    put(cd, 0, 2);  // internal attributes
    put(cd, std::uint64_t{0100644} << 16, 4);  // regular file, rw-r--r--
    put(cd, c.offset, 4);
    cd.insert(cd.end(), c.name.begin(), c.name.end());
  }
  const std::size_t cd_size = cd.size();
  put(cd, kEndSig, 4);
  put(cd, 0, 2);
  put(cd, 0, 2);
  put(cd, central.size(), 2);
  put(cd, central.size(), 2);
  put(cd, cd_size, 4);
  put(cd, cd_offset, 4);
  put(cd, 0, 2);  // comment length
  file.write(cd);
  file.commit();
}

std::map<std::string, NpyArray> read_npz(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path, "npz");
  return parse_npz(bytes.data(), bytes.size(), path);
}

std::map<std::string, NpyArray> parse_npz(const std::uint8_t* data, std::size_t size, const std::string& name) {
  const std::string where = where_of(name);
  auto corrupt = [&](const std::string& what) { return DataError(where + what + "; the file is corrupt or truncated"); };
  if (size >= 6 && std::memcmp(data, kNpyMagic, 6) == 0)
    throw DataError(where + "this is a single .npy array, not an .npz archive; write it with numpy.savez");

  // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB.
  std::size_t end = size;
  for (std::size_t back = 22; back <= size && back <= 22 + 0xffff; ++back)
    if (le(data + size - back, 4) == kEndSig) {
      end = size - back;
      break;
    }
  if (end == size) {
    if (size >= 4 && le(data, 4) == kLocalSig) throw corrupt("zip archive without its central directory");
    throw DataError(where + "not a zip archive, so not an .npz (write one with numpy.savez or klgrad::write_npz)");
  }
  const std::uint8_t* e = data + end;
  if (le(e + 4, 2) != 0 || le(e + 6, 2) != 0) throw DataError(where + "multi-disk zip archives are not supported");
  std::uint64_t count = le(e + 10, 2), cd_size = le(e + 12, 4), cd_offset = le(e + 16, 4);
  if (count == 0xffff || cd_size == kMax32 || cd_offset == kMax32) {  // zip64: the real values are elsewhere
    if (end < 20 || le(data + end - 20, 4) != kZip64LocatorSig) throw corrupt("zip64 locator missing");
    const std::uint64_t z = le(data + end - 20 + 8, 8);
    if (z > end || end - z < 56 || le(data + z, 4) != kZip64EndSig) throw corrupt("bad zip64 end record");
    count = le(data + z + 32, 8);
    cd_size = le(data + z + 40, 8);
    cd_offset = le(data + z + 48, 8);
  }
  if (cd_offset > end || cd_size > end - cd_offset) throw corrupt("central directory outside the file");

  std::map<std::string, NpyArray> out;
  const std::uint8_t* p = data + cd_offset;
  const std::uint8_t* cd_end = p + cd_size;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (cd_end - p < 46 || le(p, 4) != kCentralSig) throw corrupt("bad central directory record " + std::to_string(i));
    const std::uint64_t flags = le(p + 8, 2), method = le(p + 10, 2), crc = le(p + 16, 4);
    std::uint64_t csize = le(p + 20, 4), usize = le(p + 24, 4), offset = le(p + 42, 4);
    const std::size_t nlen = le(p + 28, 2), xlen = le(p + 30, 2), clen = le(p + 32, 2);
    if (static_cast<std::size_t>(cd_end - p) < 46 + nlen + xlen + clen) throw corrupt("central directory record " + std::to_string(i) + " overruns");
    const std::string entry(reinterpret_cast<const char*>(p + 46), nlen);
    // zip64 extra field (id 1): the 64-bit values of the fields that read 0xffffffff, in this order.
    const std::uint8_t* extra = p + 46 + nlen;
    for (std::size_t x = 0; x + 4 <= xlen;) {
      const std::size_t id = le(extra + x, 2), len = le(extra + x + 2, 2);
      if (len > xlen - x - 4) throw corrupt("entry '" + entry + "': bad extra field");
      if (id == 1) {
        std::size_t v = x + 4;
        for (std::uint64_t* f : {&usize, &csize, &offset})
          if (*f == kMax32) {
            if (v + 8 > x + 4 + len) throw corrupt("entry '" + entry + "': short zip64 field");
            *f = le(extra + v, 8);
            v += 8;
          }
      }
      x += 4 + len;
    }
    p += 46 + nlen + xlen + clen;

    const std::string ew = where + "entry '" + entry + "': ";
    if (flags & 1) throw DataError(ew + "encrypted entries are not supported");
    if (method != 0)
      throw DataError(ew + "compressed (zip method " + std::to_string(method) +
                      (method == 8 ? ", deflate, as numpy.savez_compressed writes" : "") +
                      "); klgrad reads uncompressed archives only: save with numpy.savez");
    if (csize != usize) throw corrupt("entry '" + entry + "': stored sizes disagree");
    if (entry.size() < 5 || entry.compare(entry.size() - 4, 4, ".npy") != 0)
      throw DataError(ew + "not a .npy array, so this is not an .npz written by numpy.savez");
    const std::string key = entry.substr(0, entry.size() - 4);
    if (offset > cd_offset || cd_offset - offset < 30 || le(data + offset, 4) != kLocalSig)
      throw corrupt("entry '" + entry + "': bad local header offset");
    const std::uint64_t start = offset + 30 + le(data + offset + 26, 2) + le(data + offset + 28, 2);
    if (start > cd_offset || csize > cd_offset - start) throw corrupt("entry '" + entry + "': data outside the file");
    if (le(data + offset + 26, 2) != nlen || std::memcmp(data + offset + 30, entry.data(), nlen) != 0)
      throw corrupt("entry '" + entry + "': the local header names another file");
    const std::uint8_t* body = data + start;
    const std::size_t n = static_cast<std::size_t>(csize);
    if (crc32_z(0L, body, n) != crc) throw corrupt("entry '" + entry + "': CRC-32 mismatch");
    if (out.count(key)) throw corrupt("entry '" + entry + "' appears twice");
    out.emplace(key, parse_npy_at(body, n, ew));
  }
  return out;
}

#define KLGRAD_NPY(T)                                       \
  template std::string npy_dtype<T>();                      \
  template NpyArray to_npy(const Array<T>&);                \
  template Array<T> from_npy(const NpyArray&, const std::string&);
KLGRAD_NPY(float)
KLGRAD_NPY(double)
KLGRAD_NPY(std::int32_t)
KLGRAD_NPY(std::int64_t)
KLGRAD_NPY(std::uint8_t)
#undef KLGRAD_NPY

}  // namespace klgrad
