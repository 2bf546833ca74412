/*
 * Event delivery through the C API: the pull queue (with and without a
 * timeout, overflow reports, turned off, empty beside a callback unless
 * asked), waiting on dgp_notify_fd() with poll(), the callback (which
 * thread, what may be called inside it: commands work, blocking calls and
 * dgp_client_free are refused with DGP_ERR_WOULD_DEADLOCK), removing it, a
 * slow callback that must not stall login, a hung connect called off by
 * dgp_cancel and dgp_disconnect, dgp_client_free during a slow callback,
 * and dgp_client_free from the main thread while the simulator floods the
 * client with events.
 */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

/* What a callback saw, guarded by its own lock; the main thread waits on
 * `changed` with a deadline. */
struct recorder {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    dgp_client *client;
    pthread_t main_thread;
    int events;
    int on_other_thread;
    int answers;         /* Answer events */
    int answered_inside; /* dgp_answer(..., 0) from inside returned OK */
    int refused;         /* blocking calls refused inside, as they must be */
    int refusals_tried;
    uint32_t state_inside; /* dgp_line_state of the ringing line, inside */
    char free_message[256];
};

static void recorder_init(struct recorder *r, dgp_client *client) {
    pthread_condattr_t attr;
    memset(r, 0, sizeof *r);
    r->client = client;
    r->main_thread = pthread_self();
    r->state_inside = 999;
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->changed, &attr);
    pthread_condattr_destroy(&attr);
}

static void recorder_destroy(struct recorder *r) {
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
}

/* Waits until `*counter` reaches `target` (read under the lock), at most
 * WAIT_MS. Returns whether it did. */
static int recorder_wait(struct recorder *r, const int *counter, int target) {
    struct timespec deadline;
    int reached;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&r->lock);
    while (*counter < target) {
        if (pthread_cond_timedwait(&r->changed, &r->lock, &deadline) != 0) {
            break;
        }
    }
    reached = *counter >= target;
    pthread_mutex_unlock(&r->lock);
    return reached;
}

static void refuse_counted(struct recorder *r, dgp_result got) {
    r->refusals_tried++;
    r->refused += got == DGP_ERR_WOULD_DEADLOCK;
}

/* Answers a ringing call from inside the callback, and tries every call
 * that would wait for this very thread. */
static void DGP_CALL on_event(void *user_data, const dgp_event *event) {
    struct recorder *r = user_data;
    dgp_client *client = r->client;
    uint32_t kind = dgp_event_kind(event);
    pthread_mutex_lock(&r->lock);
    r->events++;
    r->on_other_thread += !pthread_equal(pthread_self(), r->main_thread);
    if (kind == DGP_EVENT_RECEIVING_CALL) {
        int32_t line = dgp_event_line(event);
        /* The state already includes the event being delivered. */
        dgp_line_state(client, line, &r->state_inside);
        refuse_counted(r, dgp_answer(client, line, WAIT_MS));
        refuse_counted(r, dgp_login(client, "201"));
        refuse_counted(r, dgp_connect(client, "127.0.0.1", 5038));
        refuse_counted(r, dgp_set_event_callback(client, NULL, NULL));
        refuse_counted(r, dgp_login_agent(client, NULL, "4001", "1234", 1, 100));
        refuse_counted(r, dgp_client_free(client));
        dgp_last_error(r->free_message, sizeof r->free_message, NULL);
        {
            dgp_event *taken = (dgp_event *)&taken;
            /* A wait for queued events would wait for this very thread. */
            refuse_counted(r, dgp_next_event(client, WAIT_MS, &taken));
            r->refused -= taken != NULL; /* and *out must be NULL */
        }
        r->answered_inside += dgp_answer(client, line, 0) == DGP_OK;
    }
    if (kind == DGP_EVENT_ANSWER) {
        r->answers++;
    }
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static void callback_answers_an_incoming_call(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = new_client(NULL);
    struct recorder r;
    dgp_event *event = NULL;
    int events_then;
    recorder_init(&r, client);
    CHECK_RC(dgp_set_event_callback(client, on_event, &r), DGP_OK);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    CHECK_SIM(dgp_sim_incoming_call(sim, 4, "5511"), DGP_OK);

    CHECK(recorder_wait(&r, &r.answers, 1));
    pthread_mutex_lock(&r.lock);
    CHECK(r.answered_inside == 1);
    CHECK(r.refusals_tried == 7 && r.refused == 7);
    CHECK(r.state_inside == DGP_LINE_OFFERING);
    CHECK(contains(r.free_message, "inside the event callback"));
    CHECK(r.on_other_thread == r.events); /* always the callback thread */
    pthread_mutex_unlock(&r.lock);

    /* The refused free left the client whole: it still works. */
    CHECK_RC(dgp_hangup(client, 4, WAIT_MS), DGP_OK);
    /* With a callback set, the queue collects nothing unless asked
     * (dgp_options_set_queue_with_callback): nothing waits, nothing lost. */
    CHECK_RC(dgp_next_event(client, 0, &event), DGP_ERR_TIMEOUT);
    CHECK(dgp_dropped_events(client) == 0);

    /* Once removed, the callback sees no later event. */
    CHECK_RC(dgp_set_event_callback(client, NULL, NULL), DGP_OK);
    pthread_mutex_lock(&r.lock);
    events_then = r.events;
    pthread_mutex_unlock(&r.lock);
    CHECK_RC(dgp_status(client), DGP_OK);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_READY, 6));
    pthread_mutex_lock(&r.lock);
    CHECK(r.events == events_then);
    pthread_mutex_unlock(&r.lock);

    CHECK_RC(dgp_client_free(client), DGP_OK);
    recorder_destroy(&r);
    dgp_sim_free(sim);
}

static void pull_with_and_without_timeout(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = logged_in_client(sim, NULL, "201");
    dgp_event *event = (dgp_event *)&event;
    long long started;
    drain(client);
    CHECK_RC(dgp_next_event(client, 0, &event), DGP_ERR_TIMEOUT);
    CHECK(event == NULL);
    started = now_ms();
    CHECK_RC(dgp_next_event(client, 50, &event), DGP_ERR_TIMEOUT);
    CHECK(now_ms() - started >= 49);
    CHECK(event == NULL);
    /* An event arriving during the wait ends it. */
    CHECK_SIM(dgp_sim_incoming_call(sim, 1, "100"), DGP_OK);
    CHECK_RC(dgp_next_event(client, WAIT_MS, &event), DGP_OK);
    CHECK(dgp_event_kind(event) == DGP_EVENT_RECEIVING_CALL);
    dgp_event_free(event);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

static int readable(int fd, int timeout_ms) {
    struct pollfd p;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* The event-loop pattern: poll() the descriptor, then take without waiting. */
static dgp_event *poll_next(dgp_client *client, int fd) {
    dgp_event *event = NULL;
    if (!readable(fd, (int)WAIT_MS)) {
        return NULL;
    }
    dgp_next_event(client, 0, &event);
    return event;
}

static void notify_fd_with_poll(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = logged_in_client(sim, NULL, "201");
    int fd = dgp_notify_fd(client);
    dgp_event *event;
    CHECK(fd >= 0);
    CHECK(dgp_notify_fd(client) == fd);
    drain(client);
    CHECK(!readable(fd, 0));

    CHECK_SIM(dgp_sim_incoming_call(sim, 2, "3003"), DGP_OK);
    event = poll_next(client, fd);
    CHECK(dgp_event_kind(event) == DGP_EVENT_RECEIVING_CALL);
    CHECK_STR(dgp_event_number(event), "3003");
    dgp_event_free(event);
    CHECK(!readable(fd, 0)); /* empty again */

    /* Two events (Hangup, Ready): readable until both are taken. */
    CHECK_SIM(dgp_sim_far_end_hangup(sim, 2), DGP_OK);
    event = poll_next(client, fd);
    CHECK(dgp_event_kind(event) == DGP_EVENT_HANGUP);
    dgp_event_free(event);
    event = poll_next(client, fd);
    CHECK(dgp_event_kind(event) == DGP_EVENT_READY);
    dgp_event_free(event);
    CHECK(!readable(fd, 0));
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

/* Ten keep-alive packets in one write. */
static const char timestamps[] =
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:00\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:01\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:02\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:03\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:04\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:05\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:06\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:07\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:08\r\n\r\n"
    "Event: DGTimeStamp\r\nTime: 2024-01-01 10:00:09\r\n\r\n";

static dgp_result send_timestamps(dgp_sim *sim) {
    return dgp_sim_send_raw(sim, (const uint8_t *)timestamps, sizeof timestamps - 1);
}

/* Counts LineSelected events (in `events`). */
static void DGP_CALL on_line_selected(void *user_data, const dgp_event *event) {
    struct recorder *r = user_data;
    pthread_mutex_lock(&r->lock);
    r->events += dgp_event_kind(event) == DGP_EVENT_LINE_SELECTED;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static void overflow_is_reported_first(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    dgp_event *event = NULL;
    struct recorder r;
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_queue_capacity(options, 4), DGP_OK);
    CHECK_RC(dgp_options_set_queue_with_callback(options, 1), DGP_OK);
    client = logged_in_client(sim, options, "201");
    dgp_options_free(options);
    recorder_init(&r, client);
    CHECK_RC(dgp_set_event_callback(client, on_line_selected, &r), DGP_OK);
    drain(client);
    CHECK_RC(send_timestamps(sim), DGP_OK);
    CHECK_RC(dgp_line_select(client, 1, WAIT_MS), DGP_OK);
    /* Each event is queued before its callback runs: once the callback has
     * seen LineSelected, all 11 events went into the queue of 4. */
    CHECK(recorder_wait(&r, &r.events, 1));
    CHECK(dgp_dropped_events(client) == 7);
    CHECK_RC(dgp_next_event(client, 0, &event), DGP_OK);
    CHECK(dgp_event_kind(event) == DGP_EVENT_OVERFLOW);
    CHECK(dgp_event_dropped(event) == 7);
    dgp_event_free(event);
    CHECK_RC(dgp_next_event(client, 0, &event), DGP_OK);
    CHECK(dgp_event_kind(event) == DGP_EVENT_TIMESTAMP);
    CHECK_STR(dgp_event_time(event), "2024-01-01 10:00:07"); /* the oldest kept */
    dgp_event_free(event);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_LINE_SELECTED, 1));
    CHECK_RC(dgp_client_free(client), DGP_OK);
    recorder_destroy(&r);
    dgp_sim_free(sim);
}

static void queue_turned_off(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    dgp_event *event = NULL;
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_queue_capacity(options, 0), DGP_OK);
    client = new_client(options);
    dgp_options_free(options);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    CHECK_RC(dgp_next_event(client, 0, &event), DGP_ERR_TIMEOUT);
    CHECK(dgp_dropped_events(client) == 0);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

/* The flood: a thread that keeps writing timestamps to every client,
 * counting its writes in `progress.events`, until it has made `until`
 * (once that is set, under the lock). It ends by itself rather than
 * when told: after the free it writes to nobody, so it never blocks, and
 * under valgrind, which runs one thread at a time, a thread that never
 * blocks can starve the one that would tell it to stop. */
struct flood {
    dgp_sim *sim;
    struct recorder progress;
    int until; /* 0: not yet known */
};

static void *flood_run(void *arg) {
    struct flood *f = arg;
    int done = 0;
    while (!done) {
        send_timestamps(f->sim);
        pthread_mutex_lock(&f->progress.lock);
        f->progress.events++;
        done = f->until != 0 && f->progress.events >= f->until;
        pthread_cond_broadcast(&f->progress.changed);
        pthread_mutex_unlock(&f->progress.lock);
    }
    return NULL;
}

/* Counts callbacks, and any that runs after dgp_client_free returned. */
struct flood_counter {
    struct recorder r;
    atomic_int freed;
    atomic_int late;
};

static void DGP_CALL on_flood_event(void *user_data, const dgp_event *event) {
    struct flood_counter *c = user_data;
    (void)event;
    if (atomic_load(&c->freed)) {
        atomic_fetch_add(&c->late, 1);
    }
    pthread_mutex_lock(&c->r.lock);
    c->r.events++;
    pthread_cond_broadcast(&c->r.changed);
    pthread_mutex_unlock(&c->r.lock);
}

/* Frees from the main thread while events pour in; with a callback, no
 * callback may run once free has returned. DGP_OVERFLOW_BLOCK with nobody
 * pulling leaves the reader blocked on a full queue when free comes (the
 * queue is asked for beside the callback, so that it fills there too). */
static void free_while_flooded(int with_callback, uint32_t capacity, uint32_t policy) {
    dgp_sim *sim = start_sim(NULL);
    dgp_options *options = dgp_options_new();
    struct flood flood;
    struct flood_counter counter;
    dgp_client *client;
    pthread_t thread;
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_queue_capacity(options, capacity), DGP_OK);
    CHECK_RC(dgp_options_set_overflow_policy(options, policy), DGP_OK);
    CHECK_RC(dgp_options_set_queue_with_callback(options, with_callback), DGP_OK);
    client = logged_in_client(sim, options, "201");
    dgp_options_free(options);
    recorder_init(&counter.r, client);
    atomic_init(&counter.freed, 0);
    atomic_init(&counter.late, 0);
    if (with_callback) {
        CHECK_RC(dgp_set_event_callback(client, on_flood_event, &counter), DGP_OK);
    }
    flood.sim = sim;
    recorder_init(&flood.progress, NULL);
    flood.until = 0;
    REQUIRE(pthread_create(&thread, NULL, flood_run, &flood) == 0);

    if (with_callback) {
        CHECK(recorder_wait(&counter.r, &counter.r.events, 10)); /* the flood is on */
    } else {
        dgp_event *event = wait_event(client, DGP_EVENT_TIMESTAMP, 0);
        CHECK(event != NULL);
        dgp_event_free(event);
    }
    CHECK_RC(dgp_client_free(client), DGP_OK);
    atomic_store(&counter.freed, 1);
    /* Give a late callback every chance: let the flood go on a while. */
    pthread_mutex_lock(&flood.progress.lock);
    flood.until = flood.progress.events + 5;
    pthread_mutex_unlock(&flood.progress.lock);
    pthread_join(thread, NULL);
    CHECK(atomic_load(&counter.late) == 0);
    recorder_destroy(&counter.r);
    recorder_destroy(&flood.progress);
    dgp_sim_free(sim);
}

/* Sleeps longer than the command timeout on CONNECTED, as a Delphi
 * callback in TThread.Synchronize or a Python one waiting for the GIL may;
 * counts LOGGED_IN. */
static void DGP_CALL on_connected_sleep(void *user_data, const dgp_event *event) {
    struct recorder *r = user_data;
    uint32_t kind = dgp_event_kind(event);
    if (kind == DGP_EVENT_CONNECTED) {
        struct timespec pause = {1, 500000000L};
        nanosleep(&pause, NULL);
    }
    pthread_mutex_lock(&r->lock);
    r->events += kind == DGP_EVENT_LOGGED_IN;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static void slow_callback_does_not_stall_login(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    struct recorder r;
    long long started;
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_command_timeout_ms(options, 1000), DGP_OK);
    client = new_client(options);
    dgp_options_free(options);
    recorder_init(&r, client);
    CHECK_RC(dgp_set_event_callback(client, on_connected_sleep, &r), DGP_OK);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    started = now_ms();
    /* Settled by the reader while the callback still sleeps. */
    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    CHECK(now_ms() - started < 1000);
    CHECK(dgp_is_logged_in(client) == 1);
    /* LOGGED_IN reaches the callback once CONNECTED's returns. */
    CHECK(recorder_wait(&r, &r.events, 1));
    CHECK_RC(dgp_client_free(client), DGP_OK);
    recorder_destroy(&r);
    dgp_sim_free(sim);
}

/* Sleeps 300 ms on every TIMESTAMP; counts every callback (`events`) and
 * DISCONNECTED ones (`answers`, reused). */
static void DGP_CALL on_timestamp_sleep(void *user_data, const dgp_event *event) {
    struct recorder *r = user_data;
    uint32_t kind = dgp_event_kind(event);
    pthread_mutex_lock(&r->lock);
    r->events++;
    r->answers += kind == DGP_EVENT_DISCONNECTED;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    if (kind == DGP_EVENT_TIMESTAMP) {
        struct timespec pause = {0, 300000000L};
        nanosleep(&pause, NULL);
    }
}

/* dgp_client_free while a slow callback runs, ten more waiting: it waits
 * for the running one only, and no DISCONNECTED callback follows. */
static void free_waits_only_for_the_running_callback(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = logged_in_client(sim, NULL, "201");
    struct recorder r;
    long long started;
    recorder_init(&r, client);
    CHECK_RC(dgp_set_event_callback(client, on_timestamp_sleep, &r), DGP_OK);
    CHECK_RC(send_timestamps(sim), DGP_OK);
    CHECK(recorder_wait(&r, &r.events, 1)); /* the first one sleeps */
    /* Confirmed by the reader: all ten were read before it. */
    CHECK_RC(dgp_line_select(client, 1, WAIT_MS), DGP_OK);
    started = now_ms();
    CHECK_RC(dgp_client_free(client), DGP_OK);
    CHECK(now_ms() - started < 600);
    pthread_mutex_lock(&r.lock);
    CHECK(r.events == 1);
    CHECK(r.answers == 0);
    pthread_mutex_unlock(&r.lock);
    recorder_destroy(&r);
    dgp_sim_free(sim);
}

/* Holds the callback thread on its first event until `released`; records
 * OVERFLOW reports (sum in `answers`), other events (`events`), and
 * LINE_SELECTED (`refused`, reused as the marker count). */
struct held {
    struct recorder r;
    int first_seen;
    int released;
    uint64_t reported;
};

static void DGP_CALL on_held(void *user_data, const dgp_event *event) {
    struct held *h = user_data;
    uint32_t kind = dgp_event_kind(event);
    pthread_mutex_lock(&h->r.lock);
    if (kind == DGP_EVENT_OVERFLOW) {
        h->reported += dgp_event_dropped(event);
    } else {
        h->r.events++;
    }
    h->r.refused += kind == DGP_EVENT_LINE_SELECTED;
    if (!h->first_seen) {
        h->first_seen = 1;
        pthread_cond_broadcast(&h->r.changed);
        while (!h->released) {
            pthread_cond_wait(&h->r.changed, &h->r.lock);
        }
    }
    pthread_cond_broadcast(&h->r.changed);
    pthread_mutex_unlock(&h->r.lock);
}

/* A callback that falls behind: its backlog of 4 overflows while it is
 * held; every loss is counted and reported to it as DGP_EVENT_OVERFLOW,
 * and the queue (not asked for) collects nothing. */
static void slow_callback_backlog_overflow_is_reported(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    dgp_event *event = NULL;
    struct held h;
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_delivery_backlog(options, 4), DGP_OK);
    client = new_client(options);
    dgp_options_free(options);
    memset(&h, 0, sizeof h);
    recorder_init(&h.r, client);
    CHECK_RC(dgp_set_event_callback(client, on_held, &h), DGP_OK);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_OK); /* settled while held */
    CHECK(recorder_wait(&h.r, &h.first_seen, 1));
    CHECK_RC(send_timestamps(sim), DGP_OK);
    CHECK_RC(dgp_line_select(client, 1, WAIT_MS), DGP_OK); /* all read */
    pthread_mutex_lock(&h.r.lock);
    h.released = 1;
    pthread_cond_broadcast(&h.r.changed);
    pthread_mutex_unlock(&h.r.lock);
    CHECK(recorder_wait(&h.r, &h.r.refused, 1));
    pthread_mutex_lock(&h.r.lock);
    CHECK(dgp_dropped_events(client) >= 6);
    CHECK(h.reported == dgp_dropped_events(client));
    pthread_mutex_unlock(&h.r.lock);
    CHECK_RC(dgp_next_event(client, 0, &event), DGP_ERR_TIMEOUT);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    recorder_destroy(&h.r);
    dgp_sim_free(sim);
}

/* dgp_cancel from another thread: a thread blocked in dgp_login (DGPhone
 * never answers) and one blocked in each pull (nothing queued) all
 * return promptly with DGP_ERR_CANCELLED, long before their timeouts; a
 * call started after the cancel waits as usual. */
static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;
static int calls_done;

struct blocked_call {
    dgp_client *client;
    int which; /* 0: login, 1: next_event, 2: next_events, 3: next_records */
    dgp_result rc;
    long long took_ms;
};

static void *call_and_block(void *arg) {
    struct blocked_call *call = arg;
    long long started = now_ms();
    if (call->which == 0) {
        call->rc = dgp_login(call->client, "201");
    } else if (call->which == 1) {
        dgp_event *event = NULL;
        call->rc = dgp_next_event(call->client, 20000, &event);
        dgp_event_free(event);
    } else if (call->which == 2) {
        dgp_event *events[4];
        uint32_t count = 99;
        call->rc = dgp_next_events(call->client, events, 4, 20000, &count);
        if (count != 0) {
            call->rc = DGP_ERR_INTERNAL; /* nothing was queued */
        }
    } else {
        uint64_t buffer[64];
        uint32_t count = 99, used = 99;
        call->rc = dgp_next_records(call->client, (uint8_t *)buffer, sizeof buffer, 20000, &count, &used);
        if (count != 0 || used != 0) {
            call->rc = DGP_ERR_INTERNAL;
        }
    }
    call->took_ms = now_ms() - started;
    pthread_mutex_lock(&calls_lock);
    calls_done++;
    pthread_mutex_unlock(&calls_lock);
    return NULL;
}

static void cancel_from_another_thread(void) {
    dgp_sim *sim = start_sim_with_login(DGP_SIM_LOGIN_IGNORE, NULL);
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    dgp_event *event = NULL;
    struct blocked_call calls[4];
    pthread_t threads[4];
    int i;
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_command_timeout_ms(options, 20000), DGP_OK);
    client = new_client(options);
    dgp_options_free(options);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    event = wait_event(client, DGP_EVENT_GREETING, 0); /* the last event before the login */
    REQUIRE(event != NULL);
    dgp_event_free(event);
    for (i = 0; i < 4; i++) {
        calls[i].client = client;
        calls[i].which = i;
        calls[i].rc = DGP_OK;
        REQUIRE(pthread_create(&threads[i], NULL, call_and_block, &calls[i]) == 0);
    }
    CHECK_SIM(dgp_sim_wait_for_command(sim, "Login", WAIT_MS), DGP_OK); /* the login is waiting */
    /* A cancel reaches the calls in progress only, and a pull may not
     * have started yet: cancel until all have returned, well before
     * their 20 s timeouts. */
    for (;;) {
        int done;
        CHECK_RC(dgp_cancel(client), DGP_OK);
        pthread_mutex_lock(&calls_lock);
        done = calls_done;
        pthread_mutex_unlock(&calls_lock);
        if (done == 4) {
            break;
        }
        {
            struct timespec pause = {0, 50 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    for (i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK_RC(calls[i].rc, DGP_ERR_CANCELLED);
        CHECK(calls[i].took_ms < 5000);
    }
    CHECK(strcmp(dgp_result_str(DGP_ERR_CANCELLED), "cancelled") == 0);
    /* A later call is not cancelled by the earlier dgp_cancel. */
    CHECK_RC(dgp_next_event(client, 50, &event), DGP_ERR_TIMEOUT);
    CHECK_RC(dgp_cancel(NULL), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

/* A connect to a DGPhone that does not answer, called off from another
 * thread by dgp_cancel and by dgp_disconnect: it returns
 * DGP_ERR_CANCELLED long before its 60 s connect timeout, and the client
 * stays disconnected. The DGPhone is a listener with room for one waiting
 * connection and that room taken: the kernel drops the SYN. */
struct hung_connect {
    dgp_client *client;
    uint16_t port;
    dgp_result rc;
    atomic_int done;
};

static void *connect_and_hang(void *arg) {
    struct hung_connect *call = arg;
    call->rc = dgp_connect(call->client, "127.0.0.1", call->port);
    atomic_store(&call->done, 1);
    return NULL;
}

static void connect_called_off(int by_disconnect) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int listener = socket(AF_INET, SOCK_STREAM, 0), filler = socket(AF_INET, SOCK_STREAM, 0);
    dgp_options *options = dgp_options_new();
    struct hung_connect call;
    pthread_t thread;
    REQUIRE(listener >= 0 && filler >= 0 && options != NULL);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0);
    REQUIRE(listen(listener, 0) == 0); /* room for one on Linux */
    REQUIRE(getsockname(listener, (struct sockaddr *)&addr, &len) == 0);
    REQUIRE(connect(filler, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK_RC(dgp_options_set_connect_timeout_ms(options, 60000), DGP_OK);
    call.client = new_client(options);
    dgp_options_free(options);
    call.port = ntohs(addr.sin_port);
    call.rc = DGP_OK;
    atomic_init(&call.done, 0);
    REQUIRE(pthread_create(&thread, NULL, connect_and_hang, &call) == 0);
    /* The first calls may come before the connect has started. */
    while (!atomic_load(&call.done)) {
        struct timespec pause = {0, 20 * 1000 * 1000};
        if (by_disconnect) {
            CHECK_RC(dgp_disconnect(call.client), DGP_OK);
        } else {
            CHECK_RC(dgp_cancel(call.client), DGP_OK);
        }
        nanosleep(&pause, NULL);
    }
    pthread_join(thread, NULL);
    CHECK_RC(call.rc, DGP_ERR_CANCELLED);
    CHECK(dgp_is_connected(call.client) == 0);
    CHECK_RC(dgp_client_free(call.client), DGP_OK);
    close(filler);
    close(listener);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    int round;
    callback_answers_an_incoming_call();
    pull_with_and_without_timeout();
    notify_fd_with_poll();
    overflow_is_reported_first();
    queue_turned_off();
    cancel_from_another_thread();
    connect_called_off(0);
    connect_called_off(1);
    slow_callback_does_not_stall_login();
    free_waits_only_for_the_running_callback();
    slow_callback_backlog_overflow_is_reported();
    for (round = 0; round < rounds; round++) {
        free_while_flooded(1, 4096, DGP_OVERFLOW_DROP_OLDEST);
        free_while_flooded(1, 16, DGP_OVERFLOW_BLOCK);
        free_while_flooded(0, 64, DGP_OVERFLOW_DROP_OLDEST);
        free_while_flooded(0, 8, DGP_OVERFLOW_BLOCK);
    }
    return check_finish();
}
