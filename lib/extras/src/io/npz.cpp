#include "klgrad/io/npz.hpp"

#include <cstring>
#include <memory>
#include <set>
#include <type_traits>

#include <zip.h>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "klgrad's .npy code copies little-endian bytes as they are");

namespace klgrad {

namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";  // 6 bytes
constexpr std::uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01, numpy's fixed date

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

// ---- zip (libzip) ------------------------------------------------------------

void validate(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& entries) {
  std::set<std::string> seen;
  const std::string where = "write_npz: " + path + ": ";
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

std::string where_of(const std::string& name) { return "npz: " + name + ": "; }

// Owners of libzip handles, so that every error path frees them.
struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
  void operator()(zip_file_t* f) const { zip_fclose(f); }
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;
using ZipFile = std::unique_ptr<zip_file_t, ZipCloser>;
using ZipSource = std::unique_ptr<zip_source_t, ZipCloser>;

// A zip_error_t of our own; zip_error_fini frees the text zip_error_strerror makes.
struct ZipError {
  zip_error_t e;
  ZipError() { zip_error_init(&e); }
  ~ZipError() { zip_error_fini(&e); }
  ZipError(const ZipError&) = delete;
  ZipError& operator=(const ZipError&) = delete;
};

std::string zip_message(zip_error_t* e) { return zip_error_strerror(e); }

// The archive as bytes, built by libzip in memory: one stored entry per array,
// the header and the data as two fragments of that entry (no copy).
std::vector<std::uint8_t> zip_bytes(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& entries,
                                    const std::vector<std::vector<std::uint8_t>>& headers) {
  const std::string where = "write_npz: " + path + ": ";
  if (entries.empty()) {
    // libzip writes no bytes for an archive without entries; a zip file is then
    // just its 22-byte end record: "PK\5\6", all counts, sizes and offsets 0.
    std::vector<std::uint8_t> end(22, 0);
    end[0] = 'P', end[1] = 'K', end[2] = 5, end[3] = 6;
    return end;
  }
  auto check = [&](bool ok, zip_error_t* e) { KLGRAD_CHECK(ok, where + "building the zip archive failed: " + zip_message(e)); };
  ZipError error;
  ZipSource buffer(zip_source_buffer_create(nullptr, 0, 0, &error.e));
  check(buffer != nullptr, &error.e);
  zip_source_keep(buffer.get());  // the archive's bytes stay in it after zip_close
  Zip z(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error.e));
  if (!z) zip_source_free(buffer.get());  // drops the reference zip_open_from_source did not take
  check(z != nullptr, &error.e);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const NpyArray& a = entries[e].second;
    const zip_buffer_fragment_t parts[2] = {{const_cast<std::uint8_t*>(headers[e].data()), headers[e].size()},
                                            {const_cast<std::uint8_t*>(a.data.data()), a.data.size()}};
    ZipSource entry(zip_source_buffer_fragment_create(parts, a.data.empty() ? 1 : 2, 0, &error.e));
    check(entry != nullptr, &error.e);
    const std::string name = entries[e].first + ".npy";
    const zip_int64_t i = zip_file_add(z.get(), name.c_str(), entry.get(), ZIP_FL_ENC_GUESS);
    check(i >= 0, zip_get_error(z.get()));
    entry.release();  // the archive owns it now
    const auto u = static_cast<zip_uint64_t>(i);
    check(zip_set_file_compression(z.get(), u, ZIP_CM_STORE, 0) == 0 &&  // as numpy.savez
              zip_file_set_dostime(z.get(), u, 0, kDosDate1980, 0) == 0 &&  // reproducible files
              zip_file_set_external_attributes(z.get(), u, 0, ZIP_OPSYS_UNIX, 0100644u << 16) == 0,
          zip_get_error(z.get()));
  }
  check(zip_close(z.get()) == 0, zip_get_error(z.get()));
  z.release();  // zip_close freed it
  check(zip_source_open(buffer.get()) == 0, zip_source_error(buffer.get()));
  zip_stat_t st;
  zip_int64_t n = -1;
  std::vector<std::uint8_t> out;
  if (zip_source_stat(buffer.get(), &st) == 0 && (st.valid & ZIP_STAT_SIZE)) {
    out.resize(static_cast<std::size_t>(st.size));
    n = zip_source_read(buffer.get(), out.data(), out.size());
  }
  zip_source_close(buffer.get());
  check(n == static_cast<zip_int64_t>(out.size()), zip_source_error(buffer.get()));
  return out;
}

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
  std::vector<std::vector<std::uint8_t>> headers;
  for (const auto& entry : entries) headers.push_back(npy_header(entry.second));
  write_file_atomic(path, zip_bytes(path, entries, headers), "npz");
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

  // ZIP_CHECKCONS: libzip also compares each local header (name, sizes, CRC)
  // with its central directory record.
  ZipError error;
  ZipSource source(size == 0 ? nullptr : zip_source_buffer_create(data, size, 0, &error.e));
  Zip z(source ? zip_open_from_source(source.get(), ZIP_RDONLY | ZIP_CHECKCONS, &error.e) : nullptr);
  if (z) {
    source.release();  // the archive owns it now
  } else {
    const int code = zip_error_code_zip(&error.e);
    if (size == 0 || code == ZIP_ER_NOZIP) {
      if (size >= 4 && std::memcmp(data, "PK\3\4", 4) == 0) throw corrupt("zip archive without its central directory");
      throw DataError(where + "not a zip archive, so not an .npz (write one with numpy.savez or klgrad::write_npz)");
    }
    if (code == ZIP_ER_MULTIDISK) throw DataError(where + "multi-disk zip archives are not supported");
    if (code == ZIP_ER_INCONS) throw corrupt("a local header disagrees with the central directory");
    if (code == ZIP_ER_EXISTS) throw corrupt("two entries have the same name");
    throw corrupt("bad zip archive (" + zip_message(&error.e) + ")");
  }

  std::map<std::string, NpyArray> out;
  std::size_t total = 0;  // bytes of the entries so far
  const zip_int64_t count = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
      throw corrupt("bad central directory record " + std::to_string(i));
    const std::string entry = st.name;
    const std::string ew = where + "entry '" + entry + "': ";
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      throw DataError(ew + "encrypted entries are not supported");
    if (st.comp_method != ZIP_CM_STORE)
      throw DataError(ew + "compressed (zip method " + std::to_string(st.comp_method) +
                      (st.comp_method == ZIP_CM_DEFLATE ? ", deflate, as numpy.savez_compressed writes" : "") +
                      "); klgrad reads uncompressed archives only: save with numpy.savez");
    if (st.comp_size != st.size) throw corrupt("entry '" + entry + "': stored sizes disagree");
    if (entry.size() < 5 || entry.compare(entry.size() - 4, 4, ".npy") != 0)
      throw DataError(ew + "not a .npy array, so this is not an .npz written by numpy.savez");
    // Stored entries are disjoint slices of the file: sizes adding up to more
    // than the file are a lie (or entries sharing bytes), not a reason to allocate.
    if (st.size > size - total) throw corrupt("entry '" + entry + "': data outside the file");
    total += static_cast<std::size_t>(st.size);
    const std::string key = entry.substr(0, entry.size() - 4);
    if (out.count(key)) throw corrupt("entry '" + entry + "' appears twice");

    ZipFile f(zip_fopen_index(z.get(), static_cast<zip_uint64_t>(i), 0));
    if (!f) throw corrupt("entry '" + entry + "': " + zip_message(zip_get_error(z.get())));
    std::vector<std::uint8_t> body(static_cast<std::size_t>(st.size));
    std::uint8_t past_end = 0;
    // Read to the end: libzip compares the CRC-32 when a read reaches it.
    const zip_int64_t n = zip_fread(f.get(), body.data(), body.size());
    const zip_int64_t more = n == static_cast<zip_int64_t>(body.size()) ? zip_fread(f.get(), &past_end, 1) : 0;
    if (n < 0 || more < 0) {
      zip_error_t* e = zip_file_get_error(f.get());
      if (zip_error_code_zip(e) == ZIP_ER_CRC) throw corrupt("entry '" + entry + "': CRC-32 mismatch");
      throw corrupt("entry '" + entry + "': " + zip_message(e));
    }
    if (n != static_cast<zip_int64_t>(body.size()) || more != 0) throw corrupt("entry '" + entry + "': data outside the file");
    out.emplace(key, parse_npy_at(body.data(), body.size(), ew));
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
