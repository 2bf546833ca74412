/*
 * The C baseline of the .NET benchmark: the same flood and the same
 * latency probe as Bench.cs, with a plain C callback, so the two are
 * compared within one run on this shared machine.
 *
 *   cflood EVENTS SAMPLES   prints "c-rate EVENTS_PER_S EVENTS_PER_CPU_S" and
 *                           "c-latency P50_US P99_US"
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dgphone_sim.h"

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

struct counter {
    atomic_long events;
    atomic_llong last_ns;
    atomic_llong latency_ns; /* of the last probe; -1 while none */
};

static void DGP_CALL on_event(void *user_data, const dgp_event *event) {
    struct counter *c = user_data;
    uint32_t kind = dgp_event_kind(event);
    if (kind == DGP_EVENT_DTMF_RECEIVED) {
        atomic_fetch_add(&c->events, 1);
        atomic_store(&c->last_ns, now_ns());
    } else if (kind == DGP_EVENT_UNKNOWN) {
        const char *t = dgp_event_header(event, "T");
        if (t != NULL)
            atomic_store(&c->latency_ns, now_ns() - atoll(t));
    }
}

/* CPU time of the whole process (every thread: the simulator's, the
 * reader, the callback), in seconds: less at the mercy of the other
 * engineers' builds than wall time. */
static double cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, dgp_result rc) {
    fprintf(stderr, "cflood: %s failed: %s\n", what, dgp_result_str(rc));
    exit(1);
}

int main(int argc, char **argv) {
    long events = argc > 1 ? atol(argv[1]) : 100000;
    int samples = argc > 2 ? atoi(argv[2]) : 2000;
    struct counter c;
    dgp_sim *sim = NULL;
    dgp_client *client = NULL;
    dgp_options *options = dgp_options_new();
    dgp_result rc;
    char spec[64];
    long long start, deadline, *lat;
    double cpu;
    int i;

    atomic_init(&c.events, 0);
    atomic_init(&c.last_ns, 0);
    atomic_init(&c.latency_ns, -1);
    dgp_options_set_overflow_policy(options, DGP_OVERFLOW_BLOCK); /* count every event */
    if ((rc = dgp_sim_start(NULL, NULL, 0, &sim)) != DGP_OK) die("dgp_sim_start", rc);
    if ((rc = dgp_client_new(options, &client)) != DGP_OK) die("dgp_client_new", rc);
    dgp_options_free(options);
    if ((rc = dgp_set_event_callback(client, on_event, &c)) != DGP_OK) die("dgp_set_event_callback", rc);
    if ((rc = dgp_connect(client, "127.0.0.1", dgp_sim_port(sim))) != DGP_OK) die("dgp_connect", rc);
    if ((rc = dgp_login(client, "201")) != DGP_OK) die("dgp_login", rc);

    /* Throughput: from the fault's start to the callback's last event. */
    snprintf(spec, sizeof spec, "flood=%ld", events);
    cpu = cpu_s();
    start = now_ns();
    if ((rc = dgp_sim_set_fault(sim, spec)) != DGP_OK) die("dgp_sim_set_fault", rc);
    deadline = now_ns() + 60LL * 1000000000LL;
    while (atomic_load(&c.events) < events && now_ns() < deadline) {
        struct timespec pause = {0, 200000};
        nanosleep(&pause, NULL);
    }
    if (atomic_load(&c.events) < events) {
        fprintf(stderr, "cflood: got %ld of %ld events\n", atomic_load(&c.events), events);
        return 1;
    }
    printf("c-rate %.0f %.0f\n", events / ((atomic_load(&c.last_ns) - start) / 1e9), events / (cpu_s() - cpu));

    /* Latency: one probe at a time, server write -> callback. */
    lat = calloc((size_t)samples, sizeof *lat);
    for (i = 0; i < samples; i++) {
        char packet[96];
        int n;
        atomic_store(&c.latency_ns, -1);
        n = snprintf(packet, sizeof packet, "Event: X-Probe\r\nT: %lld\r\n\r\n", now_ns());
        if ((rc = dgp_sim_send_raw(sim, (const uint8_t *)packet, (uint32_t)n)) != DGP_OK) die("dgp_sim_send_raw", rc);
        deadline = now_ns() + 10LL * 1000000000LL;
        while (atomic_load(&c.latency_ns) < 0 && now_ns() < deadline) {
            struct timespec pause = {0, 20000}; /* the waiter must not take a core from the reader */
            nanosleep(&pause, NULL);
        }
        lat[i] = atomic_load(&c.latency_ns);
    }
    qsort(lat, (size_t)samples, sizeof *lat, cmp);
    printf("c-latency %.1f %.1f\n", lat[samples / 2] / 1e3, lat[samples * 99 / 100] / 1e3);
    free(lat);
    dgp_client_free(client);
    dgp_sim_free(sim);
    return 0;
}
