// The ABI is a header only; SwiftPM needs one source file in a C target.
#include "aw_plugin.h"
