// The Wayland protocols the watchers speak: the code wayland-scanner generated from protocols/*.xml
// (scripts/wayland-protocols.sh), and the addresses of the interface descriptions. Swift imports
// an `extern const struct wl_interface` as a copy, so binding a global needs its real address.
#include <wayland-client.h>
#include "ext-idle-notify-v1-client-protocol.h"
#include "kde-idle-client-protocol.h"
#include "wlr-foreign-toplevel-management-unstable-v1-client-protocol.h"

static inline const struct wl_interface *cwl_seat_interface(void) { return &wl_seat_interface; }
static inline const struct wl_interface *cwl_callback_interface(void) { return &wl_callback_interface; }
static inline const struct wl_interface *cwl_foreign_toplevel_manager_interface(void) {
    return &zwlr_foreign_toplevel_manager_v1_interface;
}
static inline const struct wl_interface *cwl_ext_idle_notifier_interface(void) {
    return &ext_idle_notifier_v1_interface;
}
static inline const struct wl_interface *cwl_kde_idle_interface(void) { return &org_kde_kwin_idle_interface; }
