/*
 * Create/connect/login/free cycles against the Linux dgphone-sim over
 * loopback (its port is the second argument), so that only the client
 * library's handles and threads are in this process: every cycle must
 * give back what it took, so after the cycles this process holds as
 * many handles (GetProcessHandleCount) and threads (Toolhelp32) as after
 * the first one. The first cycle runs before the baseline because it
 * starts what lives for the whole process (Winsock's initialisation,
 * std's once-made globals). The counts are polled until they are back or
 * WAIT_MS passes, and the baseline is taken once they hold still. (With
 * the simulator in process, its threads' handles, released a little after
 * each client had gone, made the count race the last cycle.)
 * Usage: cycles COUNT PORT
 */
#include "wcheck.h"

static void one_cycle(uint16_t port, int index) {
    dgp_client *client = NULL;
    dgp_result rc = dgp_client_new(NULL, &client);
    if (rc != DGP_OK || client == NULL) {
        CHECK_RC(rc, DGP_OK);
        return;
    }
    rc = dgp_connect(client, "127.0.0.1", port);
    if (rc == DGP_OK) {
        rc = dgp_login(client, "201");
    }
    if (rc != DGP_OK) {
        fprintf(stderr, "  cycle %d:\n", index);
        CHECK_RC(rc, DGP_OK);
    }
    CHECK_RC(dgp_client_free(client), DGP_OK);
}

/* Polls until both counts are at most the baseline, or WAIT_MS passes. */
static void settle(int handles, int threads, int *now_handles, int *now_threads) {
    ULONGLONG deadline = GetTickCount64() + WAIT_MS;
    for (;;) {
        *now_handles = handle_count();
        *now_threads = thread_count();
        if ((*now_handles <= handles && *now_threads <= threads) || GetTickCount64() >= deadline) {
            return;
        }
        Sleep(20);
    }
}

/* The baseline: the counts once they have held for 10 readings 50 ms
 * apart (the first cycle's simulator thread ending), or after WAIT_MS. */
static void stable(int *handles, int *threads) {
    ULONGLONG deadline = GetTickCount64() + WAIT_MS;
    int same = 0;
    *handles = handle_count();
    *threads = thread_count();
    while (same < 10 && GetTickCount64() < deadline) {
        int h, t;
        Sleep(50);
        h = handle_count();
        t = thread_count();
        same = (h == *handles && t == *threads) ? same + 1 : 0;
        *handles = h;
        *threads = t;
    }
}

int main(int argc, char **argv) {
    int cycles = argc > 1 ? atoi(argv[1]) : 200;
    uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 0);
    int handles, threads, now_handles, now_threads, i;
    REQUIRE(port != 0); /* scripts/windows-tests passes the simulator's port */
    one_cycle(port, 0);
    stable(&handles, &threads);
    printf("baseline: %d handles (%s), %d threads\n", handles,
           handle_count_probed ? "probed: GetProcessHandleCount gave 0" : "GetProcessHandleCount", threads);
    REQUIRE(handles > 0 && threads > 0);
    /* The counters see what a client holds (its reader thread, its
     * socket), or an unchanged count would prove nothing. */
    {
        dgp_client *client = NULL;
        CHECK_RC(dgp_client_new(NULL, &client), DGP_OK);
        CHECK_RC(dgp_connect(client, "127.0.0.1", port), DGP_OK);
        CHECK(thread_count() > threads);
        CHECK(handle_count() > handles);
        CHECK_RC(dgp_client_free(client), DGP_OK);
    }
    for (i = 1; i <= cycles; i++) {
        one_cycle(port, i);
    }
    settle(handles, threads, &now_handles, &now_threads);
    printf("cycles: %d create/connect/login/free; handles %d -> %d, threads %d -> %d\n", cycles, handles,
           now_handles, threads, now_threads);
    CHECK(now_handles == handles);
    CHECK(now_threads == threads);
    return check_finish();
}
