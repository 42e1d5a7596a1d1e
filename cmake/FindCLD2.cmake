# FindCLD2: Compact Language Detector 2 (Debian: libcld2-dev), with the full
# language table.  Debian ships no pkg-config file for it.
#
# Defines the imported target CLD2::CLD2.  libcld2_full holds only the full
# tables; the linker would drop it as unneeded, so it is linked with
# --no-as-needed ahead of libcld2.
find_path(CLD2_INCLUDE_DIR cld2/public/compact_lang_det.h)
find_library(CLD2_LIBRARY NAMES cld2)
find_library(CLD2_FULL_LIBRARY NAMES cld2_full)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CLD2 REQUIRED_VARS CLD2_LIBRARY CLD2_FULL_LIBRARY CLD2_INCLUDE_DIR)

if(CLD2_FOUND AND NOT TARGET CLD2::CLD2)
  add_library(CLD2::CLD2 INTERFACE IMPORTED)
  set_target_properties(CLD2::CLD2 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${CLD2_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "-Wl,--no-as-needed;${CLD2_FULL_LIBRARY};${CLD2_LIBRARY};-Wl,--as-needed")
endif()
mark_as_advanced(CLD2_INCLUDE_DIR CLD2_LIBRARY CLD2_FULL_LIBRARY)
