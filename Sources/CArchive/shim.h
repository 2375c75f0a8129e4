// libarchive for Swift: Debian's libarchive-dev headers. Swift cannot call C variadic
// functions or read errno through macros, so anything of that kind gets a static inline
// wrapper here.
#ifndef KHO_CARCHIVE_SHIM_H
#define KHO_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

/// libarchive's error text for the handle, or "" when it has none.
static inline const char *kho_archive_error(struct archive *a) {
    const char *s = archive_error_string(a);
    return s ? s : "";
}
#endif
