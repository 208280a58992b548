// Exercise 7.2, the second capstone: a short tiny_vae run on your 1.1, 3.2,
// 5.2 and 6.1. It has no student file of its own; the model, the run and the
// library reference run are the harness's (harness/capstone_vae.cpp).
#include "course.hpp"

KLGRAD_EXERCISE(course::capstone_vae_exercise({"7.2", "capstone: tiny_vae on yours", 10, "",
                                               "coursework/exercises/7.2-capstone-tiny-vae"}));
