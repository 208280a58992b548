// export.cpp — `klgrad-course export`: a fresh student repository from this
// one. Every file git tracks is copied (no history: not a fork), except the
// teacher's: each exercise's mutants.cpp (the reference body and the wrong
// versions), and every exercise that was not chosen (its folder and its
// student file). The copy is written into a new folder next to --out and
// renamed into place at the end, so a failed export leaves nothing half made.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "export.hpp"

namespace course {

namespace fs = std::filesystem;

namespace {

// The repository's files, relative to root: git's list (tracked, and new files not ignored) when root is a
// checkout, else every regular file outside .git/ and build*/.
std::vector<std::string> repository_files(const fs::path& root) {
  std::vector<std::string> files;
  const std::string command = "git -C '" + root.string() + "' ls-files -z --cached --others --exclude-standard 2>/dev/null";
  if (FILE* p = popen(command.c_str(), "r")) {
    std::string name;
    for (int c; (c = std::fgetc(p)) != EOF;) {
      if (c != 0) name += static_cast<char>(c);
      else if (!name.empty()) files.push_back(name), name.clear();
    }
    if (pclose(p) == 0 && !files.empty()) return files;
    files.clear();
  }
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    const std::string top = fs::relative(it->path(), root).begin()->string();
    if (it->is_directory() && (top == ".git" || top.rfind("build", 0) == 0)) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), root).string());
  }
  return files;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

ExportSummary export_repository(const std::string& root_dir, const std::vector<Exercise>& all,
                                const std::vector<std::string>& chosen, const std::string& out_dir) {
  const fs::path root(root_dir), out(out_dir);
  std::set<std::string> keep(chosen.begin(), chosen.end());
  for (const std::string& id : keep)
    if (std::none_of(all.begin(), all.end(), [&](const Exercise& e) { return e.info.id == id; }))
      throw std::invalid_argument("export: no exercise " + id + " (klgrad-course list shows them)");
  if (keep.empty()) throw std::invalid_argument("export: --exercises is empty; name at least one, e.g. --exercises 1.1,2.3");
  for (const Exercise& e : all)
    if (keep.count(e.info.id))
      for (const std::string& need : e.info.needs)
        if (!keep.count(need))
          throw std::invalid_argument("export: exercise " + e.info.id + " runs the functions of " + need + "; choose it too");
  std::error_code ec;
  if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)))
    throw std::invalid_argument("export: " + out.string() + " already exists and is not an empty folder; give a new --out");
  const fs::path absolute_out = fs::absolute(out);
  if (fs::weakly_canonical(absolute_out) == fs::weakly_canonical(root))
    throw std::invalid_argument("export: --out is this repository itself; give a new folder");

  // What is left out: the teacher files of every exercise, and all of an exercise not chosen.
  std::vector<std::string> dropped_prefixes;
  for (const Exercise& e : all)
    if (!keep.count(e.info.id)) {
      dropped_prefixes.push_back(e.info.folder + "/");
      if (!e.info.student_file.empty()) dropped_prefixes.push_back(e.info.student_file);
    }
  const auto dropped = [&](const std::string& file) {
    if (fs::path(file).filename() == "mutants.cpp" && starts_with(file, "coursework/exercises/")) return true;
    return std::any_of(dropped_prefixes.begin(), dropped_prefixes.end(), [&](const std::string& p) { return starts_with(file, p); });
  };

  const fs::path staging = absolute_out.parent_path() / ("." + absolute_out.filename().string() + ".export-" + std::to_string(getpid()));
  fs::remove_all(staging, ec);
  ExportSummary summary;
  try {
    for (const std::string& file : repository_files(root)) {
      if (dropped(file)) {
        ++summary.dropped;
        continue;
      }
      const fs::path from = root / file, to = staging / file;
      if (!fs::is_regular_file(from)) continue;  // a tracked file deleted in the working tree
      fs::create_directories(to.parent_path());
      fs::copy_file(from, to, fs::copy_options::overwrite_existing);
      ++summary.copied;
    }
    std::ofstream note(staging / "coursework" / "EXPORTED.md");
    note << "# This repository\n\nwas exported by `klgrad-course export` with the exercises";
    for (const std::string& id : keep) note << " " << id;
    note << ".\nIt has no teacher files (mutants), so `klgrad-course selftest` is not part of it.\n"
            "Start with `coursework/README.md`.\n";
    if (!note) throw std::runtime_error("export: cannot write " + (staging / "coursework" / "EXPORTED.md").string());
    note.close();
    if (fs::exists(out)) fs::remove(out);  // an empty folder
    fs::rename(staging, absolute_out);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  summary.exercises.assign(keep.begin(), keep.end());
  return summary;
}

}  // namespace course
