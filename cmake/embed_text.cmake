# Writes a C++ source whose function NAME returns the bytes of INPUT (a text file) as a
# std::string_view in namespace NAMESPACE. Run at build time:
#   cmake -DINPUT=docs/openapi.json -DOUTPUT=openapi_document.cpp -DNAME=openapi_document
#         -DNAMESPACE=aikom::sandbox::detail -P embed_text.cmake
file(READ "${INPUT}" content)
string(FIND "${content}" ")aikom_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )aikom_embed\"")
endif()
get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
"// Generated at build time from ${input_name} by cmake/embed_text.cmake: do not edit.
#include <string_view>

namespace ${NAMESPACE} {

std::string_view ${NAME}() noexcept
{
    return R\"aikom_embed(${content})aikom_embed\";
}

} // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
