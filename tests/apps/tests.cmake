# tests/apps/test_*.cpp (compiled into klgrad_tests) run the programs in
# ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} (KLGRAD_BIN_DIR): build them with the test
# binary, so `cmake --build build --target klgrad_tests && ctest` never runs a
# stale or missing kl_fit. Without the apps (KLGRAD_APPS=OFF) those tests are
# compiled as skipped.
if(TARGET kl_fit AND TARGET kl_tour AND TARGET kl_grad)
  add_dependencies(klgrad_tests kl_fit kl_tour kl_grad)
  target_compile_definitions(klgrad_tests PRIVATE KLGRAD_HAVE_APPS=1)
endif()
# tests/apps/test_tiny_vae.cpp runs build/bin/tiny_vae the same way.
if(TARGET tiny_vae)
  add_dependencies(klgrad_tests tiny_vae)
endif()
# tests/apps/test_distill.cpp runs build/bin/distill.
if(TARGET distill)
  add_dependencies(klgrad_tests distill)
endif()
