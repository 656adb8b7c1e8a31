# Precompiled headers: the standard library, Poco and GoogleTest headers that
# most translation units include. Parsing them was about half of a typical
# file's compile time (measured with gcc 12: a test file 4.3 of 6.9 s, a web
# handler 3.0 of 5.6 s), in both the Release and the sanitizer builds.
#
# Only headers from outside the project, which never change between builds,
# go in. The headers a file needs must still be included by that file: the
# clang-tidy tree builds without precompiled headers (ci/quality.sh), so a
# missing #include fails there.
#
# Off by default when a compiler launcher such as ccache is set: ccache
# cannot cache a compile that reads a precompiled header unless its
# sloppiness settings allow it, so the two together would be slower.
if(CMAKE_CXX_COMPILER_LAUNCHER)
  set(arkwiki_pch_default OFF)
else()
  set(arkwiki_pch_default ON)
endif()
option(ARKWIKI_PRECOMPILED_HEADERS "Precompile common external headers" ${arkwiki_pch_default})

set(arkwiki_pch_std
  <algorithm> <atomic> <chrono> <cstdint> <cstring> <functional> <map> <memory> <mutex>
  <optional> <set> <sstream> <string> <string_view> <thread> <unordered_map> <utility>
  <variant> <vector>)
set(arkwiki_pch_json <Poco/JSON/Object.h> <Poco/JSON/Array.h> <Poco/JSON/Parser.h>
  <Poco/JSON/Stringifier.h>)

# arkwiki_precompile_headers(TARGET [JSON] [GTEST] [HEADERS h...]): the
# standard set, plus Poco JSON, GoogleTest and any further headers named.
function(arkwiki_precompile_headers target)
  if(NOT ARKWIKI_PRECOMPILED_HEADERS)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "JSON;GTEST" "" "HEADERS")
  set(headers ${arkwiki_pch_std})
  if(arg_JSON)
    list(APPEND headers ${arkwiki_pch_json})
  endif()
  if(arg_GTEST)
    list(APPEND headers <gtest/gtest.h> <filesystem> <fstream>)
  endif()
  list(APPEND headers ${arg_HEADERS})
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()
