// GNOME Shell 43 and 44 load this file as a script; `imports` reaches the shell's libraries.
const { Gio, GLib, Shell } = imports.gi;
const Main = imports.ui.main;

/* REPORTER */

function init() {
    return createReporter({ Gio, GLib, Shell, Main, global });
}
