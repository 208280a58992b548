// Exercise 7.1, the capstone: kl_fit's loop on your 2.3, 4.1, 4.2, 5.1 and
// 5.2. It has no student file of its own; the loop, the runs and the library
// reference run are the harness's (harness/capstone.cpp).
#include "course.hpp"

KLGRAD_EXERCISE(course::capstone_exercise({"7.1", "capstone: kl_fit on yours", 10, "",
                                           "coursework/exercises/7.1-capstone-kl-fit"}));
