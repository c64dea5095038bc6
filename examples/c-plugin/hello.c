/*
 * An aw-server plugin in C: the module "hello" says it is there. While enabled, it records a
 * heartbeat {"hello": "<greeting>"} every poll_time seconds into aw-watcher-hello_<hostname>, so
 * the bucket holds one event per stretch of time aw-server ran with it.
 *
 * Build and install (the header comes from aw-server-swift's Sources/CAWPlugin/include):
 *
 *     cc -shared -fPIC -O2 -pthread -I ../../Sources/CAWPlugin/include -o libaw-plugin-hello.so hello.c
 *     cp libaw-plugin-hello.so ~/.local/share/activitywatch/aw-server-swift/plugins/
 *
 * and in config.toml:
 *
 *     [watchers.hello]
 *     enabled = true
 *     greeting = "world"     # optional
 *     poll_time = 5.0        # optional, seconds
 */
#include <aw_plugin.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One running instance. */
struct hello {
    const aw_host_api *api;
    aw_host *host;
    char bucket[300];
    char greeting[100];
    double poll_time;
    int stopping;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
};

/* The text of a string setting "key": "value" in the configuration's JSON (no escapes), or NULL. */
static int string_setting(const char *json, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(json, pattern);
    if (!start) return 0;
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    if (!end || (size_t)(end - start) >= size) return 0;
    memcpy(out, start, end - start);
    out[end - start] = 0;
    return 1;
}

/* A number setting "key": number, or `fallback`. */
static double number_setting(const char *json, const char *key, double fallback) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *start = strstr(json, pattern);
    return start ? strtod(start + strlen(pattern), NULL) : fallback;
}

static char *checked(const char *json, double *poll_time) {
    *poll_time = number_setting(json, "poll_time", 5.0);
    if (!(*poll_time >= 0.1 && *poll_time <= 3600)) return strdup("'watchers.hello.poll_time' must be between 0.1 and 3600 seconds");
    return NULL;
}

static char *check_config(const aw_module *module, const char *config_json, int testing) {
    (void)module;
    (void)testing;
    double poll_time;
    return checked(config_json, &poll_time);
}

static void *run(void *argument) {
    struct hello *hello = argument;
    char bucket[400], event[300], *error = NULL;
    snprintf(bucket, sizeof bucket, "{\"id\":\"%s\",\"type\":\"hello\",\"client\":\"aw-plugin-hello\"}", hello->bucket);
    if (hello->api->ensure_bucket(hello->host, bucket, &error) != AW_OK) {
        hello->api->log(hello->host, AW_LOG_ERROR, error ? error : "cannot create the bucket");
        free(error);
        return NULL;
    }
    pthread_mutex_lock(&hello->lock);
    while (!hello->stopping) {
        pthread_mutex_unlock(&hello->lock);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        char stamp[64];
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", gmtime(&now.tv_sec));
        snprintf(event, sizeof event, "{\"timestamp\":\"%s.%06ldZ\",\"duration\":0,\"data\":{\"hello\":\"%s\"}}", stamp,
                 now.tv_nsec / 1000, hello->greeting);
        if (hello->api->heartbeat(hello->host, hello->bucket, event, hello->poll_time + 1, &error) != AW_OK) {
            hello->api->log(hello->host, AW_LOG_WARNING, error ? error : "a heartbeat was not recorded");
            free(error);
            error = NULL;
        }
        pthread_mutex_lock(&hello->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long nanoseconds = until.tv_nsec + (long)((hello->poll_time - (long)hello->poll_time) * 1e9);
        until.tv_sec += (long)hello->poll_time + nanoseconds / 1000000000L;
        until.tv_nsec = nanoseconds % 1000000000L;
        while (!hello->stopping && pthread_cond_timedwait(&hello->wake, &hello->lock, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&hello->lock);
    return NULL;
}

static void *start(const aw_module *module, const aw_host_api *api, aw_host *host, char **error) {
    (void)module;
    const char *config = api->config(host);
    struct hello *hello = calloc(1, sizeof *hello);
    if (!hello || (*error = checked(config, &hello->poll_time))) {
        free(hello);
        return NULL;
    }
    hello->api = api;
    hello->host = host;
    snprintf(hello->bucket, sizeof hello->bucket, "aw-watcher-hello_%s", api->hostname(host));
    if (!string_setting(config, "greeting", hello->greeting, sizeof hello->greeting)) strcpy(hello->greeting, "world");
    pthread_mutex_init(&hello->lock, NULL);
    pthread_cond_init(&hello->wake, NULL);
    if (pthread_create(&hello->thread, NULL, run, hello) != 0) {
        *error = strdup("cannot start a thread");
        free(hello);
        return NULL;
    }
    api->log(host, AW_LOG_INFO, "saying hello");
    return hello;
}

static void stop(const aw_module *module, void *instance) {
    (void)module;
    struct hello *hello = instance;
    pthread_mutex_lock(&hello->lock);
    hello->stopping = 1;
    pthread_cond_signal(&hello->wake);
    pthread_mutex_unlock(&hello->lock);
    pthread_join(hello->thread, NULL);
    pthread_mutex_destroy(&hello->lock);
    pthread_cond_destroy(&hello->wake);
    free(hello);
}

static const aw_module modules[] = {{
    .name = "hello",
    .default_config = "[watchers.hello]\n# The C example plugin: one event per stretch of time aw-server ran with it.\n#enabled = false\n#greeting = \"world\"\n#poll_time = 5.0\n",
    .enabled_by_default = 0,
    .check_config = check_config,
    .start = start,
    .stop = stop,
}};

static const aw_plugin plugin = {AW_PLUGIN_ABI_VERSION, 1, modules};

const aw_plugin *aw_plugin_entry(void) { return &plugin; }
