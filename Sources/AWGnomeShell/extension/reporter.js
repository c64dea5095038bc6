// aw-server-swift: tells the window watcher which window has the focus, and its title.
//
// The watcher (in aw-server) calls GetFocusedWindow on the session bus and listens for
// FocusedWindowChanged, which is sent at every focus switch, every title change of the focused
// window, and when the Overview opens or closes (no window is in use while it is open).
// This file is the body shared by the GNOME 43-44 and the GNOME 45+ entry points; it reaches the
// shell's libraries through the `shell` argument only.

const BUS_NAME = 'org.activitywatch.AwServerSwift.GnomeShell';
const OBJECT_PATH = '/org/activitywatch/AwServerSwift/GnomeShell';
const INTERFACE_XML = `
<node>
  <interface name="org.activitywatch.AwServerSwift.GnomeShell">
    <method name="GetFocusedWindow">
      <arg type="b" direction="out" name="focused"/>
      <arg type="s" direction="out" name="app"/>
      <arg type="s" direction="out" name="title"/>
    </method>
    <method name="GetVersion">
      <arg type="u" direction="out" name="version"/>
    </method>
    <signal name="FocusedWindowChanged">
      <arg type="b" name="focused"/>
      <arg type="s" name="app"/>
      <arg type="s" name="title"/>
    </signal>
  </interface>
</node>`;

/** What the watcher speaks with this extension: raised when the interface changes. */
const PROTOCOL_VERSION = 1;

/**
 * Follows the focused window and serves it on the session bus.
 * `shell` holds { Gio, GLib, Shell, Main, global }.
 */
function createReporter(shell) {
    const { Gio, GLib, Shell, Main, global } = shell;
    let exported = null;
    let nameId = 0;
    let focusId = 0;
    let overviewIds = [];
    let watchedWindow = null;
    let titleId = 0;
    let last = null;

    function appOf(window) {
        const app = Shell.WindowTracker.get_default().get_window_app(window);
        const id = app ? app.get_id() : null;
        // A window no .desktop file claims gets an id such as "window:12": use its WM_CLASS then.
        if (id && !id.startsWith('window:'))
            return id.endsWith('.desktop') ? id.slice(0, -'.desktop'.length) : id;
        return window.get_wm_class() || window.get_wm_class_instance() || '';
    }

    function current() {
        const window = global.display.focus_window;
        if (!window || Main.overview.visible)
            return [false, '', ''];
        return [true, appOf(window), window.get_title() || ''];
    }

    function report() {
        const state = current();
        if (last && state[0] === last[0] && state[1] === last[1] && state[2] === last[2])
            return;
        last = state;
        if (exported)
            exported.emit_signal('FocusedWindowChanged', new GLib.Variant('(bss)', state));
    }

    function follow() {
        const window = global.display.focus_window;
        if (window !== watchedWindow) {
            if (watchedWindow && titleId)
                watchedWindow.disconnect(titleId);
            titleId = 0;
            watchedWindow = window;
            if (window)
                titleId = window.connect('notify::title', report);
        }
        report();
    }

    return {
        enable() {
            exported = Gio.DBusExportedObject.wrapJSObject(INTERFACE_XML, {
                GetFocusedWindow() { return current(); },
                GetVersion() { return PROTOCOL_VERSION; },
            });
            exported.export(Gio.DBus.session, OBJECT_PATH);
            nameId = Gio.bus_own_name_on_connection(
                Gio.DBus.session, BUS_NAME, Gio.BusNameOwnerFlags.NONE, null, null);
            focusId = global.display.connect('notify::focus-window', follow);
            overviewIds = ['shown', 'hidden'].map(signal => Main.overview.connect(signal, report));
            follow();
        },
        disable() {
            if (focusId)
                global.display.disconnect(focusId);
            focusId = 0;
            overviewIds.forEach(id => Main.overview.disconnect(id));
            overviewIds = [];
            if (watchedWindow && titleId)
                watchedWindow.disconnect(titleId);
            watchedWindow = null;
            titleId = 0;
            if (nameId)
                Gio.bus_unown_name(nameId);
            nameId = 0;
            if (exported)
                exported.unexport();
            exported = null;
            last = null;
        },
    };
}
