# find_package(klgrad) from an outside project, after cmake --install.
# (Not in sanitizer builds: an outside project would need the sanitizer runtime too.)
if(KLGRAD_SANITIZE)
  return()
endif()
add_test(NAME install_and_find_package
         COMMAND ${CMAKE_COMMAND} -DBUILD=${PROJECT_BINARY_DIR} -DWORK=${PROJECT_BINARY_DIR}/install-test
                 -DSRC=${CMAKE_CURRENT_LIST_DIR}/consumer -P ${CMAKE_CURRENT_LIST_DIR}/run.cmake)
set_tests_properties(install_and_find_package PROPERTIES TIMEOUT 600)
