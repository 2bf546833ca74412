/*
 * Create, connect, login, free, many times (1,000 by default; the first
 * argument changes it, e.g. fewer under valgrind): no descriptor and no
 * thread may stay behind.
 *
 * The simulator runs in this process too, and its per-connection threads
 * end a moment after the client leaves, so mid-run totals wobble. What is
 * exact: after every dgp_client_free no reader thread of ours is alive
 * (free joins it), and once the simulator is freed (which joins all of
 * its threads) descriptors and live threads are back to where they
 * started. No waiting is involved: joined threads are exact once exiting
 * ones are left out (see live_threads).
 */
#include "check.h"

#define READER_THREAD "dgphone-reader"

static void one_cycle(dgp_sim *sim) {
    dgp_client *client = NULL;
    dgp_result rc = dgp_client_new(NULL, &client);
    if (rc == DGP_OK) {
        rc = dgp_connect(client, "127.0.0.1", dgp_sim_port(sim));
    }
    if (rc == DGP_OK) {
        rc = dgp_login(client, "201");
    }
    CHECK_RC(rc, DGP_OK);
    CHECK_RC(dgp_client_free(client), DGP_OK);
}

int main(int argc, char **argv) {
    int cycles = argc > 1 ? atoi(argv[1]) : 1000;
    int fds_before, threads_before, fds_after, threads_after;
    int max_fds = 0, max_threads = 0, leftover_readers = 0;
    long long started, elapsed;
    dgp_sim *sim;
    int i;
    REQUIRE(cycles > 0);

    /* A first cycle, so one-time set-up (the allocator's arenas, lazily
     * made process-wide state) is not counted as growth. */
    sim = start_sim(NULL);
    one_cycle(sim);
    dgp_sim_free(sim);
    fds_before = open_fds();
    threads_before = live_threads(NULL);
    REQUIRE(fds_before > 0 && threads_before > 0);

    sim = start_sim(NULL);
    started = now_ms();
    for (i = 0; i < cycles; i++) {
        int fds, threads;
        one_cycle(sim);
        leftover_readers += live_threads(READER_THREAD);
        fds = open_fds();
        threads = live_threads(NULL);
        max_fds = fds > max_fds ? fds : max_fds;
        max_threads = threads > max_threads ? threads : max_threads;
    }
    elapsed = now_ms() - started;
    dgp_sim_free(sim);
    fds_after = open_fds();
    threads_after = live_threads(NULL);

    CHECK(leftover_readers == 0);
    CHECK(fds_after == fds_before);
    CHECK(threads_after == threads_before);
    fprintf(stderr,
            "cycles: %d create/connect/login/free in %lld ms (%.2f ms each, /proc counting included)\n"
            "cycles: open fds %d before, %d after (at most %d with the simulator running)\n"
            "cycles: threads %d before, %d after (at most %d with the simulator running)\n",
            cycles, elapsed, (double)elapsed / cycles, fds_before, fds_after, max_fds, threads_before,
            threads_after, max_threads);
    return check_finish();
}
