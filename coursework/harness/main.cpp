// klgrad-course — the coursework front end: list, check, hint, status, selftest.
//
// Every check runs in its own child process with a time limit, so student code
// that crashes, hangs or throws is that exercise's result and the others still
// run. A check swaps in exactly one function (the exercise's); the reference
// is the library (reference.cpp). coursework/README.md is the user's guide.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "check.hpp"
#include "child.hpp"
#include "export.hpp"
#include "grading.hpp"
#include "cli.hpp"

namespace course {

namespace {

std::vector<Exercise>& exercises() {
  static std::vector<Exercise> all;
  return all;
}
std::map<std::string, Teacher>& teachers() {
  static std::map<std::string, Teacher> all;
  return all;
}

}  // namespace

bool add_exercise(const Exercise& e) {
  exercises().push_back(e);
  return true;
}
bool add_teacher(const Teacher& t) {
  teachers()[t.id] = t;
  return true;
}
const Exercise* exercise_by_id(const std::string& id) {
  for (const Exercise& e : exercises())
    if (e.info.id == id) return &e;
  return nullptr;
}
const Teacher* teacher_by_id(const std::string& id) {
  const auto t = teachers().find(id);
  return t == teachers().end() ? nullptr : &t->second;
}

namespace {

const char* kRoot = KLGRAD_SOURCE_DIR;        // the repository (exercise folders, student files)
// Progress and hint use live in the build tree; the environment variable of
// the same name moves them (the repository's own tests use a scratch folder).
std::string state_dir() {
  const char* env = std::getenv("KLGRAD_COURSE_STATE_DIR");
  return env && *env ? env : KLGRAD_COURSE_STATE_DIR;
}

struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const Exercise& find(const std::string& id) {
  for (const Exercise& e : exercises())
    if (e.info.id == id) return e;
  std::string ids;
  for (const Exercise& e : exercises()) ids += (ids.empty() ? "" : ", ") + e.info.id;
  throw Usage("no exercise " + id + " (exercises: " + ids + "; klgrad-course list shows them)");
}

const char* status_name(Status s) {
  return s == Status::passed ? "passed" : s == Status::not_started ? "not started" : "FAILED";
}

// A check in a child process: a crash, a hang or an exception is a failed result.
Result isolated(const Exercise& e, const std::any& fn) {
  const ChildOutcome c = in_child([&] {
    const Result r = e.check(fn);
    return std::to_string(static_cast<int>(r.status)) + "\n" + r.pattern + "\n" + r.text;
  });
  Result r;
  if (!c.finished) {
    r.pattern = c.pattern;
    r.text = c.text;
    return r;
  }
  std::istringstream in(c.payload);
  std::string status;
  std::getline(in, status);
  std::getline(in, r.pattern);
  r.status = static_cast<Status>(std::stoi(status.empty() ? "1" : status));
  r.text = c.payload.substr(std::min(c.payload.size(), status.size() + r.pattern.size() + 2));
  return r;
}

// progress.txt in the build tree: one line "id status hints_used" per exercise.
struct Progress {
  std::string status = "not started";
  int hints = 0;
};
std::string progress_file() { return state_dir() + "/progress.txt"; }
std::map<std::string, Progress> load_progress() {
  std::map<std::string, Progress> p;
  std::ifstream in(progress_file());
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string id, status;
    int hints = 0;
    if (s >> id >> status >> hints) p[id] = {status == "not_started" ? "not started" : status, hints};
  }
  return p;
}
void save_progress(const std::map<std::string, Progress>& p) {
  const std::string tmp = progress_file() + ".tmp";
  {
    std::ofstream out(tmp);
    for (const auto& kv : p) {
      std::string s = kv.second.status;
      std::replace(s.begin(), s.end(), ' ', '_');
      out << kv.first << ' ' << s << ' ' << kv.second.hints << '\n';
    }
    if (!out) return;  // an unwritable build tree only loses the progress note
  }
  std::rename(tmp.c_str(), progress_file().c_str());
}

// The rungs of hints.md: the text under each "## " heading, in order.
std::vector<std::string> hints_of(const Exercise& e) {
  std::ifstream in(std::string(kRoot) + "/" + e.info.folder + "/hints.md");
  std::vector<std::string> rungs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) rungs.emplace_back();
    else if (!rungs.empty()) rungs.back() += line + "\n";
  }
  return rungs;
}

int cmd_list() {
  const auto progress = load_progress();
  int width = 0;
  for (const Exercise& e : exercises()) width = std::max(width, static_cast<int>(e.info.student_file.size()));
  for (const Exercise& e : exercises()) {
    const auto it = progress.find(e.info.id);
    std::string file = e.info.student_file;
    for (const std::string& n : e.info.needs) file += (file.empty() ? "runs your " : ", ") + n;
    std::printf("%-4s %-27s %3d pts  %-*s  %s\n", e.info.id.c_str(), e.info.title.c_str(), e.info.points, width, file.c_str(),
                it == progress.end() ? "not started" : it->second.status.c_str());
  }
  return 0;
}

int cmd_check(const std::vector<std::string>& ids, const std::string& expect) {
  auto progress = load_progress();
  bool all_ok = true;
  for (const std::string& id : ids) {
    const Exercise& e = find(id);
    const Result r = isolated(e, e.student);
    const int hints = progress[id].hints;
    const std::size_t rungs = hints_of(e).size();
    std::printf("ex%s %s %s %s\n", e.info.id.c_str(), e.info.title.c_str(), std::string(std::max<std::size_t>(3, 40 - e.info.title.size()), '.').c_str(),
                status_name(r.status));
    std::fputs(r.text.c_str(), stdout);
    if (r.status == Status::failed) {
      std::printf("  where  %s; the math is in %s/exercise.md\n", e.info.student_file.c_str(), e.info.folder.c_str());
      if (static_cast<std::size_t>(hints) < rungs)
        std::printf("  next   klgrad-course hint %s   (hint %d of %zu)\n", e.info.id.c_str(), hints + 1, rungs);
    }
    progress[id].status = status_name(r.status) == std::string("FAILED") ? "failed" : status_name(r.status);
    all_ok = all_ok && (expect.empty() ? r.status == Status::passed : progress[id].status == expect);
  }
  save_progress(progress);
  return all_ok ? 0 : 1;
}

int cmd_hint(const std::string& id) {
  const Exercise& e = find(id);
  const auto rungs = hints_of(e);
  if (rungs.empty()) throw Usage("exercise " + id + " has no hints.md rungs (" + e.info.folder + "/hints.md)");
  auto progress = load_progress();
  const int next = std::min<int>(progress[id].hints, static_cast<int>(rungs.size()) - 1);
  std::printf("hint %d of %zu for %s %s:\n%s", next + 1, rungs.size(), e.info.id.c_str(), e.info.title.c_str(), rungs[next].c_str());
  progress[id].hints = next + 1;
  save_progress(progress);
  return 0;
}

int cmd_status() {
  const auto progress = load_progress();
  int score = 0, total = 0, hints = 0;
  std::printf("%-4s %-27s %4s  %-12s %s\n", "ex", "title", "pts", "status", "hints");
  for (const Exercise& e : exercises()) {
    const auto it = progress.find(e.info.id);
    const Progress p = it == progress.end() ? Progress{} : it->second;
    std::printf("%-4s %-27s %4d  %-12s %d\n", e.info.id.c_str(), e.info.title.c_str(), e.info.points, p.status.c_str(), p.hints);
    total += e.info.points;
    hints += p.hints;
    if (p.status == "passed") score += e.info.points;
  }
  std::printf("score %d/%d   hints used %d\n", score, total, hints);
  return 0;
}

// For each exercise: the reference passes, a stub is not started, every mutant
// fails with its tagged pattern.
int cmd_selftest(const std::vector<std::string>& ids, bool reports) {
  int bad = 0;
  for (const std::string& id : ids) {
    const Exercise& e = find(id);
    const auto expect = [&](bool ok, const std::string& what) {
      std::printf("%-4s %-48s %s\n", e.info.id.c_str(), what.c_str(), ok ? "ok" : "WRONG");
      if (!ok) ++bad;
    };
    const auto t = teachers().find(id);
    if (t == teachers().end()) {
      expect(false, "has teacher files (mutants.cpp)");
      continue;
    }
    const Result ref = isolated(e, t->second.solution);
    expect(ref.status == Status::passed, "reference passes");
    if (ref.status != Status::passed) std::fputs(ref.text.c_str(), stdout);
    expect(isolated(e, std::any{}).status == Status::not_started, "a stub is not started");
    for (const Mutant& m : t->second.mutants) {
      const Result r = isolated(e, m.fn);
      expect(r.status == Status::failed && r.pattern == m.pattern,
             "mutant " + m.name + " fails as " + m.pattern + (r.pattern == m.pattern ? "" : " (got " + r.pattern + ")"));
      if (reports) std::fputs(r.text.c_str(), stdout);
    }
  }
  std::printf("selftest: %s\n", bad ? "FAILED" : "all good");
  return bad ? 1 : 0;
}

std::vector<std::string> all_ids() {
  std::vector<std::string> ids;
  for (const Exercise& e : exercises()) ids.push_back(e.info.id);
  return ids;
}

}  // namespace
}  // namespace course

int main(int argc, char** argv) {
  using namespace course;
  std::sort(exercises().begin(), exercises().end(), [](const Exercise& a, const Exercise& b) { return a.info.id < b.info.id; });
  CLI::App app{"klgrad-course: check your coursework exercises against the klgrad library (coursework/README.md)"};
  app.require_subcommand(1);
  auto* list = app.add_subcommand("list", "One line per exercise: id, title, points, the file to edit, status");
  std::vector<std::string> ids;
  bool all = false;
  std::string expect;
  auto* check = app.add_subcommand("check", "Run the checks of exercises (your function swapped in, the rest the library)");
  check->add_option("ids", ids, "Exercise ids, e.g. 1.1 2.3");
  check->add_flag("--all", all, "Every exercise");
  check->add_option("--expect", expect, "Exit 0 only if every result is this (passed, failed, \"not started\")")
      ->check(CLI::IsMember({"passed", "failed", "not started"}));
  std::string hint_id;
  auto* hint = app.add_subcommand("hint", "The next hint of an exercise (least revealing first; use is recorded)");
  hint->add_option("id", hint_id, "Exercise id")->required();
  auto* status = app.add_subcommand("status", "Progress table and score");
  std::vector<std::string> self_ids;
  auto* self = app.add_subcommand("selftest", "Teacher: reference passes, stub not started, every mutant fails as tagged");
  self->add_option("ids", self_ids, "Exercise ids (default: all)");
  bool reports = false;
  self->add_flag("--reports", reports, "Also print each mutant's report: what a student with that mistake sees");
  std::string export_ids, export_out;
  auto* exp = app.add_subcommand("export", "Teacher: a fresh student repository with the chosen exercises, without teacher files");
  exp->add_option("--exercises", export_ids, "Comma-separated exercise ids, e.g. 1.1,2.3,4.1")->required();
  exp->add_option("--out", export_out, "A new (or empty) folder")->required();
  std::string grade_ids, inputs_file, out_file, key_file, submission_file;
  unsigned seed = 0;
  auto* inputs_cmd = app.add_subcommand("inputs", "Teacher: fresh grading cases (no answers) for the chosen exercises");
  inputs_cmd->add_option("--exercises", grade_ids, "Comma-separated exercise ids, e.g. 1.1,2.3,4.1")->required();
  inputs_cmd->add_option("--seed", seed, "The seed the cases are drawn with (keep it secret until the deadline)")->required();
  inputs_cmd->add_option("--out", out_file, "The inputs file to write, e.g. inputs.json")->required();
  auto* key_cmd = app.add_subcommand("key", "Teacher: the answers to an inputs file, from the reference bodies");
  key_cmd->add_option("--inputs", inputs_file, "An inputs file (klgrad-course inputs)")->required();
  key_cmd->add_option("--out", out_file, "The key file to write, e.g. key.json")->required();
  auto* submit_cmd = app.add_subcommand("submit", "Your code's outputs on a teacher's inputs file, for grading");
  submit_cmd->add_option("--inputs", inputs_file, "The inputs file your teacher gave you")->required();
  submit_cmd->add_option("--out", out_file, "The file to hand in")->default_val("submission.json");
  std::string submit_as;
  submit_cmd->add_option("--as", submit_as,
                         "Teacher: run the reference bodies (--as reference), or them with one mutant (--as ID:NAME), to test the grading");
  auto* grade_cmd = app.add_subcommand("grade", "Teacher: score a submission against the key");
  grade_cmd->add_option("submission", submission_file, "A submission file (klgrad-course submit)")->required();
  grade_cmd->add_option("--key", key_file, "The key file (klgrad-course key)")->required();
  if (const int code = klgrad_cli::parse(app, argc, argv, "klgrad-course"); code >= 0) return code;
  try {
    if (*exp) {
      std::vector<std::string> chosen;
      std::stringstream list_text(export_ids);
      for (std::string id; std::getline(list_text, id, ',');)
        if (!id.empty()) chosen.push_back(id);
      const ExportSummary s = export_repository(kRoot, exercises(), chosen, export_out);
      std::printf("export: %s with exercises", export_out.c_str());
      for (const std::string& id : s.exercises) std::printf(" %s", id.c_str());
      std::printf(" (%zu files copied, %zu teacher or unchosen files left out)\n", s.copied, s.dropped);
      std::printf("  build it: cmake -S %s -B %s/build -DKLGRAD_COURSEWORK=ON && cmake --build %s/build -j2 --target klgrad-course\n",
                  export_out.c_str(), export_out.c_str(), export_out.c_str());
      return 0;
    }
    const auto chosen_exercises = [&](const std::string& text) {
      std::vector<Exercise> chosen;
      std::stringstream ids_text(text);
      for (std::string id; std::getline(ids_text, id, ',');)
        if (!id.empty()) chosen.push_back(find(id));
      if (chosen.empty()) throw Usage("--exercises is empty; name at least one, e.g. --exercises 1.1,2.3");
      return chosen;
    };
    if (*inputs_cmd) {
      write_inputs(chosen_exercises(grade_ids), seed, out_file);
      std::printf("inputs: wrote %s (seed %u)\n", out_file.c_str(), seed);
      return 0;
    }
    if (*key_cmd) {
      write_key(exercises(), [](const std::string& id) -> const Teacher* {
        const auto t = teachers().find(id);
        return t == teachers().end() ? nullptr : &t->second;
      }, inputs_file, out_file);
      std::printf("key: wrote %s\n", out_file.c_str());
      return 0;
    }
    if (*submit_cmd) {
      // --as reference: every exercise's reference body; --as 1.1:minus: that mutant for 1.1, the reference elsewhere.
      const std::string as_id = submit_as.substr(0, submit_as.find(':'));
      const std::string as_mutant = submit_as.find(':') == std::string::npos ? "" : submit_as.substr(submit_as.find(':') + 1);
      if (!submit_as.empty() && submit_as != "reference") {
        const auto t = teachers().find(as_id);
        if (as_mutant.empty() || t == teachers().end() ||
            std::none_of(t->second.mutants.begin(), t->second.mutants.end(), [&](const Mutant& m) { return m.name == as_mutant; }))
          throw Usage("submit --as: '" + submit_as + "' is neither reference nor ID:MUTANT of an exercise with teacher files");
      }
      write_submission(exercises(), inputs_file, out_file, [&](const Exercise& e) -> std::any {
        if (submit_as.empty()) return e.student;
        const auto t = teachers().find(e.info.id);
        if (t == teachers().end()) throw Usage("submit --as: exercise " + e.info.id + " has no teacher files (mutants.cpp)");
        if (submit_as == "reference") return t->second.solution;
        if (e.info.id != as_id) return t->second.solution;
        for (const Mutant& m : t->second.mutants)
          if (m.name == as_mutant) return m.fn;
        return e.student;
      });
      std::printf("submit: wrote %s; hand it in\n", out_file.c_str());
      return 0;
    }
    if (*grade_cmd) {
      grade(exercises(), submission_file, key_file);
      return 0;
    }
    if (*list) return cmd_list();
    if (*check) {
      if (all) ids = all_ids();
      if (ids.empty()) throw Usage("check: give exercise ids (e.g. check 1.1) or --all");
      return cmd_check(ids, expect);
    }
    if (*hint) return cmd_hint(hint_id);
    if (*status) return cmd_status();
    if (*self) return cmd_selftest(self_ids.empty() ? all_ids() : self_ids, reports);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "klgrad-course: %s\n", e.what());
    return 2;
  }
  return 0;
}
