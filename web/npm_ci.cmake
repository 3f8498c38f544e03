# cmake -DNPM=... -DDIR=... -P npm_ci.cmake: run `npm ci` in DIR when
# node_modules is missing or package-lock.json is newer than the last install.
file(LOCK "${DIR}/.npm-ci.lock" GUARD PROCESS TIMEOUT 600)
set(marker "${DIR}/node_modules/.package-lock.json")
if(EXISTS "${marker}" AND NOT "${DIR}/package-lock.json" IS_NEWER_THAN "${marker}")
  return()
endif()
message(STATUS "npm ci in ${DIR}")
execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
  WORKING_DIRECTORY "${DIR}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm ci failed (${rc}) in ${DIR}")
endif()
# npm writes the marker before the packages: make it newer than the lock file.
file(TOUCH "${marker}")
