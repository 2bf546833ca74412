/*
 * The C baseline every binding's benchmark measures itself against, in
 * the same run on the same machine: the rate at which a plain C callback
 * receives the simulator's flood (dgp_sim_set_fault "flood=N", from its
 * own thread, as the fault blocks until the flood is written), and the
 * latency from the simulator's write of a raw packet carrying a
 * CLOCK_MONOTONIC timestamp to the callback. The client takes what the
 * bindings take: DGP_OVERFLOW_BLOCK (nothing lost, so every round counts
 * every event) and a backlog with room for a flood. Builds with gcc and
 * with mingw-w64 (the Delphi binding measures itself under Wine too).
 *
 * Usage: flood_baseline EVENTS ROUNDS SAMPLES
 * Prints, per round:  "c rate ROUND EVENTS_PER_S EVENTS_PER_CPU_S"
 *        then, if SAMPLES > 0: "c latency_us P50 P99"
 * (CPU time of the whole process: every thread, the simulator's included,
 * steadier than wall time on a shared machine). Exits 1 when a flood did
 * not arrive whole within two minutes.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/resource.h>
#endif

#include "dgphone_sim.h"

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static double cpu_seconds(void) {
#ifdef _WIN32
    FILETIME created, exited, kernel, user;
    GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user);
    return ((double)(((uint64_t)kernel.dwHighDateTime << 32) | kernel.dwLowDateTime) +
            (double)(((uint64_t)user.dwHighDateTime << 32) | user.dwLowDateTime)) / 1e7;
#else
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
#endif
}

struct counter {
    atomic_uint_fast64_t flood_events;
    atomic_uint_fast64_t last_flood_ns; /* when the latest flood event came */
    pthread_mutex_t lock;
    pthread_cond_t arrived;
    uint64_t last_latency_ns; /* 0: none yet; under the lock */
};

static void DGP_CALL on_event(void *user_data, const dgp_event *event) {
    struct counter *c = user_data;
    uint64_t arrived = now_ns();
    uint32_t kind = dgp_event_kind(event);
    if (kind == DGP_EVENT_DTMF_RECEIVED) {
        atomic_store(&c->last_flood_ns, arrived);
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
    fprintf(stderr, "flood_baseline: %s failed: %s\n", what, message);
    exit(1);
}

static void pause_us(long us) {
    struct timespec pause = {0, us * 1000};
    nanosleep(&pause, NULL);
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

    if (options == NULL || latencies == NULL) {
        fprintf(stderr, "flood_baseline: out of memory\n");
        return 1;
    }
    atomic_init(&counter.flood_events, 0);
    atomic_init(&counter.last_flood_ns, 0);
    counter.last_latency_ns = 0;
    pthread_mutex_init(&counter.lock, NULL);
    pthread_cond_init(&counter.arrived, NULL);
    if (dgp_sim_start(NULL, NULL, 0, &sim) != DGP_OK) die("dgp_sim_start");
    dgp_options_set_overflow_policy(options, DGP_OVERFLOW_BLOCK);
    dgp_options_set_delivery_backlog(options, 1u << 16);
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
        uint64_t start = now_ns(), deadline = start + 120 * 1000000000ull;
        double cpu = cpu_seconds();
        pthread_create(&writer, NULL, flood, &arg);
        /* The main thread only watches, seldom, so as not to take a core
         * from the reader and the callback; the round ends at the last
         * event's arrival, not when it is noticed. */
        while (atomic_load(&counter.flood_events) < target && now_ns() < deadline) {
            pause_us(1000);
        }
        cpu = cpu_seconds() - cpu;
        uint64_t took = atomic_load(&counter.last_flood_ns) - start;
        pthread_join(writer, NULL);
        if (atomic_load(&counter.flood_events) < target || took == 0) {
            fprintf(stderr, "flood_baseline: round %d: the flood did not arrive whole\n", round);
            return 1;
        }
        printf("c rate %d %.0f %.0f\n", round, (double)events * 1e9 / (double)took,
               (double)events / (cpu > 1e-6 ? cpu : 1e-6));
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
        pause_us(200); /* the reader back in its read */
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
