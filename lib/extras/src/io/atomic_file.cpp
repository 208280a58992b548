#include "klgrad/io/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace klgrad {

namespace {

std::string errno_text(int err) {
  if (err == ENOENT) return "file not found";
  return std::strerror(err);
}

std::string dir_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// A writer killed with SIGKILL (or by a power cut) leaves its <path>.tmp.<pid>
// behind; the next writer of <path> removes those whose process is gone.
void remove_stale_temporaries(const std::string& path) {
  const std::string dir = dir_of(path);
  const auto slash = path.find_last_of('/');
  const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0 || name.size() == prefix.size()) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) ::unlink((dir + "/" + name).c_str());
  }
  ::closedir(d);
}

// Reads `fd` until end of file (read() returns 0), so pipes, terminals and
// /dev/stdin work as well as regular files: the size is never asked for in
// advance. Each error names the errno of the read() that failed.
std::vector<std::uint8_t> read_until_eof(int fd, const std::string& where, std::size_t max_bytes) {
  std::vector<std::uint8_t> bytes;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)  // a hint only; the file may change
    bytes.reserve(std::min(static_cast<std::size_t>(st.st_size), max_bytes) + 1);
  std::uint8_t chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n == 0) return bytes;
    if (n < 0) {
      const int err = errno;  // before anything else can change it
      if (err == EINTR) continue;
      if (err == EISDIR) throw DataError(where + "is a directory, expected a file");
      throw DataError(where + "cannot read: " + errno_text(err));
    }
    if (static_cast<std::size_t>(n) > max_bytes - bytes.size())
      throw DataError(where + "larger than " + std::to_string(max_bytes) + " bytes; is this the right file?");
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
}

}  // namespace

std::vector<std::uint8_t> read_file_bytes(const std::string& path, const std::string& what, std::size_t max_bytes) {
  const std::string where = what + ": " + path + ": ";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;  // ENOENT: "file not found"; EACCES: "cannot open: Permission denied; ..."
    if (err == ENOENT) throw DataError(where + errno_text(err));
    throw DataError(where + "cannot open: " + errno_text(err) + (err == EACCES ? "; check the file's permissions" : ""));
  }
  // A folder opens fine on Linux (read() then fails with EISDIR); say so up front.
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw DataError(where + "is a directory, expected a file");
  }
  try {
    std::vector<std::uint8_t> bytes = read_until_eof(fd, where, max_bytes);
    ::close(fd);
    return bytes;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::vector<std::uint8_t> read_stdin_bytes(const std::string& what, std::size_t max_bytes) {
  return read_until_eof(STDIN_FILENO, what + ": standard input: ", max_bytes);
}

AtomicFile::AtomicFile(const std::string& path, const std::string& what)
    : path_(path), temp_(path + ".tmp." + std::to_string(::getpid())), what_(what) {
  remove_stale_temporaries(path_);
  // 0666 minus the umask, like any file a program creates; no symlink following.
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd_ < 0)
    throw DataError(what_ + ": " + path_ + ": cannot create temporary file " + temp_ + ": " + errno_text(errno) +
                    "; check that the directory exists and is writable");
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::fail(const std::string& step, int err) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_.c_str());
  throw DataError(what_ + ": " + path_ + ": " + step + " failed: " + errno_text(err) +
                  " (the previous file, if any, is unchanged)");
}

void AtomicFile::write(const void* data, std::size_t size) {
  KLGRAD_CHECK(fd_ >= 0 && !committed_, what_ + ": " + path_ + ": write after commit or failure");
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("writing", errno);
    if (n == 0) fail("writing", ENOSPC);
    p += n;
    size -= static_cast<std::size_t>(n);
    written_ += static_cast<std::uint64_t>(n);
  }
}

void AtomicFile::commit() {
  KLGRAD_CHECK(fd_ >= 0 && !committed_, what_ + ": " + path_ + ": commit twice or after failure");
  if (::fsync(fd_) != 0) fail("fsync", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("close", errno);
  if (::rename(temp_.c_str(), path_.c_str()) != 0) fail("rename", errno);
  committed_ = true;
  // Make the rename durable. Some file systems cannot fsync a directory
  // (EINVAL); the file itself is already safely in place.
  const int dfd = ::open(dir_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int rc = ::fsync(dfd);
    const int err = errno;
    ::close(dfd);
    if (rc != 0 && err != EINVAL && err != EROFS)
      throw DataError(what_ + ": " + path_ + ": fsync of the directory failed: " + errno_text(err));
  }
}

void write_file_atomic(const std::string& path, const std::vector<std::uint8_t>& bytes, const std::string& what) {
  AtomicFile f(path, what);
  f.write(bytes);
  f.commit();
}

}  // namespace klgrad
