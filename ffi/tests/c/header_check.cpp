// The generated header must be usable from C++ (extern "C", no C-only syntax).
#include "gatekey.h"

#include <cstdio>

int main() {
    gk_identity *id = nullptr;
    if (gk_identity_new(&id) != GK_OK) return 1;
    gk_source source = GK_SOURCE_NONE;
    gk_status status = gk_identity_source(id, &source);
    std::printf("header_check: %s, source %d\n", gk_status_name(status), static_cast<int>(source));
    gk_identity_free(id);
    return status == GK_OK && source == GK_SOURCE_NONE ? 0 : 1;
}
