# FindLIBSVM: libsvm (Debian: libsvm-dev), which ships no pkg-config file.
# Defines the imported target LIBSVM::LIBSVM and LIBSVM_VERSION (e.g. 324).
find_path(LIBSVM_INCLUDE_DIR svm.h PATH_SUFFIXES libsvm)
find_library(LIBSVM_LIBRARY NAMES svm)

if(LIBSVM_INCLUDE_DIR AND EXISTS "${LIBSVM_INCLUDE_DIR}/svm.h")
  file(STRINGS "${LIBSVM_INCLUDE_DIR}/svm.h" _svm_ver REGEX "^#define LIBSVM_VERSION ")
  string(REGEX REPLACE ".*LIBSVM_VERSION ([0-9]+).*" "\\1" LIBSVM_VERSION "${_svm_ver}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LIBSVM REQUIRED_VARS LIBSVM_LIBRARY LIBSVM_INCLUDE_DIR
                                  VERSION_VAR LIBSVM_VERSION)

if(LIBSVM_FOUND AND NOT TARGET LIBSVM::LIBSVM)
  add_library(LIBSVM::LIBSVM UNKNOWN IMPORTED)
  set_target_properties(LIBSVM::LIBSVM PROPERTIES
    IMPORTED_LOCATION "${LIBSVM_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBSVM_INCLUDE_DIR}")
endif()
mark_as_advanced(LIBSVM_INCLUDE_DIR LIBSVM_LIBRARY)
