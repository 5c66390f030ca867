# Every target of ours gets the same strict warnings; warnings are errors.
add_library(taplink_warnings INTERFACE)
target_compile_options(taplink_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wcast-qual -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2 -Wmissing-declarations -Wconversion -Wsign-conversion)

if(TAPLINK_SANITIZE AND TAPLINK_TSAN)
  message(FATAL_ERROR "TAPLINK_SANITIZE (ASan+UBSan) and TAPLINK_TSAN cannot be combined")
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
