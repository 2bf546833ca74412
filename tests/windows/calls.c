/*
 * The whole call flow through dgphone.dll against dgphone_sim.dll in the
 * same process: start a simulator, connect, log in, select a line, dial
 * (the far end answers), hang up, log off. The events come through the
 * callback, which must run on the library's own thread (not the caller's)
 * and is handed to the main thread through a CRITICAL_SECTION and a
 * CONDITION_VARIABLE, the way a Windows host would.
 */
#include "wcheck.h"

#define MAX_EVENTS 256

/* What the callback saw, guarded by `lock`; `changed` wakes the waiter. */
struct recorder {
    CRITICAL_SECTION lock;
    CONDITION_VARIABLE changed;
    uint32_t kinds[MAX_EVENTS];
    int32_t lines[MAX_EVENTS];
    char numbers[MAX_EVENTS][32];
    int count;
    int wrong_thread; /* callbacks on the thread that called the library */
    DWORD main_thread;
};

static void on_event(void *user_data, const dgp_event *event) {
    struct recorder *rec = (struct recorder *)user_data;
    const char *number = dgp_event_number(event);
    EnterCriticalSection(&rec->lock);
    if (GetCurrentThreadId() == rec->main_thread) {
        rec->wrong_thread++;
    }
    if (rec->count < MAX_EVENTS) {
        rec->kinds[rec->count] = dgp_event_kind(event);
        rec->lines[rec->count] = dgp_event_line(event);
        /* The event lives only during the call: copy what is kept. */
        snprintf(rec->numbers[rec->count], sizeof rec->numbers[0], "%s", number ? number : "");
        rec->count++;
    }
    LeaveCriticalSection(&rec->lock);
    WakeAllConditionVariable(&rec->changed);
}

/* Waits for an event of `kind` (on `line`, unless 0) after index `*from`;
 * on success `*from` moves past it and its index is returned, else -1. */
static int wait_kind(struct recorder *rec, uint32_t kind, int32_t line, int *from) {
    ULONGLONG deadline = GetTickCount64() + WAIT_MS;
    int found = -1;
    EnterCriticalSection(&rec->lock);
    for (;;) {
        ULONGLONG now;
        for (; *from < rec->count; (*from)++) {
            if (rec->kinds[*from] == kind && (line == 0 || rec->lines[*from] == line)) {
                found = (*from)++;
                break;
            }
        }
        now = GetTickCount64();
        if (found >= 0 || now >= deadline) {
            break;
        }
        SleepConditionVariableCS(&rec->changed, &rec->lock, (DWORD)(deadline - now));
    }
    LeaveCriticalSection(&rec->lock);
    if (found < 0) {
        fprintf(stderr, "  no event %u on line %d within %u ms\n", (unsigned)kind, (int)line, WAIT_MS);
    }
    return found;
}

int main(void) {
    struct recorder rec;
    dgp_sim *sim = start_sim();
    dgp_client *client = NULL;
    dgp_options *options = dgp_options_new();
    uint32_t state = 999;
    int at = 0, found;

    memset(&rec, 0, sizeof rec);
    InitializeCriticalSection(&rec.lock);
    InitializeConditionVariable(&rec.changed);
    rec.main_thread = GetCurrentThreadId();

    /* Callback only: the pull queue is off, nothing piles up there. */
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_queue_capacity(options, 0), DGP_OK);
    CHECK_RC(dgp_client_new(options, &client), DGP_OK);
    dgp_options_free(options);
    REQUIRE(client != NULL);
    CHECK_RC(dgp_set_event_callback(client, on_event, &rec), DGP_OK);

    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK(dgp_is_connected(client) == 1);
    CHECK(wait_kind(&rec, DGP_EVENT_CONNECTED, 0, &at) >= 0);
    CHECK(wait_kind(&rec, DGP_EVENT_GREETING, 0, &at) >= 0);

    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    CHECK(dgp_is_logged_in(client) == 1);
    CHECK(wait_kind(&rec, DGP_EVENT_LOGGED_IN, 0, &at) >= 0);
    CHECK(dgp_sim_wait_for_logins(sim, 1, WAIT_MS) == DGP_OK);

    CHECK_RC(dgp_line_select(client, 2, WAIT_MS), DGP_OK);
    CHECK(dgp_selected_line(client) == 2);
    CHECK(wait_kind(&rec, DGP_EVENT_LINE_SELECTED, 2, &at) >= 0);

    CHECK_RC(dgp_dial(client, "1002", WAIT_MS), DGP_OK);
    found = wait_kind(&rec, DGP_EVENT_DIALING, 2, &at);
    CHECK(found >= 0 && strcmp(rec.numbers[found], "1002") == 0);
    CHECK(wait_kind(&rec, DGP_EVENT_ANSWER, 2, &at) >= 0);
    CHECK_RC(dgp_line_state(client, 2, &state), DGP_OK);
    CHECK(state == DGP_LINE_CONNECTED);

    CHECK_RC(dgp_hangup(client, 0, WAIT_MS), DGP_OK);
    CHECK(wait_kind(&rec, DGP_EVENT_HANGUP, 2, &at) >= 0);
    CHECK(wait_kind(&rec, DGP_EVENT_READY, 2, &at) >= 0);
    CHECK_RC(dgp_line_state(client, 2, &state), DGP_OK);
    CHECK(state == DGP_LINE_IDLE);

    /* Logoff: DGPhone closes the connection, the client sees it end. */
    CHECK_RC(dgp_logoff(client), DGP_OK);
    CHECK(wait_kind(&rec, DGP_EVENT_DISCONNECTED, 0, &at) >= 0);

    CHECK_RC(dgp_client_free(client), DGP_OK);
    EnterCriticalSection(&rec.lock);
    CHECK(rec.count > 0);
    CHECK(rec.wrong_thread == 0);
    LeaveCriticalSection(&rec.lock);
    dgp_sim_free(sim);
    DeleteCriticalSection(&rec.lock);
    return check_finish();
}
