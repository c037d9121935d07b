# cmake -P driver for one consumer build. Fails (non-zero exit) at the first step that fails.
function(run_step)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGV " " cmd)
    message(FATAL_ERROR "consumer test (${MODE}): step failed (${rc}): ${cmd}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(common -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release ${LAUNCHER}
           "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")

if(MODE STREQUAL "find_package")
  message(STATUS "installing aikom into ${WORK_DIR}/prefix")
  run_step(${CMAKE_COMMAND} --install "${AIKOM_BINARY_DIR}" --prefix "${WORK_DIR}/prefix")
  run_step(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${WORK_DIR}/build" ${common}
           "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
elseif(MODE STREQUAL "add_subdirectory")
  run_step(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${WORK_DIR}/build" ${common}
           "-DAIKOM_SUBDIRECTORY=${AIKOM_SOURCE_DIR}")
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

# Only what the program needs: add_subdirectory() must not drag in the other layers.
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}/build" --target aikom_consumer -j 2)
run_step("${WORK_DIR}/build/aikom_consumer")
