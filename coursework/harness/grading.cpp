// grading.cpp — inputs, key, submit and grade (grading.hpp).
#include "grading.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "check.hpp"
#include "child.hpp"
#include "json.hpp"

namespace course {

namespace {

const char* kInputs = "klgrad-course inputs 1";
const char* kKey = "klgrad-course key 1";
const char* kSubmission = "klgrad-course submission 1";

Json read_file(const std::string& path, const char* format) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read " + path + " (is the path right?)");
  std::stringstream text;
  text << in.rdbuf();
  Json j;
  try {
    j = Json::parse(text.str());
  } catch (const Json::exception& e) {
    throw std::invalid_argument(path + " is not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != format || !j.contains("exercises") || !j["exercises"].is_array())
    throw std::invalid_argument(path + " is not a " + std::string(format).substr(14) + " file of klgrad-course (its \"format\" is not \"" +
                                format + "\")");
  return j;
}

// A new file beside the target, renamed over it: the old one stays whole until the new one is.
void write_file(const std::string& path, const Json& j) {
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp);
    out << j.dump(1) << '\n';
    if (!out) {
      std::remove(tmp.c_str());
      throw std::invalid_argument("cannot write " + path + " (does its folder exist, and may I write there?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::invalid_argument("cannot write " + path);
  }
}

const Exercise& find_in(const std::vector<Exercise>& all, const std::string& id, const std::string& file) {
  for (const Exercise& e : all)
    if (e.info.id == id) return e;
  throw std::invalid_argument(file + " names exercise " + id + ", which this klgrad-course does not have");
}

// The first place two outputs differ ("" when they agree to the check's tolerance).
std::string difference(const Json& yours, const Json& key, const std::string& where) {
  if (key.is_number() || key.is_null()) {
    if (key.is_null()) return yours.is_null() ? "" : where + ": yours " + yours.dump() + ", key NaN";
    if (!yours.is_number()) return where + ": yours " + yours.dump() + ", key " + num(key.get<double>());
    return close(yours.get<double>(), key.get<double>()) ? "" : where + ": " + versus(yours.get<double>(), "key", key.get<double>());
  }
  if (key.is_array()) {
    if (!yours.is_array() || yours.size() != key.size())
      return where + ": yours has " + (yours.is_array() ? std::to_string(yours.size()) : std::string("no")) + " entries, the key " +
             std::to_string(key.size());
    for (std::size_t i = 0; i < key.size(); ++i) {
      const std::string d = difference(yours[i], key[i], where + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  if (key.is_object()) {
    if (!yours.is_object()) return where + ": yours is not a matrix";
    for (const auto& kv : key.items()) {
      if (!yours.contains(kv.key())) return where + ": yours has no " + kv.key();
      const std::string d = difference(yours[kv.key()], kv.value(), where + "." + kv.key());
      if (!d.empty()) return d;
    }
    return "";
  }
  return yours == key ? "" : where + ": yours " + yours.dump() + ", key " + key.dump();
}

}  // namespace

void write_inputs(const std::vector<Exercise>& chosen, unsigned seed, const std::string& out) {
  Json list = Json::array();
  for (const Exercise& e : chosen) list.push_back({{"id", e.info.id}, {"inputs", Json::parse(e.make_inputs(seed))}});
  write_file(out, {{"format", kInputs}, {"seed", seed}, {"exercises", list}});
}

void write_key(const std::vector<Exercise>& all, const TeacherOf& teacher, const std::string& inputs, const std::string& out) {
  const Json in = read_file(inputs, kInputs);
  Json list = Json::array();
  for (const Json& x : in["exercises"]) {
    const std::string id = x.at("id").get<std::string>();
    const Exercise& e = find_in(all, id, inputs);
    const Teacher* t = teacher(id);
    if (!t) throw std::invalid_argument("key: exercise " + id + " has no teacher files (mutants.cpp): a key needs the reference bodies");
    list.push_back({{"id", id}, {"title", e.info.title}, {"points", e.info.points},
                    {"outputs", Json::parse(e.run(t->solution, x.at("inputs").dump()))}});
  }
  write_file(out, {{"format", kKey}, {"seed", in["seed"]}, {"exercises", list}});
}

void write_submission(const std::vector<Exercise>& all, const std::string& inputs, const std::string& out,
                      const std::function<std::any(const Exercise&)>& function_of) {
  const Json in = read_file(inputs, kInputs);
  Json list = Json::array();
  for (const Json& x : in["exercises"]) {
    const std::string id = x.at("id").get<std::string>();
    const Exercise& e = find_in(all, id, inputs);
    const std::string text = x.at("inputs").dump();
    const std::any fn = function_of(e);
    // Each exercise in its own process: a crash or a hang is that exercise's entry.
    const ChildOutcome c = in_child([&] {
      try {
        return "done\n" + e.run(fn, text);
      } catch (const NotStarted&) {
        return std::string("not started\n");
      }
    });
    Json entry{{"id", id}};
    if (!c.finished) {
      entry["status"] = c.pattern;
      entry["why"] = c.text;
    } else {
      const std::size_t nl = c.payload.find('\n');
      entry["status"] = c.payload.substr(0, nl);
      if (entry["status"] == "done") entry["outputs"] = Json::parse(c.payload.substr(nl + 1));
    }
    std::printf("%-4s %-26s %s\n", id.c_str(), e.info.title.c_str(), entry["status"].get<std::string>().c_str());
    list.push_back(entry);
  }
  write_file(out, {{"format", kSubmission}, {"seed", in["seed"]}, {"exercises", list}});
}

int grade(const std::vector<Exercise>& all, const std::string& submission, const std::string& key_path) {
  const Json sub = read_file(submission, kSubmission), key = read_file(key_path, kKey);
  if (sub["seed"] != key["seed"])
    throw std::invalid_argument(submission + " answers the inputs of seed " + sub["seed"].dump() + ", " + key_path +
                                " those of seed " + key["seed"].dump() + ": grade a submission against its own key");
  int score = 0, total = 0;
  for (const Json& k : key["exercises"]) {
    const std::string id = k.at("id").get<std::string>();
    (void)all;
    const int points = k.at("points").get<int>();
    total += points;
    const Json* mine = nullptr;
    for (const Json& s : sub["exercises"])
      if (s.at("id") == id) mine = &s;
    std::string verdict;
    if (!mine) verdict = "missing from the submission";
    else if (mine->at("status") != "done") verdict = mine->at("status").get<std::string>();
    else verdict = difference(mine->at("outputs"), k.at("outputs"), "case");
    const bool ok = verdict.empty();
    if (ok) score += points;
    std::printf("%-4s %-26s %3d/%-3d %s\n", id.c_str(), k.at("title").get<std::string>().c_str(), ok ? points : 0, points,
                ok ? "passed" : ("0: " + verdict).c_str());
  }
  std::printf("score %d/%d\n", score, total);
  return score;
}

}  // namespace course
