# NODECC_SANITIZE=ON: ASan + UBSan on everything built in this tree.
if(NODECC_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
