# Every target of ours gets the same strict warnings; warnings are errors.
add_library(taplink_warnings INTERFACE)
target_compile_options(taplink_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wcast-qual -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2 -Wmissing-declarations -Wconversion -Wsign-conversion)

if(TAPLINK_SANITIZE AND TAPLINK_TSAN)
  message(FATAL_ERROR "TAPLINK_SANITIZE (ASan+UBSan) and TAPLINK_TSAN cannot be combined")
endif()
if(TAPLINK_FUZZ AND (TAPLINK_SANITIZE OR TAPLINK_TSAN))
  message(FATAL_ERROR "TAPLINK_FUZZ brings its own sanitizers: leave TAPLINK_SANITIZE and "
                      "TAPLINK_TSAN off")
endif()
if(TAPLINK_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(taplink_warnings INTERFACE ${_san})
  target_link_options(taplink_warnings INTERFACE ${_san})
endif()
if(TAPLINK_TSAN)
  set(_tsan -fsanitize=thread -fno-omit-frame-pointer)
  target_compile_options(taplink_warnings INTERFACE ${_tsan})
  target_link_options(taplink_warnings INTERFACE ${_tsan})
endif()
if(TAPLINK_FUZZ)
  # libFuzzer's coverage and ASan+UBSan in every library; the fuzz targets alone link
  # libFuzzer's main (-fsanitize=fuzzer, tests/fuzz/CMakeLists.txt).
  set(_fuzz -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
            -fno-omit-frame-pointer)
  target_compile_options(taplink_warnings INTERFACE ${_fuzz})
  target_link_options(taplink_warnings INTERFACE ${_fuzz})
endif()
