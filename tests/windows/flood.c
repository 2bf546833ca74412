/*
 * A clean free while events flood: a callback client is freed while the
 * simulator writes it 20000 DTMF events as fast as the socket takes them.
 * Free must return promptly with DGP_OK, and no callback may run after it
 * has returned (the callback counts; the count must hold still).
 */
#include "wcheck.h"

static volatile LONG delivered;

static void DGP_CALL on_event(void *user_data, const dgp_event *event) {
    (void)user_data;
    if (dgp_event_kind(event) == DGP_EVENT_DTMF_RECEIVED) {
        InterlockedIncrement(&delivered);
    }
}

/* The flood, from its own thread: dgp_sim_set_fault returns once every
 * byte is written, and the free must come while they still arrive. */
static DWORD WINAPI flood(LPVOID sim) {
    return dgp_sim_set_fault((dgp_sim *)sim, "flood=20000") == DGP_OK ? 0 : 1;
}

int main(void) {
    dgp_sim *sim = start_sim();
    dgp_client *client = NULL;
    ULONGLONG started;
    LONG at_free;
    HANDLE flooder;
    CHECK_RC(dgp_client_new(NULL, &client), DGP_OK);
    REQUIRE(client != NULL);
    CHECK_RC(dgp_set_event_callback(client, on_event, NULL), DGP_OK);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    flooder = CreateThread(NULL, 0, flood, sim, 0, NULL);
    REQUIRE(flooder != NULL);
    /* Free in the middle of the flood: once events are arriving. */
    started = GetTickCount64();
    while (InterlockedCompareExchange(&delivered, 0, 0) == 0 && GetTickCount64() - started < WAIT_MS) {
        Sleep(1);
    }
    CHECK(InterlockedCompareExchange(&delivered, 0, 0) > 0);
    started = GetTickCount64();
    CHECK_RC(dgp_client_free(client), DGP_OK);
    at_free = InterlockedCompareExchange(&delivered, 0, 0);
    printf("flood: freed after %ld events in %llu ms\n", (long)at_free, (unsigned long long)(GetTickCount64() - started));
    CHECK(GetTickCount64() - started < 5000);
    Sleep(200); /* a late callback would show here */
    CHECK(InterlockedCompareExchange(&delivered, 0, 0) == at_free);
    CHECK(at_free < 20000); /* freed while the flood still came */
    WaitForSingleObject(flooder, INFINITE);
    CloseHandle(flooder);
    dgp_sim_free(sim);
    return check_finish();
}
