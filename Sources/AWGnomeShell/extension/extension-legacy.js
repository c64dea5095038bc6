// GNOME Shell 43 and 44 load this file as a script; `imports` reaches the shell's libraries.
const { Gio, GLib, Shell } = imports.gi;
const Main = imports.ui.main;

/* REPORTER */

class Extension {
    enable() {
        this._reporter = createReporter({ Gio, GLib, Shell, Main, global });
        this._reporter.enable();
    }

    disable() {
        this._reporter.disable();
        this._reporter = null;
    }
}

function init() {
    return new Extension();
}
