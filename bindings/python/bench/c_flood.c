/*
 * The C baseline of bench.py, measured in the same run: the rate at which
 * a C callback receives the simulator's flood (dgp_sim_set_fault
 * "flood=N"), and the latency from the simulator's write of a raw packet
 * carrying a CLOCK_MONOTONIC timestamp to the callback.
 *
 * Usage: c_flood EVENTS ROUNDS SAMPLES
 * Prints: "c rate ROUND EVENTS_PER_S" per round, then
 *         "c latency_us P50 P99".
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dgphone_sim.h"

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

struct counter {
    atomic_uint_fast64_t flood_events;
    pthread_mutex_t lock;
    pthread_cond_t arrived;
    uint64_t last_latency_ns; /* 0: none yet; under the lock */
};

static void DGP_CALL on_event(void *user_data, const dgp_event *event) {
    struct counter *c = user_data;
    uint64_t arrived = now_ns();
    uint32_t kind = dgp_event_kind(event);
    if (kind == DGP_EVENT_DTMF_RECEIVED) {
        atomic_fetch_add(&c->flood_events, 1);
    } else if (kind == DGP_EVENT_UNKNOWN) {
        const char *sent = dgp_event_header(event, "T");
        if (sent != NULL) {
            pthread_mutex_lock(&c->lock);
            c->last_latency_ns = arrived - strtoull(sent, NULL, 10);
            pthread_cond_signal(&c->arrived);
            pthread_mutex_unlock(&c->lock);
        }
    }
}

struct flood_arg {
    dgp_sim *sim;
    const char *spec;
};

static void *flood(void *arg) {
    struct flood_arg *f = arg;
    dgp_sim_set_fault(f->sim, f->spec);
    return NULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void die(const char *what) {
    char message[512] = "";
    dgp_last_error(message, sizeof message, NULL);
    fprintf(stderr, "c_flood: %s failed: %s\n", what, message);
    exit(1);
}

int main(int argc, char **argv) {
    uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    int samples = argc > 3 ? atoi(argv[3]) : 1000;
    struct counter counter;
    dgp_sim *sim = NULL;
    dgp_client *client = NULL;
    dgp_options *options = dgp_options_new();
    char spec[64];
    uint64_t *latencies = calloc((size_t)samples + 1, sizeof *latencies);

    atomic_init(&counter.flood_events, 0);
    counter.last_latency_ns = 0;
    pthread_mutex_init(&counter.lock, NULL);
    pthread_cond_init(&counter.arrived, NULL);
    if (dgp_sim_start(NULL, NULL, 0, &sim) != DGP_OK) die("dgp_sim_start");
    /* As bench.py's clients: nothing lost, so every round counts all. */
    dgp_options_set_overflow_policy(options, DGP_OVERFLOW_BLOCK);
    dgp_options_set_delivery_backlog(options, 1u << 16); /* as bench.py's: room for a flood */
    if (dgp_client_new(options, &client) != DGP_OK) die("dgp_client_new");
    dgp_options_free(options);
    if (dgp_set_event_callback(client, on_event, &counter) != DGP_OK) die("dgp_set_event_callback");
    if (dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)) != DGP_OK) die("dgp_connect");
    if (dgp_login(client, "201") != DGP_OK) die("dgp_login");

    snprintf(spec, sizeof spec, "flood=%" PRIu64, events);
    for (int round = 0; round < rounds; round++) {
        pthread_t writer;
        struct flood_arg arg = {sim, spec};
        uint64_t target = atomic_load(&counter.flood_events) + events;
        uint64_t start = now_ns();
        pthread_create(&writer, NULL, flood, &arg);
        while (atomic_load(&counter.flood_events) < target) {
            struct timespec pause = {0, 20000};
            nanosleep(&pause, NULL);
        }
        uint64_t took = now_ns() - start;
        pthread_join(writer, NULL);
        printf("c rate %d %.0f\n", round, (double)events * 1e9 / (double)took);
        fflush(stdout);
    }

    for (int i = 0; i < samples; i++) {
        char packet[96];
        pthread_mutex_lock(&counter.lock);
        counter.last_latency_ns = 0;
        pthread_mutex_unlock(&counter.lock);
        int len = snprintf(packet, sizeof packet, "Event: Probe\r\nT: %" PRIu64 "\r\n\r\n", now_ns());
        dgp_sim_send_raw(sim, (const uint8_t *)packet, (uint32_t)len);
        pthread_mutex_lock(&counter.lock);
        while (counter.last_latency_ns == 0) {
            pthread_cond_wait(&counter.arrived, &counter.lock); /* the probe always comes */
        }
        latencies[i] = counter.last_latency_ns;
        pthread_mutex_unlock(&counter.lock);
        {
            struct timespec pause = {0, 200000}; /* the reader back in its read */
            nanosleep(&pause, NULL);
        }
    }
    if (samples > 0) {
        qsort(latencies, (size_t)samples, sizeof *latencies, cmp_u64);
        printf("c latency_us %.1f %.1f\n", (double)latencies[samples / 2] / 1000.0,
               (double)latencies[(size_t)((double)samples * 0.99)] / 1000.0);
    }

    dgp_client_free(client);
    dgp_sim_free(sim);
    free(latencies);
    return 0;
}
