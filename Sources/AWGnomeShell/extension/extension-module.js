// GNOME Shell 45 and later load this file as an ES module.
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Shell from 'gi://Shell';
import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import { Extension } from 'resource:///org/gnome/shell/extensions/extension.js';

/* REPORTER */

export default class AwServerSwiftExtension extends Extension {
    enable() {
        this._reporter = createReporter({ Gio, GLib, Shell, Main, global });
        this._reporter.enable();
    }

    disable() {
        this._reporter.disable();
        this._reporter = null;
    }
}
