/*
 * The plugin side of aw-client-bench's C-boundary figure: the module "bench-heartbeats" sends
 * `count` heartbeats through the host's table as fast as it can (the same stream as the other
 * paths: one per second of activity, the window changing every 20 s) and logs
 * "sent <count> heartbeats in <seconds> s".
 *
 *     cc -shared -fPIC -O2 -pthread -I Sources/CAWPlugin/include -o libaw-bench-heartbeats.so \
 *        Benchmarks/ClientBench/heartbeat-plugin.c
 */
#include <aw_plugin.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bench {
    const aw_host_api *api;
    aw_host *host;
    long count;
    pthread_t thread;
};

static void *run(void *argument) {
    struct bench *bench = argument;
    char *error = NULL, event[256], stamp[32], message[128];
    if (bench->api->ensure_bucket(bench->host, "{\"id\":\"bench-plugin\",\"type\":\"currentwindow\"}", &error) != AW_OK) {
        bench->api->log(bench->host, AW_LOG_ERROR, error ? error : "no bucket");
        free(error);
        return NULL;
    }
    struct timespec started, ended;
    clock_gettime(CLOCK_MONOTONIC, &started);
    for (long index = 0; index < bench->count; index++) {
        time_t seconds = 1700000000 + 2000000 + index;
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&seconds));
        snprintf(event, sizeof event,
                 "{\"timestamp\":\"%s\",\"duration\":0,\"data\":{\"app\":\"App %ld\",\"title\":\"Window %ld\"}}", stamp,
                 index / 20 % 7, index / 20);
        if (bench->api->heartbeat(bench->host, "bench-plugin", event, 2, &error) != AW_OK) {
            bench->api->log(bench->host, AW_LOG_ERROR, error ? error : "a heartbeat failed");
            free(error);
            return NULL;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &ended);
    double elapsed = (ended.tv_sec - started.tv_sec) + (ended.tv_nsec - started.tv_nsec) / 1e9;
    snprintf(message, sizeof message, "sent %ld heartbeats in %.6f s", bench->count, elapsed);
    bench->api->log(bench->host, AW_LOG_INFO, message);
    return NULL;
}

static void *start(const aw_module *module, const aw_host_api *api, aw_host *host, char **error) {
    (void)module;
    struct bench *bench = calloc(1, sizeof *bench);
    const char *count = strstr(api->config(host), "\"count\":");
    bench->api = api;
    bench->host = host;
    bench->count = count ? strtol(count + 8, NULL, 10) : 100000;
    if (pthread_create(&bench->thread, NULL, run, bench) != 0) {
        *error = strdup("cannot start a thread");
        free(bench);
        return NULL;
    }
    return bench;
}

static void stop(const aw_module *module, void *instance) {
    (void)module;
    struct bench *bench = instance;
    pthread_join(bench->thread, NULL);
    free(bench);
}

static const aw_module modules[] = {{.name = "bench-heartbeats", .enabled_by_default = 1, .start = start, .stop = stop}};
static const aw_plugin plugin = {AW_PLUGIN_ABI_VERSION, 1, modules};

const aw_plugin *aw_plugin_entry(void) { return &plugin; }
