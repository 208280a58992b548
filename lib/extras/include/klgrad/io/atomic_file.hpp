// klgrad/io/atomic_file.hpp — whole-file reads, crash-safe writes, DataError.
//
// A checkpoint written while the machine loses power must leave either the old
// file or the new one, never a torn mix. AtomicFile gets that the classic way:
//   1. write everything to  <path>.tmp.<pid>  in the same directory,
//   2. fsync it, close it (both checked: a full disk shows up here),
//   3. rename() it over <path> (atomic on POSIX file systems),
//   4. fsync the directory, so the rename itself is durable.
// Until commit() the old <path> is untouched; if anything throws, or the
// AtomicFile is destroyed without commit(), the temporary is removed. A process
// killed outright (SIGKILL) cannot clean up: the next AtomicFile for the same
// path removes temporaries whose process no longer exists.
// Not for two writers of the same path at once (they share one temporary).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "klgrad/error.hpp"

namespace klgrad {


// The whole file as bytes, read until end of file: regular files, pipes,
// /dev/stdin and <(...) alike. `what` prefixes errors, e.g. "npz"; each error
// names the OS's reason: "file not found", "is a directory, expected a file",
// "cannot open: Permission denied; ...", "cannot read: Input/output error".
// More than `max_bytes` is an error too (a guard against e.g. /dev/zero).
std::vector<std::uint8_t> read_file_bytes(const std::string& path, const std::string& what,
                                          std::size_t max_bytes = static_cast<std::size_t>(-1));

// The same for standard input (file descriptor 0), until end of file.
std::vector<std::uint8_t> read_stdin_bytes(const std::string& what, std::size_t max_bytes = static_cast<std::size_t>(-1));

class AtomicFile {
 public:
  // Creates <path>.tmp.<pid>; `what` prefixes errors, e.g. "npz".
  AtomicFile(const std::string& path, const std::string& what);
  ~AtomicFile();  // removes the temporary unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t size);
  void write(const std::vector<std::uint8_t>& bytes) { write(bytes.data(), bytes.size()); }
  std::uint64_t bytes_written() const { return written_; }
  // fsync, close, rename over the target, fsync the directory.
  void commit();

  const std::string& temp_path() const { return temp_; }

 private:
  [[noreturn]] void fail(const std::string& step, int err);

  std::string path_, temp_, what_;
  int fd_ = -1;
  std::uint64_t written_ = 0;
  bool committed_ = false;
};

// Writes `bytes` to `path` through an AtomicFile.
void write_file_atomic(const std::string& path, const std::vector<std::uint8_t>& bytes, const std::string& what);

}  // namespace klgrad
