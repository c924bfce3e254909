# Warnings for the project's own targets; -Werror with NODECC_WERROR (CI sets it).
function(nodecc_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
  if(NODECC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
