#ifndef CX11_SHIM_H
#define CX11_SHIM_H

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/Xatom.h>
#include <X11/extensions/scrnsaver.h>

// Macros and cast constants Swift cannot import.
static inline Window cx11_default_root_window(Display *display) { return DefaultRootWindow(display); }
static inline Atom cx11_xa_string(void) { return XA_STRING; }
static inline Atom cx11_xa_window(void) { return XA_WINDOW; }

#endif
