// .npz checkpoints: round trips of every dtype, a file numpy wrote
// (tests/io/make_npz_fixture.py), errors for corrupt and foreign files, a
// mutation sweep over every byte, and atomic replacement.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/files.hpp"
#include "support/temp_dir.hpp"
#include "klgrad/io/npz.hpp"

using namespace klgrad;
namespace fs = std::filesystem;
using files::Bytes;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::size_t find(const Bytes& b, const std::string& s) {
  return static_cast<std::size_t>(std::search(b.begin(), b.end(), s.begin(), s.end()) - b.begin());
}

std::vector<std::pair<std::string, NpyArray>> sample_entries() {
  return {{"w", to_npy(Array<float>{{0.5f, -1.25f, 3.0f}, {1e-30f, 7.0f, -0.0f}})},
          {"scalar", to_npy(Array<double>(3.25))},
          {"enc/idx", to_npy(Array<std::int64_t>{{{-1, 0}, {1, 2}}, {{1LL << 40, 5}, {6, -7}}})},
          {"i4", to_npy(Array<std::int32_t>{-8, 7})},
          {"pix", to_npy(Array<std::uint8_t>{0, 128, 255})}};
}

}  // namespace

TEST_CASE("npz round trip: every dtype, 0-d, 3-d and empty shapes") {
  TempDir tmp("npz_roundtrip");
  const std::string path = tmp.file("ckpt.npz");
  auto entries = sample_entries();
  entries.push_back({"empty", to_npy(Array<float>::from_shape({0, 3}))});
  write_npz(path, entries);
  const auto z = read_npz(path);
  REQUIRE(z.size() == 6);

  const Array<float> w = from_npy<float>(z.at("w"), "w");
  CHECK(w == Array<float>{{0.5f, -1.25f, 3.0f}, {1e-30f, 7.0f, -0.0f}});
  const Array<double> s = from_npy<double>(z.at("scalar"), "scalar");
  CHECK(s.dimension() == 0);
  CHECK(s() == 3.25);
  const Array<std::int64_t> idx = from_npy<std::int64_t>(z.at("enc/idx"), "enc/idx");
  CHECK(idx.shape() == Shape{2, 2, 2});
  CHECK(idx(1, 0, 0) == (1LL << 40));
  CHECK(idx(1, 1, 1) == -7);
  CHECK(from_npy<std::int32_t>(z.at("i4"), "i4") == Array<std::int32_t>{-8, 7});
  CHECK(from_npy<std::uint8_t>(z.at("pix"), "pix") == Array<std::uint8_t>{0, 128, 255});
  CHECK(z.at("empty").shape == Shape{0, 3});
  CHECK(from_npy<float>(z.at("empty"), "empty").size() == 0);
  for (const auto& [name, a] : entries) {
    CHECK(z.at(name).dtype == a.dtype);
    CHECK(z.at(name).shape == a.shape);
    CHECK(z.at(name).data == a.data);
  }
  CHECK(z.at("pix").dtype == "|u1");
  CHECK(z.at("enc/idx").dtype == "<i8");
}

TEST_CASE("npz layout: stored entries, .npy data 64-byte aligned, byte-identical rewrites") {
  TempDir tmp("npz_layout");
  write_npz(tmp.file("a.npz"), sample_entries());
  write_npz(tmp.file("b.npz"), sample_entries());
  const Bytes a = files::read(tmp.file("a.npz"));
  CHECK(a == files::read(tmp.file("b.npz")));  // fixed zip dates: reproducible checkpoints
  REQUIRE(a.size() > 40);
  CHECK(Bytes(a.begin(), a.begin() + 4) == Bytes{'P', 'K', 3, 4});
  CHECK(a[8] == 0);  // method: stored
  CHECK(std::string(a.begin() + 30, a.begin() + 35) == "w.npy");
  const std::size_t npy = 35;
  CHECK(std::string(a.begin() + npy + 1, a.begin() + npy + 6) == "NUMPY");
  const std::size_t hlen = a[npy + 8] | (a[npy + 9] << 8);
  CHECK((10 + hlen) % 64 == 0);
  const std::string header(a.begin() + npy + 10, a.begin() + npy + 10 + hlen);
  CHECK(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0) == 0);
  CHECK(header.back() == '\n');
  const std::string h0 = std::string(a.begin(), a.end());
  CHECK(contains(h0, "'shape': (), }"));    // 0-d
  CHECK(contains(h0, "'shape': (3,), }"));  // 1-d, Python's one-tuple
}

TEST_CASE("npz reads a file written by numpy.savez") {
  const auto z = read_npz(KLGRAD_SOURCE_DIR "/tests/io/numpy_savez.npz");
  REQUIRE(z.size() == 6);
  CHECK(from_npy<float>(z.at("w"), "w") == Array<float>{{0.0f, 0.125f, 0.25f}, {0.375f, 0.5f, 0.625f}});
  const Array<double> s = from_npy<double>(z.at("scalar"), "scalar");
  CHECK(s.dimension() == 0);
  CHECK(s() == 3.25);
  CHECK(from_npy<std::int64_t>(z.at("idx"), "idx") == Array<std::int64_t>{-1, 0, 1LL << 40});
  CHECK(from_npy<std::int32_t>(z.at("count"), "count") == Array<std::int32_t>{7, -8});
  const Array<std::uint8_t> pix = from_npy<std::uint8_t>(z.at("pix"), "pix");
  CHECK(pix.shape() == Shape{2, 2, 2});
  CHECK(pix(1, 1, 1) == 7);
  CHECK(z.at("enc/empty").shape == Shape{0, 3});
}

TEST_CASE("from_npy refuses a different dtype, naming the entry and both dtypes") {
  const NpyArray a = to_npy(Array<double>{1.0, 2.0});
  CHECK_THROWS_WITH_AS(from_npy<float>(a, "enc/w"),
                       "from_npy: entry 'enc/w' has dtype '<f8' (float64) but was read as '<f4' (float32); read it "
                       "with the matching type or convert it in numpy",
                       Error);
  CHECK(npy_dtype<std::uint8_t>() == "|u1");
}

TEST_CASE("write_npz checks its entries before touching the file") {
  TempDir tmp("npz_validate");
  const std::string path = tmp.file("x.npz");
  NpyArray bad = to_npy(Array<float>{1.0f, 2.0f});
  bad.shape = Shape{3};
  CHECK_THROWS_WITH_AS(write_npz(path, {{"v", bad}}), doctest::Contains("entry 'v' has 8 bytes of data but shape (3,)"),
                       Error);
  const NpyArray ok = to_npy(Array<float>{1.0f});
  CHECK_THROWS_WITH_AS(write_npz(path, {{"v", ok}, {"v", ok}}), doctest::Contains("entry 'v' appears twice"), Error);
  CHECK_THROWS_WITH_AS(write_npz(path, {{"", ok}}), doctest::Contains("non-empty"), Error);
  NpyArray odd = ok;
  odd.dtype = ">f4";
  CHECK_THROWS_WITH_AS(write_npz(path, {{"v", odd}}), doctest::Contains("unsupported dtype '>f4'"), Error);
  CHECK_FALSE(fs::exists(path));
  write_npz(path, {});
  CHECK(read_npz(path).empty());
}

TEST_CASE("npz errors: missing, foreign, truncated, corrupt, compressed files") {
  TempDir tmp("npz_errors");
  const std::string path = tmp.file("ckpt.npz");
  write_npz(path, sample_entries());
  const Bytes good = files::read(path);
  const std::string where = "npz: " + path + ": ";

  CHECK(files::data_error([&] { read_npz(tmp.file("none.npz")); }) == "npz: " + tmp.file("none.npz") + ": file not found");
  CHECK(contains(files::data_error([&] { read_npz(tmp.path.string()); }), "is a directory"));

  files::write(path, Bytes{'h', 'e', 'l', 'l', 'o'});
  CHECK(files::data_error([&] { read_npz(path); }) ==
        where + "not a zip archive, so not an .npz (write one with numpy.savez or klgrad::write_npz)");

  const std::size_t npy = find(good, "NUMPY") - 1;
  files::write(path, Bytes(good.begin() + static_cast<std::ptrdiff_t>(npy), good.end()));
  CHECK(contains(files::data_error([&] { read_npz(path); }), "a single .npy array, not an .npz archive"));

  files::write(path, Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)));
  CHECK(files::data_error([&] { read_npz(path); }) ==
        where + "zip archive without its central directory; the file is corrupt or truncated");

  Bytes flipped = good;
  flipped[npy + 10 + (good[npy + 8] | (good[npy + 9] << 8)) + 4] ^= 1;  // a byte of w's data
  files::write(path, flipped);
  CHECK(files::data_error([&] { read_npz(path); }) == where + "entry 'w.npy': CRC-32 mismatch; the file is corrupt or truncated");

  Bytes deflated = good;  // method 8 in the local and central headers
  deflated[8] = 8;
  deflated[find(good, "PK\x01\x02") + 10] = 8;
  files::write(path, deflated);
  CHECK(files::data_error([&] { read_npz(path); }) ==
        where + "entry 'w.npy': compressed (zip method 8, deflate, as numpy.savez_compressed writes); klgrad reads "
                "uncompressed archives only: save with numpy.savez");

  Bytes foreign = good;  // the central directory now names w.txt
  const std::size_t cd_name = find(good, "PK\x01\x02") + 46;
  foreign[cd_name + 2] = 't';
  foreign[cd_name + 3] = 'x';
  foreign[cd_name + 4] = 't';
  files::write(path, foreign);
  CHECK(files::data_error([&] { read_npz(path); }) ==
        where + "a local header disagrees with the central directory; the file is corrupt or truncated");
  foreign[30 + 2] = 't';  // and so does the local header
  foreign[30 + 3] = 'x';
  foreign[30 + 4] = 't';
  files::write(path, foreign);
  CHECK(files::data_error([&] { read_npz(path); }) ==
        where + "entry 'w.txt': not a .npy array, so this is not an .npz written by numpy.savez");
}

TEST_CASE("npz entries that share bytes are refused, not read twice") {
  // k central directory records pointing at the same n bytes would make a file
  // of n bytes ask for k * n bytes of arrays. Start from one entry v.npy.
  TempDir tmp("npz_shared");
  const std::string path = tmp.file("ckpt.npz");
  write_npz(path, {{"v", to_npy(Array<float>::from_shape({64}))}});
  const Bytes one = files::read(path);
  const std::size_t cd = find(one, "PK\x01\x02"), end = find(one, "PK\x05\x06");
  REQUIRE(end - cd == 46 + 5);
  const Bytes local(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(cd));  // header and data of v
  const Bytes record(one.begin() + static_cast<std::ptrdiff_t>(cd), one.begin() + static_cast<std::ptrdiff_t>(end));
  auto set32 = [](Bytes& b, std::size_t at, std::size_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  // The archive `body`, then the records, then the end record counting them.
  auto archive = [&](Bytes body, const std::vector<Bytes>& records) {
    const std::size_t offset = body.size();
    for (const Bytes& r : records) body.insert(body.end(), r.begin(), r.end());
    Bytes e(one.begin() + static_cast<std::ptrdiff_t>(end), one.end());
    e[8] = e[10] = static_cast<std::uint8_t>(records.size());
    set32(e, 12, body.size() - offset);
    set32(e, 16, offset);
    body.insert(body.end(), e.begin(), e.end());
    return body;
  };
  auto error = [&](const Bytes& b) {
    files::write(path, b);
    return files::data_error([&] { read_npz(path); });
  };
  const std::string where = "npz: " + path + ": ";

  Bytes w = record;  // a second record, w.npy, on v's local header
  w[46] = 'w';
  CHECK(error(archive(local, {record, w})) ==
        where + "a local header disagrees with the central directory; the file is corrupt or truncated");
  CHECK(error(archive(local, {record, record})) == where + "two entries have the same name; the file is corrupt or truncated");

  // a.npy holds v's local header and data, so v's bytes are inside a's.
  Bytes outer(one.begin(), one.begin() + 30 + 5), a = record, v = record;
  outer[30] = a[46] = 'a';
  for (Bytes* h : {&outer, &a}) {
    const std::size_t at = h == &outer ? 14 : 16;  // CRC-32, then both sizes
    set32(*h, at, 0);
    set32(*h, at + 4, local.size());
    set32(*h, at + 8, local.size());
  }
  set32(v, 42, outer.size());  // v's local header moved up
  set32(a, 42, 0);
  outer.insert(outer.end(), local.begin(), local.end());
  CHECK(error(archive(outer, {v, a})) == where + "entry 'a.npy': data outside the file; the file is corrupt or truncated");
}

TEST_CASE("bad .npy headers are clear errors") {
  auto npy = [](const std::string& dict, std::size_t data_bytes, std::uint8_t major = 1) {
    Bytes b{0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
    b.push_back(static_cast<std::uint8_t>(dict.size()));
    b.push_back(static_cast<std::uint8_t>(dict.size() >> 8));
    if (major > 1) b.insert(b.end(), {0, 0});
    b.insert(b.end(), dict.begin(), dict.end());
    b.resize(b.size() + data_bytes, 0);
    return b;
  };
  auto err = [](const Bytes& b) { return files::data_error([&] { parse_npy(b.data(), b.size(), "x.npy"); }); };
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
  CHECK(parse_npy(npy(f4, 8).data(), npy(f4, 8).size(), "x.npy").shape == Shape{2});
  CHECK(parse_npy(npy(f4, 8, 2).data(), npy(f4, 8, 2).size(), "x.npy").dtype == "<f4");  // version 2.0
  CHECK(err(npy(f4, 7)) == "npy: x.npy: shape (2,) of '<f4' (float32) needs 8 bytes of data but the entry has 7; "
                           "the file is corrupt");
  CHECK(err(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8)) ==
        "npy: x.npy: big-endian dtype '>f4' is not supported; save a.astype('<f4')");
  CHECK(contains(err(npy("{'descr': '<U5', 'fortran_order': False, 'shape': (), }", 20)), "dtype '<U5' is not supported"));
  CHECK(contains(err(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (), }", 4)), "structured"));
  CHECK(contains(err(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8)), "Fortran-order"));
  CHECK(contains(err(npy("{'descr': '<f4', 'shape': (2,), }", 8)), "lacks"));
  CHECK(contains(err(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8)), "unexpected or repeated key 'x'"));
  CHECK(contains(err(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8)), "non-negative integers"));
  CHECK(contains(err(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8)),
                 "overflows 64 bits"));
  CHECK(contains(err(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 8)),
                 "needs more than 2^64 bytes"));
  CHECK(contains(err(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }", 8)),
                 "needs more than 2^64 bytes"));
  Bytes lying = npy(f4, 8);
  lying[8] = 0xff;  // header length 0xff?? past the end
  lying[9] = 0xff;
  CHECK(contains(err(lying), "the .npy header claims 65535 bytes but only"));
  CHECK(contains(err(npy(f4, 8, 7)), "version 7 is not supported"));
}

TEST_CASE("npz mutation sweep: every truncation and byte flip parses or is a DataError") {
  TempDir tmp("npz_sweep");
  write_npz(tmp.file("s.npz"), {{"a", to_npy(Array<float>{1.0f, 2.0f})}, {"b/c", to_npy(Array<std::uint8_t>(7))}});
  const Bytes good = files::read(tmp.file("s.npz"));
  std::size_t ok = 0, errors = 0;
  auto attempt = [&](const Bytes& b) {
    try {
      parse_npz(b.data(), b.size(), "sweep");
      ++ok;
    } catch (const DataError&) {
      ++errors;
    }
  };
  for (std::size_t n = 0; n < good.size(); ++n) attempt(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)));
  CHECK(ok == 0);
  for (std::size_t i = 0; i < good.size(); ++i)
    for (std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0xff}, std::uint8_t{0x80}, static_cast<std::uint8_t>(good[i] ^ 1)}) {
      Bytes b = good;
      b[i] = v;
      attempt(b);
    }
  CHECK(errors > good.size());
  MESSAGE(ok << " mutants parsed, " << errors << " were DataErrors");
}

TEST_CASE("write_npz is atomic: a failed save leaves the previous file intact") {
  TempDir tmp("npz_atomic");
  const std::string path = tmp.file("ckpt.npz");
  write_npz(path, {{"step", to_npy(Array<std::int64_t>(1))}});
  const Bytes before = files::read(path);
  auto intact = [&] {
    CHECK(files::read(path) == before);
    CHECK(from_npy<std::int64_t>(read_npz(path).at("step"), "step")() == 1);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(tmp.path)) files += e.is_regular_file();
    CHECK(files == 1);  // no temporary left behind
  };
  const std::vector<std::pair<std::string, NpyArray>> big{{"w", to_npy(Array<float>(Shape{256, 256}, 0.5f))}};

  SUBCASE("the temporary cannot be created") {
    const std::string temp = path + ".tmp." + std::to_string(::getpid());
    fs::create_directory(temp);  // a directory squats on the temporary's name
    const std::string msg = files::data_error([&] { write_npz(path, big); });
    CHECK(contains(msg, "npz: " + path + ": cannot create temporary file " + temp));
    fs::remove(temp);
    intact();
  }
  SUBCASE("the disk fills up mid-write (RLIMIT_FSIZE)") {
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const std::string msg = files::data_error([&] { write_npz(path, big); });
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    CHECK(contains(msg, "npz: " + path + ": writing failed: File too large (the previous file, if any, is unchanged)"));
    intact();
  }
  SUBCASE("the directory is read-only") {
    if (::geteuid() == 0) {
      MESSAGE("skipped: root ignores directory permissions");
      return;
    }
    fs::permissions(tmp.path, fs::perms::owner_read | fs::perms::owner_exec);
    CHECK(contains(files::data_error([&] { write_npz(path, big); }), "cannot create temporary file"));
    fs::permissions(tmp.path, fs::perms::owner_all);
    intact();
  }
  SUBCASE("success replaces the file and leaves no temporary") {
    write_npz(path, big);
    CHECK(read_npz(path).at("w").shape == Shape{256, 256});
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(tmp.path)) files += e.is_regular_file();
    CHECK(files == 1);
  }
  CHECK(contains(files::data_error([&] { write_npz(tmp.file("no/such/dir.npz"), big); }), "cannot create temporary file"));
}
