/*
 * The C side of the Delphi binding's benchmark: the same flood as
 * DGPhoneTests bench N (the simulator's flood=N fault, set from another
 * thread, DGP_OVERFLOW_BLOCK so nothing is lost), counted by a plain C
 * callback on the library's callback thread. Prints one line,
 * "bench: c N events in T ms: R events/s", for scripts/delphi-tests to
 * compare with the Pascal handler's rate on the main thread.
 * Usage: bench_c N
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dgphone_sim.h"

static atomic_uint seen;

static void DGP_CALL on_event(void *user_data, const dgp_event *event) {
    (void)user_data;
    if (dgp_event_kind(event) == DGP_EVENT_DTMF_RECEIVED) {
        atomic_fetch_add(&seen, 1);
    }
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct flood {
    dgp_sim *sim;
    char spec[64];
};

static void *flood_run(void *arg) {
    struct flood *f = arg;
    dgp_sim_set_fault(f->sim, f->spec);
    return NULL;
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
    dgp_sim *sim = NULL;
    dgp_options *options = dgp_options_new();
    dgp_client *client = NULL;
    struct flood f;
    pthread_t thread;
    long long started, elapsed, deadline;
    struct timespec pause = {0, 1000000};

    if (dgp_sim_start(NULL, NULL, 0, &sim) != DGP_OK || options == NULL) {
        fprintf(stderr, "bench_c: cannot start the simulator\n");
        return 1;
    }
    dgp_options_set_overflow_policy(options, DGP_OVERFLOW_BLOCK);
    if (dgp_client_new(options, &client) != DGP_OK || dgp_set_event_callback(client, on_event, NULL) != DGP_OK ||
        dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)) != DGP_OK || dgp_login(client, "201") != DGP_OK) {
        fprintf(stderr, "bench_c: cannot connect and log in\n");
        return 1;
    }
    dgp_options_free(options);
    f.sim = sim;
    snprintf(f.spec, sizeof f.spec, "flood=%u", n);
    started = now_ms();
    pthread_create(&thread, NULL, flood_run, &f);
    deadline = started + 120000;
    while (atomic_load(&seen) < n && now_ms() < deadline) {
        nanosleep(&pause, NULL); /* the main thread only watches; the callback counts */
    }
    elapsed = now_ms() - started;
    pthread_join(thread, NULL);
    if (elapsed < 1) {
        elapsed = 1;
    }
    printf("bench: c %u events in %lld ms: %lld events/s\n", atomic_load(&seen), elapsed,
           (long long)atomic_load(&seen) * 1000 / elapsed);
    dgp_client_free(client);
    dgp_sim_free(sim);
    return atomic_load(&seen) == n ? 0 : 1;
}
