// The IDX reader: the real Fashion-MNIST files, and synthetic raw / gzipped
// files, good and bad, each error naming the file and the problem.
#include <doctest/doctest.h>

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include <unistd.h>

#include "support/idx_files.hpp"
#include "support/temp_dir.hpp"
#include "klgrad/data/idx.hpp"

using namespace klgrad;
namespace fs = std::filesystem;
using files::Bytes;

TEST_CASE("Fashion-MNIST from Debian's dataset-fashion-mnist: headers, counts, first labels") {
  const std::string dir = default_fashion_mnist_dir();
  if (!fs::is_directory(dir)) {
    MESSAGE("skipped: " << dir << " is absent (install dataset-fashion-mnist)");
    return;
  }
  const MnistSplit train = load_mnist(dir, "train");
  CHECK(train.images.count == 60000);
  CHECK(train.images.rows == 28);
  CHECK(train.images.cols == 28);
  CHECK(train.images.pixels.size() == 60000u * 784u);
  REQUIRE(train.labels.count() == 60000);
  const Bytes first{9, 0, 0, 3, 0, 2, 7, 2, 5, 5};  // ankle boot, T-shirt, T-shirt, dress, ...
  CHECK(Bytes(train.labels.values.begin(), train.labels.values.begin() + 10) == first);
  std::vector<std::size_t> per_class(10);
  for (auto l : train.labels.values) ++per_class[l];
  CHECK(per_class == std::vector<std::size_t>(10, 6000));  // balanced
  const auto sum = [](const std::uint8_t* p) { return std::accumulate(p, p + 784, 0L); };
  CHECK(sum(train.images.image(0)) == 76247);  // numbers from numpy on the same files
  CHECK(train.images.image(0)[300] == 210);
  CHECK(sum(train.images.image(59999)) == 16684);

  const MnistSplit test = load_mnist(dir, "t10k", 100);  // a prefix only
  CHECK(test.images.count == 100);
  CHECK(test.labels.count() == 100);
  CHECK(Bytes(test.labels.values.begin(), test.labels.values.begin() + 4) == Bytes{9, 2, 1, 1});
  CHECK(sum(test.images.image(0)) == 33456);
  CHECK(load_mnist(dir, "t10k").images.count == 10000);
  CHECK_THROWS_WITH_AS(load_mnist(dir, "test"), doctest::Contains("t10k"), Error);
}

TEST_CASE("gather_batch: pixels / 255 in the order of idx, reusing the output buffer") {
  Images im;
  im.count = 3;
  im.rows = 1;
  im.cols = 2;
  im.pixels = {0, 255, 51, 102, 1, 254};
  const std::vector<std::size_t> idx{2, 0, 1};
  Array<float> out;
  gather_batch(im, idx, 0, 2, out);  // images 2 and 0
  REQUIRE(out.shape() == Shape{2, 2});
  CHECK(out(0, 0) == 1.0f / 255.0f);
  CHECK(out(0, 1) == 254.0f / 255.0f);
  CHECK(out(1, 0) == 0.0f);
  CHECK(out(1, 1) == 1.0f);
  const float* buffer = out.data();
  gather_batch(im, idx, 1, 2, out);  // images 0 and 1: same shape, same buffer
  CHECK(out.data() == buffer);
  CHECK(out(1, 0) == doctest::Approx(0.2));
  CHECK(out(1, 1) == doctest::Approx(0.4));

  Array<double> d;
  gather_batch(im, idx, 2, 1, d);
  CHECK(d.shape() == Shape{1, 2});
  CHECK(d(0, 1) == 102.0 / 255.0);

  CHECK_THROWS_WITH_AS(gather_batch(im, idx, 2, 2, out), doctest::Contains("out of range"), Error);
  const std::vector<std::size_t> bad{0, 3};
  CHECK_THROWS_WITH_AS(gather_batch(im, bad, 0, 2, out), doctest::Contains("idx[1] = 3 is out of range for 3 images"),
                       Error);
}

TEST_CASE("synthetic IDX files read the same raw and gzipped, whole or in part") {
  TempDir tmp("idx_valid");
  const Bytes images = idx_files::images(5, 3, 4), labels = idx_files::labels(5);
  files::write(tmp.file("train-images-idx3-ubyte"), images);  // raw images, gzipped labels
  idx_files::write_gz(tmp.file("train-labels-idx1-ubyte.gz"), labels);
  idx_files::write_gz(tmp.file("images.gz"), images);

  const Images raw = read_idx_images(tmp.file("train-images-idx3-ubyte"));
  const Images gz = read_idx_images(tmp.file("images.gz"));
  CHECK(raw.count == 5);
  CHECK(raw.rows == 3);
  CHECK(raw.cols == 4);
  CHECK(raw.pixels == Bytes(images.begin() + 16, images.end()));
  CHECK(gz.pixels == raw.pixels);
  CHECK(raw.image(2)[1] == 3);

  const Images two = read_idx_images(tmp.file("images.gz"), 2);
  CHECK(two.count == 2);
  CHECK(two.pixels == Bytes(images.begin() + 16, images.begin() + 16 + 24));
  CHECK(read_idx_images(tmp.file("images.gz"), 99).count == 5);  // a limit past the end reads all

  const MnistSplit s = load_mnist(tmp.path.string(), "train");
  CHECK(s.images.count == 5);
  CHECK(s.labels.values == Bytes{0, 1, 2, 3, 4});
  const Images parsed = parse_idx_images(images.data(), images.size(), "mem");
  CHECK(parsed.pixels == raw.pixels);
  const Images empty = parse_idx_images(idx_files::images(0, 28, 28).data(), 16, "mem");
  CHECK(empty.count == 0);
  CHECK(empty.pixels.empty());
}

TEST_CASE("IDX errors name the file, the problem and the fix") {
  TempDir tmp("idx_errors");
  const std::string missing = tmp.file("nope-images-idx3-ubyte.gz");
  std::string msg = files::data_error([&] { read_idx_images(missing); });
  CHECK(msg == "idx: " + missing + ": file not found");

  msg = files::data_error([&] { load_mnist(tmp.file("absent"), "train"); });
  CHECK(msg.find(tmp.file("absent") + ": directory not found") != std::string::npos);
  CHECK(msg.find("dataset-fashion-mnist") != std::string::npos);
  CHECK(msg.find("--") == std::string::npos);  // library terms: no program's flag
  msg = files::data_error([&] { load_mnist(tmp.path.string(), "train"); });
  CHECK(msg.find("train-images-idx3-ubyte.gz: file not found") != std::string::npos);

  msg = files::data_error([&] { read_idx_images(tmp.path.string()); });
  CHECK(msg.find("is a directory") != std::string::npos);

  SUBCASE("truncated") {
    Bytes b = idx_files::images(2, 28, 28);
    b[6] = 0xea;  // count 60000 = 0x0000ea60
    b[7] = 0x60;
    b.resize(1000);
    const std::string path = tmp.file("short-images.gz");
    idx_files::write_gz(path, b);
    msg = files::data_error([&] { read_idx_images(path); });
    CHECK(msg == "idx: " + path +
                     ": truncated: header says 60000 images of 28x28 (47040016 bytes) but the file ends after 1000 "
                     "bytes; the download was cut short, fetch the file again");
    msg = files::data_error([&] { read_idx_images(path, 10); });
    CHECK(msg.find("the first 10 of 60000 images of 28x28 need 7856 bytes but the file ends after 1000") !=
          std::string::npos);
    CHECK(read_idx_images(path, 1).count == 1);  // what is there can still be read
    msg = files::data_error([&] { parse_idx_images(b.data(), 7, "x"); });
    CHECK(msg.find("x: truncated: 7 bytes, but an IDX image header needs 16") != std::string::npos);
  }
  SUBCASE("a gzip stream cut in the middle reads as truncated") {
    const std::string path = tmp.file("cut.gz");
    idx_files::write_gz(path, idx_files::images(200, 28, 28));
    Bytes gz = files::read(path);
    gz.resize(gz.size() / 2);
    files::write(path, gz);
    msg = files::data_error([&] { read_idx_images(path); });
    CHECK(msg.find(path + ": truncated: header says 200 images") != std::string::npos);
  }
  SUBCASE("bad magic") {
    const std::string path = tmp.file("train-labels-idx1-ubyte.gz");
    idx_files::write_gz(path, idx_files::labels(3));
    msg = files::data_error([&] { read_idx_images(path); });
    CHECK(msg == "idx: " + path +
                     ": bad magic 0x00000801 (an IDX label file), expected 2051 (an IDX image file such as "
                     "train-images-idx3-ubyte.gz)");
    const std::string images = tmp.file("train-images-idx3-ubyte");
    files::write(images, idx_files::images(3, 2, 2));
    msg = files::data_error([&] { read_idx_labels(images); });
    CHECK(msg.find(images + ": bad magic 0x00000803 (an IDX image file), expected 2049") != std::string::npos);
    const std::string html = tmp.file("page.gz");
    files::write(html, Bytes{'<', '!', 'D', 'O', 'C', 'T', 'Y', 'P', 'E', ' ', 'h', 't', 'm', 'l', '>', '\n', '<'});
    msg = files::data_error([&] { read_idx_images(html); });
    CHECK(msg.find(html + ": bad magic 0x3c21444f (text starting with '<': an HTML page") != std::string::npos);
  }
  SUBCASE("corrupt gzip") {
    const std::string path = tmp.file("corrupt.gz");
    idx_files::write_gz(path, idx_files::images(4, 28, 28));
    Bytes gz = files::read(path);
    gz[10] = 0xff;  // the first deflate block header: block type 3 does not exist
    files::write(path, gz);
    msg = files::data_error([&] { read_idx_images(path); });
    CHECK(msg.find(path + ": not a valid gzip stream (zlib: invalid block type)") != std::string::npos);

    idx_files::write_gz(path, idx_files::images(4, 28, 28));
    gz = files::read(path);
    gz[gz.size() - 6] ^= 0x55;  // the CRC-32 in the trailer
    files::write(path, gz);
    msg = files::data_error([&] { read_idx_images(path); });
    CHECK(msg.find(path + ": not a valid gzip stream (zlib: incorrect data check)") != std::string::npos);
  }
  SUBCASE("image and label counts disagree") {
    idx_files::write_gz(tmp.file("t10k-images-idx3-ubyte.gz"), idx_files::images(5, 2, 2));
    idx_files::write_gz(tmp.file("t10k-labels-idx1-ubyte.gz"), idx_files::labels(4));
    msg = files::data_error([&] { load_mnist(tmp.path.string(), "t10k"); });
    CHECK(msg == "mnist: " + tmp.file("t10k-labels-idx1-ubyte.gz") + " has 4 labels but " +
                     tmp.file("t10k-images-idx3-ubyte.gz") +
                     " has 5 images; both files must come from the same split, fetch them again");
  }
  SUBCASE("labels outside 0..9") {
    idx_files::write_gz(tmp.file("t10k-images-idx3-ubyte.gz"), idx_files::images(3, 2, 2));
    Bytes l = idx_files::labels(3);
    l[9] = 12;
    idx_files::write_gz(tmp.file("t10k-labels-idx1-ubyte.gz"), l);
    msg = files::data_error([&] { load_mnist(tmp.path.string(), "t10k"); });
    CHECK(msg.find("label 12 at index 1 is outside 0..9") != std::string::npos);
  }
}

TEST_CASE("hostile IDX headers are errors, not huge allocations") {
  TempDir tmp("idx_hostile");
  // 2^32 - 1 images of 2^32 - 1 by 2^32 - 1 pixels: 2^96 bytes claimed, 116 present.
  Bytes b = idx_files::images(0, 0, 0);
  for (std::size_t i = 4; i < 16; ++i) b[i] = 0xff;
  b.resize(116, 7);
  std::string msg = files::data_error([&] { parse_idx_images(b.data(), b.size(), "huge"); });
  CHECK(msg == "idx: huge: truncated: header says 4294967295 images of 4294967295x4294967295 (more than 2^64 bytes) "
               "but the file ends after 116 bytes; the download was cut short, fetch the file again");
  const std::string path = tmp.file("huge.gz");
  idx_files::write_gz(path, b);
  msg = files::data_error([&] { read_idx_images(path); });
  CHECK(msg.find(path + ": truncated: header says 4294967295 images") != std::string::npos);
  msg = files::data_error([&] { read_idx_images(path, 1); });
  CHECK(msg.find("the first 1 of 4294967295 images") != std::string::npos);

  // 2^32 - 1 images of 28x28: a 3.4 TB claim; 2^32 - 1 labels.
  Bytes c = idx_files::images(1, 28, 28);
  for (std::size_t i = 4; i < 8; ++i) c[i] = 0xff;
  msg = files::data_error([&] { parse_idx_images(c.data(), c.size(), "big"); });
  CHECK(msg.find("header says 4294967295 images of 28x28 (3367254359296 bytes) but the file ends after 800") !=
        std::string::npos);
  Bytes l = idx_files::labels(2);
  for (std::size_t i = 4; i < 8; ++i) l[i] = 0xff;
  msg = files::data_error([&] { parse_idx_labels(l.data(), l.size(), "labels"); });
  CHECK(msg.find("header says 4294967295 labels (4294967303 bytes) but the file ends after 10") != std::string::npos);

  // Images of 0x28 pixels: nothing to allocate, but nonsense.
  Bytes z = idx_files::images(3, 0, 28);
  msg = files::data_error([&] { parse_idx_images(z.data(), z.size(), "zero"); });
  CHECK(msg.find("images of 0x28, but an image needs at least 1x1 pixels") != std::string::npos);

  // Every prefix of a valid file either parses or is a DataError.
  const Bytes good = idx_files::images(3, 2, 3);
  for (std::size_t n = 0; n <= good.size(); ++n) {
    try {
      const Images im = parse_idx_images(good.data(), n, "prefix");
      CHECK(n == good.size());
      CHECK(im.count == 3);
    } catch (const DataError&) {
      CHECK(n < good.size());
    }
  }
}
