/*
 * aw_plugin.h: the C ABI between aw-server (the host) and its plugins, version 1.
 *
 * A plugin is a shared library that exports one function, `aw_plugin_entry`, returning a
 * description of the watcher modules it provides. The host finds plugin files in its plugin
 * folders, opens each with dlopen(RTLD_NOW | RTLD_LOCAL), calls the entry function once, checks
 * the ABI version, and then treats every module like a built-in one: it is enabled and
 * configured in the `[watchers.<name>]` section of config.toml, started after the HTTP server and
 * stopped before it. A plugin is never unloaded while the host runs.
 *
 * Any language that can export a C function can write a plugin: C (`cc -shared -fPIC`), Swift
 * (the AWPluginSDK library does all of this for a `WatcherModule`), Rust, Zig, ...
 *
 * Strings
 *   All strings are UTF-8 and NUL-terminated.
 *   - A string passed as an argument is borrowed: valid only until the call returns.
 *   - The strings of `aw_plugin` and `aw_module` (names, default configuration) must stay valid
 *     for as long as the process runs (static storage).
 *   - `aw_host_api.config` and `aw_host_api.hostname` return strings owned by the host, valid
 *     until `stop` has returned.
 *   - A string handed over through a `char **error` out-parameter, or returned by `check_config`
 *     or `source_report`, is allocated with malloc() by the side that writes it and released
 *     with free() by the side that receives it. Writing NULL there is allowed.
 *
 * JSON
 *   Buckets and events cross the boundary as JSON text, in ActivityWatch's REST format:
 *   a bucket is {"id", "type", "client", "hostname", "data"?}; an event is
 *   {"timestamp": RFC 3339 text, "duration": seconds, "data": {...}}; events_json is an array of
 *   events. A module's configuration is its `[watchers.<name>]` table as one JSON object (TOML
 *   dates and times become strings); the host removes its own keys (`isolate`) first.
 *
 * Threads
 *   - The host calls check_config, source_report, start and stop on a thread it creates for the
 *     purpose (never an event loop the server needs), one call at a time per module.
 *   - `start` must return promptly: it starts the module's work on threads the plugin owns and
 *     returns an instance pointer (opaque to the host), or NULL with *error set.
 *   - `stop` is called once for each instance `start` returned, when the host stops. It must
 *     return only when the module will make no further call to the host for that instance.
 *   - The host's functions are thread-safe and may be called from any thread of the plugin, from
 *     inside `start` until `stop` returns. ensure_bucket, heartbeat and insert_events block until
 *     the server has recorded the call or refused it (microseconds in process; when the module
 *     runs isolated they hand the call to the durable client queue, which is as quick).
 *
 * Versions
 *   A plugin is loaded only when its `abi_version` equals the host's AW_PLUGIN_ABI_VERSION; a
 *   different one is reported (`aw-server plugins`) and the rest of the server runs. The host's
 *   table carries its own version and size, so later versions can add functions at its end.
 */
#ifndef AW_PLUGIN_H
#define AW_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of this ABI. */
#define AW_PLUGIN_ABI_VERSION 1

/** The name of the function every plugin exports (of type aw_plugin_entry_fn). */
#define AW_PLUGIN_ENTRY_SYMBOL "aw_plugin_entry"

/** What the host's functions return. */
enum aw_status {
    /** Done: the server recorded the call. */
    AW_OK = 0,
    /** The call itself is wrong (JSON that is not a bucket, an event or a list of events):
     *  repeating it will not help. */
    AW_INVALID = 1,
    /** The server did not record it (the bucket does not exist, a full disk, the database
     *  away, the module stopped); *error says why. A later attempt may succeed. */
    AW_UNAVAILABLE = 2,
};

/** Levels for aw_host_api.log. */
enum aw_log_level {
    AW_LOG_DEBUG = 0,
    AW_LOG_INFO = 1,
    AW_LOG_WARNING = 2,
    AW_LOG_ERROR = 3,
};

/** The host's side of one running module instance; opaque to the plugin. */
typedef struct aw_host aw_host;

/** The functions the host offers a running module. Each takes the `aw_host` given to `start`. */
typedef struct aw_host_api {
    /** The host's AW_PLUGIN_ABI_VERSION. */
    uint32_t abi_version;
    /** sizeof(aw_host_api) in the host: functions past this size are absent. */
    uint32_t size;

    /** Creates a bucket (bucket_json as above; a missing "client" becomes the module's name and a
     *  missing "hostname" the host's); a bucket that exists already is fine. */
    int (*ensure_bucket)(aw_host *host, const char *bucket_json, char **error);
    /** Records a heartbeat: extends the bucket's last event when the data are equal and the
     *  heartbeat comes within `pulsetime` seconds of its end, else starts a new event. */
    int (*heartbeat)(aw_host *host, const char *bucket_id, const char *event_json, double pulsetime, char **error);
    /** Inserts whole events (a JSON array) into a bucket. */
    int (*insert_events)(aw_host *host, const char *bucket_id, const char *events_json, char **error);
    /** Writes one line to the server's log, labelled with the module's name (enum aw_log_level). */
    void (*log)(aw_host *host, int level, const char *message);
    /** The module's configuration: its `[watchers.<name>]` table as a JSON object. */
    const char *(*config)(aw_host *host);
    /** The machine's hostname, as bucket ids use it (`aw-watcher-window_<hostname>`). */
    const char *(*hostname)(aw_host *host);
    /** 1 in testing mode (`aw-server --testing`), else 0. */
    int (*testing)(aw_host *host);
} aw_host_api;

/** One watcher module of a plugin. */
typedef struct aw_module {
    /** The module's name and config section (`[watchers.<name>]`): lowercase letters, digits,
     *  '-' and '_'. */
    const char *name;
    /** The module's part of a new config.toml, every setting commented out; may be NULL. */
    const char *default_config;
    /** Whether the module runs when its section does not say `enabled = true|false`. */
    int enabled_by_default;
    /** For the plugin's own use; the host never reads it. */
    void *context;

    /** Checks a configuration (a JSON object) without starting anything: NULL when it is fine,
     *  else a message naming the setting (malloc'd). May be NULL: every configuration is fine. */
    char *(*check_config)(const struct aw_module *module, const char *config_json, int testing);
    /** Which source the module would read from on this desktop session, as JSON
     *  {"source": text or null, "reason": text, "not_taken": [{"source", "reason"}]} (malloc'd).
     *  May be NULL: the module needs no desktop session. */
    char *(*source_report)(const struct aw_module *module, const char *config_json, int testing);
    /** Starts the module (see Threads). Returns an instance pointer, or NULL with *error set. */
    void *(*start)(const struct aw_module *module, const aw_host_api *api, aw_host *host, char **error);
    /** Stops an instance `start` returned (see Threads) and releases it. */
    void (*stop)(const struct aw_module *module, void *instance);
} aw_module;

/** What `aw_plugin_entry` returns: static storage, valid for as long as the process runs. */
typedef struct aw_plugin {
    /** The AW_PLUGIN_ABI_VERSION the plugin was built with. */
    uint32_t abi_version;
    /** How many modules `modules` holds. */
    uint32_t module_count;
    /** The modules. */
    const aw_module *modules;
} aw_plugin;

/** The type of the entry function, `const aw_plugin *aw_plugin_entry(void)`. The host calls it
 *  once, right after loading the library. */
typedef const aw_plugin *(*aw_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* AW_PLUGIN_H */
