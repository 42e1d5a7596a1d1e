// spill.h compiles as C++ and links with C linkage.
#include "spill.h"

#include <cstring>

int main()
{
    spill_options o = spill_options_default();
    spill_span s{};
    s.label = SPILL_LABEL_FOREIGN;
    return (o.max_text_bytes == 0 || std::strcmp(spill_label_name(s.label), "foreign") != 0);
}
