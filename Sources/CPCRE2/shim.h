#ifndef CPCRE2_SHIM_H
#define CPCRE2_SHIM_H

// PCRE2 with 8-bit code units (UTF-8); its API names become pcre2_*_8.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// PCRE2_ZERO_TERMINATED is a cast expression Swift cannot import.
static inline PCRE2_SIZE cpcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }

#endif
