/* spill.h compiles alone as C17 (this file) and as C++ (test_header_cpp.cc),
 * and the library matches the header it was built with. */
#include "spill.h"

#include <string.h>

int main(void)
{
    spill_options o = spill_options_default();
    spill_reader_options r = spill_reader_options_default();
    if (o.max_text_bytes == 0 || r.max_record_bytes == 0)
        return 1;
    return strcmp(spill_version(), SPILL_VERSION_STRING) != 0;
}
