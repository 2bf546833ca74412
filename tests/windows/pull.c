/*
 * The pull API as a Windows host uses it: no callback; the main thread
 * waits on the client's event HANDLE (dgp_notify_handle) with
 * WaitForSingleObject, then takes the events with dgp_next_event. The
 * handle is signalled while events are queued and reset once the queue is
 * empty.
 */
#include "wcheck.h"

/* Waits on the handle, then takes events until one of `kind` (or none is
 * left); 1 when it came. */
static int wait_on_handle_for(dgp_client *client, HANDLE ready, uint32_t kind) {
    ULONGLONG deadline = GetTickCount64() + WAIT_MS;
    while (GetTickCount64() < deadline) {
        dgp_event *event = NULL;
        DWORD left = (DWORD)(deadline - GetTickCount64());
        if (WaitForSingleObject(ready, left) != WAIT_OBJECT_0) {
            return 0;
        }
        while (dgp_next_event(client, 0, &event) == DGP_OK) {
            uint32_t got = dgp_event_kind(event);
            dgp_event_free(event);
            if (got == kind) {
                return 1;
            }
        }
    }
    return 0;
}

int main(void) {
    dgp_sim *sim = NULL;
    dgp_client *client = NULL;
    HANDLE ready;
    dgp_event *event = NULL;

    CHECK(dgp_sim_start(NULL, NULL, 0, &sim) == DGP_OK);
    CHECK_RC(dgp_client_new(NULL, &client), DGP_OK);
    if (sim == NULL || client == NULL) {
        return check_finish();
    }
    ready = (HANDLE)dgp_notify_handle(client);
    CHECK(ready != NULL);
    CHECK(WaitForSingleObject(ready, 0) == WAIT_TIMEOUT); /* nothing queued yet */

    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    CHECK(wait_on_handle_for(client, ready, DGP_EVENT_LOGGED_IN));

    CHECK(dgp_sim_incoming_call(sim, 2, "5511") == DGP_OK);
    CHECK(wait_on_handle_for(client, ready, DGP_EVENT_RECEIVING_CALL));
    /* Drained: the handle is off again until the next event. */
    while (dgp_next_event(client, 0, &event) == DGP_OK) {
        dgp_event_free(event);
    }
    CHECK(WaitForSingleObject(ready, 0) == WAIT_TIMEOUT);

    CHECK(dgp_sim_far_end_hangup(sim, 2) == DGP_OK);
    CHECK(wait_on_handle_for(client, ready, DGP_EVENT_HANGUP));

    dgp_client_free(client);
    dgp_sim_free(sim);
    return check_finish();
}
