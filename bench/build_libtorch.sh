#!/usr/bin/env bash
# Build the libtorch reference of the kl_fit benchmark (bench/libtorch_kl_fit.cpp).
#
#   bash bench/build_libtorch.sh                       # build (if needed), print the binary's path
#   bash bench/build_libtorch.sh --n 1000 --json       # build (if needed), then run it with these flags
#
# libtorch is a benchmark reference only, never a dependency of klgrad: this
# one file is compiled with g++ against Debian's libtorch-dev (installed here
# when missing and we are root, since CI machines start fresh) into
# build/bench-libtorch/. The binary is cached: it is rebuilt only when the
# source or this script is newer than it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/bench/libtorch_kl_fit.cpp"
out_dir="$root/build/bench-libtorch"
bin="$out_dir/libtorch_kl_fit"
torch_api_include=/usr/include/torch/csrc/api/include   # where Debian puts <torch/torch.h>

if [[ ! -f "$torch_api_include/torch/torch.h" ]] || ! command -v g++ >/dev/null; then
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "build_libtorch.sh: libtorch-dev (and g++) needed: sudo apt-get install -y libtorch-dev g++" >&2
    exit 1
  fi
  echo "build_libtorch.sh: installing libtorch-dev" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq libtorch-dev g++ >&2
fi

if [[ ! -x "$bin" || "$src" -nt "$bin" || "${BASH_SOURCE[0]}" -nt "$bin" ]]; then
  mkdir -p "$out_dir"
  echo "build_libtorch.sh: compiling $bin (about a minute)" >&2
  # -D_GLIBCXX_USE_CXX11_ABI=1: the flag Debian's TorchConfig.cmake asks for.
  g++ -std=c++17 -O2 -DNDEBUG -D_GLIBCXX_USE_CXX11_ABI=1 -DKLGRAD_LIBTORCH_BUILD \
      -I"$torch_api_include" "$src" -o "$bin.tmp" \
      -ltorch -ltorch_cpu -lc10
  mv "$bin.tmp" "$bin"   # only a complete binary is ever cached
fi

if [[ $# -eq 0 ]]; then
  echo "$bin"
else
  exec "$bin" "$@"
fi
