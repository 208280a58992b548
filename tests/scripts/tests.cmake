# scripts/fresh_root.sh (what .ci/run uses) leaves no root and no mount
# behind, even when killed with SIGKILL. Needs root; skipped otherwise.
add_test(NAME fresh_root_cleanup COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/fresh_root_cleanup.sh)
set_tests_properties(fresh_root_cleanup PROPERTIES LABELS scripts SKIP_RETURN_CODE 77 TIMEOUT 120)
