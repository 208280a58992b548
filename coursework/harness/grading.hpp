// grading.hpp — grading without a server (grading.cpp). The teacher draws
// fresh cases (`inputs`, no answers in the file) and computes their answers
// with the reference bodies (`key`, teacher files needed); the student runs
// their own code on the same cases (`submit`); the teacher scores the result
// (`grade`). Every file is JSON; each is written to a new file and renamed
// into place, so a failed run never leaves half a file.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "course.hpp"

namespace course {

using TeacherOf = std::function<const Teacher*(const std::string& id)>;

void write_inputs(const std::vector<Exercise>& chosen, unsigned seed, const std::string& out);
void write_key(const std::vector<Exercise>& all, const TeacherOf& teacher, const std::string& inputs, const std::string& out);
// function_of(exercise) is the function to run: the student's, or for a
// teacher testing the grading, the reference body or a mutant.
void write_submission(const std::vector<Exercise>& all, const std::string& inputs, const std::string& out,
                      const std::function<std::any(const Exercise&)>& function_of);
// Prints one line per exercise and the score; returns the points scored.
int grade(const std::vector<Exercise>& all, const std::string& submission, const std::string& key);

}  // namespace course
