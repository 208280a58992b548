# The notebooks of notebooks/, executed headless (Jupyter's python3 kernel, nbclient)
# by run_notebooks.py: one test per notebook, failing on any cell error. The
# committed notebooks are never rewritten; each run executes an in-memory copy.
# They drive the programs of build/bin, so they need the apps (KLGRAD_APPS);
# sanitizer builds skip them: tests/apps already runs the same programs under
# the sanitizers, and the notebooks add plots, not coverage.
if(KLGRAD_SANITIZE OR NOT (TARGET kl_fit AND TARGET kl_grad AND TARGET kl_tour AND TARGET tiny_vae))
  return()
endif()

# Debian's python3 with python3-nbclient, -nbformat, -ipykernel, -matplotlib, -numpy
# (scripts/test.sh installs them); not the first python3 on PATH, which may lack them.
set(KLGRAD_NOTEBOOK_PYTHON /usr/bin/python3 CACHE FILEPATH "Python that runs the notebook tests (needs nbclient, ipykernel, matplotlib)")
execute_process(COMMAND ${KLGRAD_NOTEBOOK_PYTHON} -c "import nbclient, nbformat, ipykernel, matplotlib, numpy"
                RESULT_VARIABLE klgrad_nb_rc OUTPUT_QUIET ERROR_QUIET)
if(NOT klgrad_nb_rc EQUAL 0)
  message(STATUS "notebook tests: ${KLGRAD_NOTEBOOK_PYTHON} cannot import nbclient, nbformat, ipykernel, matplotlib and "
                  "numpy; the notebook_* tests will fail until you install python3-nbclient python3-nbformat "
                  "python3-ipykernel python3-matplotlib (bash scripts/test.sh does)")
endif()

# The programs are built with klgrad_tests (tests/apps/tests.cmake), so
# `cmake --build build --target klgrad_tests && ctest` never runs a stale one.
file(GLOB KLGRAD_NOTEBOOKS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/notebooks/*.ipynb)
foreach(nb ${KLGRAD_NOTEBOOKS})
  get_filename_component(name ${nb} NAME_WE)
  add_test(NAME notebook_${name}
           COMMAND ${KLGRAD_NOTEBOOK_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/run_notebooks.py
                   --bin-dir ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${nb})
  # All three take well under a minute together; the timeout only stops a hung kernel.
  set_tests_properties(notebook_${name} PROPERTIES TIMEOUT 300 LABELS notebooks)
endforeach()
