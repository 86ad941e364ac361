# A bounded fuzzing run from the committed seeds: new inputs go to ${WORK}/corpus (never into the source tree), a
# crash leaves its input in ${WORK}/artifacts/ (copy it to native/fuzz/regressions/ with the fix), and the number of
# executions is written to ${WORK}/executions.txt for the CI summary.
# Run: cmake -DFUZZER=... -DSECONDS=60 -DSEEDS=native/fuzz/corpus -DWORK=build-asan/native/fuzz -P run_fuzzer.cmake
cmake_minimum_required(VERSION 3.20)
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
    "-artifact_prefix=${WORK}/artifacts/" "${WORK}/corpus" "${SEEDS}"
  RESULT_VARIABLE exit_code ERROR_VARIABLE log OUTPUT_VARIABLE out)
string(REGEX MATCH "stat::number_of_executed_units: *([0-9]+)" executed "${log}")
set(executions "${CMAKE_MATCH_1}")
file(WRITE "${WORK}/executions.txt" "${executions}\n")
if(NOT exit_code EQUAL 0 OR executions STREQUAL "")
  string(LENGTH "${log}" length)
  math(EXPR start "${length} - 6000")
  if(start LESS 0)
    set(start 0)
  endif()
  string(SUBSTRING "${log}" ${start} -1 tail)
  message(FATAL_ERROR "fuzzer exited with ${exit_code}; its inputs are in ${WORK}/artifacts/\n${tail}")
endif()
message(STATUS "fuzzer: ${executions} executions in ${SECONDS} s, no crash")
