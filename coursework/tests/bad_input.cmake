# The bad-input contract for klgrad-course (the one the programs in apps/ keep,
# tests/apps/test_bad_input.cpp): a bad command line is exactly one line on
# stderr starting "klgrad-course: ", nothing on stdout, exit code 2.
# Each case is one command line, its arguments separated by ":".
#   cmake -DPROGRAM=build/bin/klgrad-course -P coursework/tests/bad_input.cmake
set(cases
  ""                       # no verb
  "frob"                   # an unknown verb
  "check"                  # no ids
  "check:9.9"              # an unknown exercise
  "check:1.1:--expect:maybe"
  "hint"                   # no id
  "hint:x"
  "selftest:4.4"
  "list:extra"
  "status:--frob")
foreach(args IN LISTS cases)
  string(REPLACE ":" ";" argv "${args}")
  execute_process(COMMAND ${PROGRAM} ${argv} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCHALL "\n" newlines "${err}")
  list(LENGTH newlines lines)
  if(NOT code EQUAL 2 OR NOT out STREQUAL "" OR NOT lines EQUAL 1 OR NOT err MATCHES "^klgrad-course: ")
    message(SEND_ERROR "klgrad-course ${argv}: exit ${code}, stdout '${out}', stderr '${err}'")
  else()
    string(STRIP "${err}" err)
    message(STATUS "ok  klgrad-course ${argv}  ->  ${err}")
  endif()
endforeach()
