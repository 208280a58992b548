// The fuzz input as a file in /dev/shm for the duration of one call, for the
// readers that take a path (one file per fuzzer process).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

struct ScratchFile {
  std::string path;
  ScratchFile(const std::string& name, const std::uint8_t* data, std::size_t size)
      : path("/dev/shm/klgrad_fuzz_" + std::to_string(::getpid()) + "_" + name) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size > 0) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  ~ScratchFile() { std::remove(path.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
};
