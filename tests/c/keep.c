/*
 * Events a binding can keep and read cheaply: dgp_event_clone keeps an
 * event from the callback past the call (read on another thread after the
 * callback returned and the library went on); dgp_event_copy writes a
 * whole event into one buffer in the documented packed layout, read here
 * through dgp_event_record; dgp_next_events takes a burst in one call.
 */
#include "check.h"

#include <pthread.h>

/* A packet with every kind of header a binding meets: repeated keys, an
 * empty value, a colon-less line, non-ASCII text. */
static const char packet[] = "Event: DGPhoneEvent\r\n"
                             "Line: 4\r\n"
                             "Status: Ringing\r\n"
                             "Number: 5511\r\n"
                             "X-Keep: caf\xc3\xa9\r\n"
                             "X-Keep: second\r\n"
                             "X-Empty:\r\n"
                             "\r\n";

static const char *const keys[] = {"Event", "Line", "Status", "Number", "X-Keep", "X-Keep", "X-Empty"};
static const char *const values[] = {"DGPhoneEvent", "4", "Ringing", "5511", "caf\xc3\xa9", "second", ""};
#define HEADERS 7

struct keeper {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    dgp_event *kept; /* the clone of the X-Keep event */
    int after;       /* events seen after it */
};

static void on_event(void *user_data, const dgp_event *event) {
    struct keeper *k = user_data;
    pthread_mutex_lock(&k->lock);
    if (k->kept == NULL && dgp_event_header(event, "X-Keep") != NULL) {
        k->kept = dgp_event_clone(event);
    } else if (k->kept != NULL) {
        k->after++;
    }
    pthread_cond_broadcast(&k->changed);
    pthread_mutex_unlock(&k->lock);
}

/* Waits until the callback saw `after` events past the kept one. */
static int keeper_wait(struct keeper *k, int after) {
    long long deadline = now_ms() + WAIT_MS;
    int reached;
    pthread_mutex_lock(&k->lock);
    while ((k->kept == NULL || k->after < after) && now_ms() < deadline) {
        struct timespec pause = {0, 5 * 1000 * 1000};
        pthread_mutex_unlock(&k->lock);
        nanosleep(&pause, NULL); /* polled: the cond's clock is not set up here */
        pthread_mutex_lock(&k->lock);
    }
    reached = k->kept != NULL && k->after >= after;
    pthread_mutex_unlock(&k->lock);
    return reached;
}

/* A record of `packet`, as dgp_event_copy and dgp_next_records write it:
 * every header in order, each string where its entry says. */
static void check_packed(const unsigned char *buffer) {
    const dgp_event_record *record = (const dgp_event_record *)(const void *)buffer;
    const dgp_event_record_header *entries;
    uint32_t i;
    CHECK(record->line == 4);
    CHECK(record->header_count == HEADERS);
    CHECK(record->headers_offset == sizeof(dgp_event_record));
    entries = (const dgp_event_record_header *)(const void *)(buffer + record->headers_offset);
    for (i = 0; i < record->header_count && i < HEADERS; i++) {
        const char *key = (const char *)buffer + entries[i].key_offset;
        const char *value = (const char *)buffer + entries[i].value_offset;
        CHECK(entries[i].value_offset + entries[i].value_len < record->size);
        CHECK(strlen(key) == entries[i].key_len);
        CHECK(strlen(value) == entries[i].value_len);
        CHECK_STR(key, keys[i]);
        CHECK_STR(value, values[i]);
    }
}

/* Every header of `event`, by the accessors and by its packed record. */
static void check_whole_event(const dgp_event *event) {
    uint32_t needed = 0;
    unsigned char *buffer;
    uint32_t i;

    CHECK(dgp_event_header_count(event) == HEADERS);
    for (i = 0; i < HEADERS; i++) {
        CHECK_STR(dgp_event_header_key(event, i), keys[i]);
        CHECK_STR(dgp_event_header_value(event, i), values[i]);
    }

    CHECK(dgp_event_copy(event, NULL, 0, &needed) == DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(needed > sizeof(dgp_event_record) + HEADERS * sizeof(dgp_event_record_header));
    buffer = malloc(needed);
    REQUIRE(buffer != NULL);
    memset(buffer, 0xAA, needed);
    CHECK(dgp_event_copy(event, buffer, needed - 1, NULL) == DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(buffer[0] == 0xAA); /* nothing written */
    CHECK(dgp_event_copy(event, buffer, needed, &needed) == DGP_OK);
    CHECK(((const dgp_event_record *)(const void *)buffer)->size == needed);
    CHECK(((const dgp_event_record *)(const void *)buffer)->kind == dgp_event_kind(event));
    check_packed(buffer);
    CHECK_STR((const char *)buffer + ((const dgp_event_record *)(const void *)buffer)->detail_offset,
              dgp_event_detail(event));
    free(buffer);
}

/* A clone taken in the callback stays valid after the callback returned,
 * after later events, and after dgp_client_free. */
static void a_clone_outlives_the_callback_and_the_client(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = new_client(NULL);
    struct keeper k;
    memset(&k, 0, sizeof k);
    pthread_mutex_init(&k.lock, NULL);
    pthread_cond_init(&k.changed, NULL);
    CHECK_RC(dgp_set_event_callback(client, on_event, &k), DGP_OK);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    CHECK_SIM(dgp_sim_send_raw(sim, (const uint8_t *)packet, sizeof packet - 1), DGP_OK);
    CHECK_RC(dgp_status(client), DGP_OK); /* later events */
    REQUIRE(keeper_wait(&k, 3));
    check_whole_event(k.kept);

    CHECK_RC(dgp_client_free(client), DGP_OK);
    check_whole_event(k.kept); /* still the caller's */
    {
        dgp_event *again = dgp_event_clone(k.kept); /* a clone of a clone */
        dgp_event_free(k.kept);
        CHECK_STR(dgp_event_header(again, "number"), "5511");
        dgp_event_free(again);
    }
    CHECK(dgp_event_clone(NULL) == NULL);
    pthread_mutex_destroy(&k.lock);
    pthread_cond_destroy(&k.changed);
    dgp_sim_free(sim);
}

static void copy_refuses_what_it_cannot_write(void) {
    uint32_t needed = 99;
    unsigned char buffer[8];
    CHECK(dgp_event_copy(NULL, buffer, sizeof buffer, &needed) == DGP_ERR_NULL_POINTER);
    CHECK(needed == 0);
}

/* One call takes a burst, oldest first; max bounds it; an empty queue
 * times out with a count of 0. */
static void next_events_takes_a_burst_in_order(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = logged_in_client(sim, NULL, "201");
    dgp_event *events[64];
    uint32_t count = 99, i, total = 0, kept_at = 99;
    long long deadline;
    dgp_event *probe = NULL;

    drain(client);
    CHECK_RC(dgp_next_events(client, events, 64, 0, &count), DGP_ERR_TIMEOUT);
    CHECK(count == 0);
    CHECK_RC(dgp_next_events(client, events, 0, 0, &count), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_next_events(client, NULL, 4, 0, &count), DGP_ERR_NULL_POINTER);
    CHECK(dgp_next_events(NULL, events, 4, 0, &count) == DGP_ERR_NULL_POINTER);

    /* Three packets in one write: they arrive as one burst. */
    {
        char three[sizeof packet * 3];
        memcpy(three, packet, sizeof packet - 1);
        memcpy(three + sizeof packet - 1, "Event: A\r\nX-N: 1\r\n\r\nEvent: B\r\nX-N: 2\r\n\r\n", 40);
        CHECK_SIM(dgp_sim_send_raw(sim, (const uint8_t *)three, sizeof packet - 1 + 40), DGP_OK);
    }
    /* max 1 takes exactly one, the first. */
    CHECK_RC(dgp_next_events(client, events, 1, WAIT_MS, &count), DGP_OK);
    CHECK(count == 1);
    if (count == 1) {
        CHECK_STR(dgp_event_header(events[0], "X-Keep"), "caf\xc3\xa9");
        check_whole_event(events[0]);
        dgp_event_free(events[0]);
    }
    /* The other two, in order, possibly over more than one call. */
    deadline = now_ms() + WAIT_MS;
    while (total < 2 && now_ms() < deadline) {
        if (dgp_next_events(client, events, 64, 100, &count) != DGP_OK) {
            continue;
        }
        for (i = 0; i < count; i++) {
            const char *n = dgp_event_header(events[i], "X-N");
            if (n != NULL) {
                CHECK_STR(n, total == 0 ? "1" : "2");
                kept_at = total;
                total++;
            }
            dgp_event_free(events[i]);
        }
    }
    CHECK(total == 2 && kept_at == 1);
    CHECK_RC(dgp_next_event(client, 0, &probe), DGP_ERR_TIMEOUT);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

/* dgp_next_records packs a burst into one buffer, 8-byte aligned, and
 * leaves what does not fit queued, losing nothing. */
#define BURST 20
static void next_records_packs_a_burst(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    struct keeper k = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0};
    static uint64_t big[8192]; /* 64 KiB, 8-byte aligned */
    uint64_t small[1];
    char burst[(sizeof packet - 1) * BURST];
    uint32_t count = 99, used = 99, one = 0, i, got = 0, calls = 0;
    long long deadline;

    /* The callback tells when the whole burst is queued (each event is
     * queued before its callback runs). */
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_queue_with_callback(options, 1), DGP_OK);
    client = logged_in_client(sim, options, "201");
    dgp_options_free(options);
    drain(client);
    CHECK_RC(dgp_set_event_callback(client, on_event, &k), DGP_OK);
    CHECK_RC(dgp_next_records(client, (uint8_t *)big, sizeof big, 0, &count, &used), DGP_ERR_TIMEOUT);
    CHECK(count == 0 && used == 0);
    CHECK_RC(dgp_next_records(client, NULL, 64, 0, &count, &used), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_next_records(client, (uint8_t *)big, sizeof big, 0, NULL, &used), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_next_records(client, (uint8_t *)big, sizeof big, 0, &count, NULL), DGP_ERR_NULL_POINTER);
    CHECK(dgp_next_records(NULL, (uint8_t *)big, sizeof big, 0, &count, &used) == DGP_ERR_NULL_POINTER);

    for (i = 0; i < BURST; i++) {
        memcpy(burst + i * (sizeof packet - 1), packet, sizeof packet - 1);
    }
    CHECK_SIM(dgp_sim_send_raw(sim, (const uint8_t *)burst, sizeof burst), DGP_OK);
    REQUIRE(keeper_wait(&k, BURST - 1));
    /* The first does not fit in 8 bytes: nothing taken, its size told. */
    CHECK_RC(dgp_next_records(client, (uint8_t *)small, sizeof small, WAIT_MS, &count, &one), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(count == 0);
    CHECK(one > sizeof(dgp_event_record) + HEADERS * sizeof(dgp_event_record_header));
    CHECK(contains(last_error(), "needs"));
    /* Room for two and a half records, rounded as they are packed: two. */
    {
        uint32_t second = (one + 7) & ~7u;
        CHECK_RC(dgp_next_records(client, (uint8_t *)big, second + one + one / 2, WAIT_MS, &count, &used), DGP_OK);
        CHECK(count == 2);
        CHECK(used == second + one);
        check_packed((const unsigned char *)big);
        check_packed((const unsigned char *)big + second);
        got += count;
    }
    /* The rest: all queued, so they fit in one call; more only if not. */
    deadline = now_ms() + WAIT_MS;
    while (got < BURST && now_ms() < deadline) {
        uint32_t offset = 0, end = 0;
        if (dgp_next_records(client, (uint8_t *)big, sizeof big, 100, &count, &used) != DGP_OK) {
            continue;
        }
        calls++;
        for (i = 0; i < count; i++) {
            const dgp_event_record *record = (const dgp_event_record *)(const void *)((const unsigned char *)big + offset);
            CHECK(offset % 8 == 0);
            CHECK(record->size == one);
            check_packed((const unsigned char *)big + offset);
            end = offset + record->size;
            offset = (end + 7) & ~7u;
        }
        CHECK(used == end); /* the end of the last record */
        got += count;
    }
    CHECK(got == BURST);
    CHECK(calls == 1);
    CHECK(dgp_dropped_events(client) == 0);
    CHECK_RC(dgp_next_records(client, (uint8_t *)big, sizeof big, 0, &count, &used), DGP_ERR_TIMEOUT);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_event_free(k.kept);
    dgp_sim_free(sim);
}

/* The callback thread's stack: 128 KiB unless asked, at least 64 KiB. */
static uint32_t stack_of(const dgp_options *options) {
    uint32_t bytes = 0;
    CHECK_RC(dgp_options_get_callback_stack_size(options, &bytes), DGP_OK);
    return bytes;
}

static void callback_stack_is_an_option(void) {
    dgp_options *options = dgp_options_new();
    uint32_t bytes = 0;
    REQUIRE(options != NULL);
    CHECK(stack_of(options) == 131072);
    CHECK(dgp_options_set_callback_stack_size(options, 4096) == DGP_ERR_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "callback_stack_size"));
    CHECK(stack_of(options) == 131072);
    CHECK(dgp_options_set_callback_stack_size(options, 1u << 20) == DGP_OK);
    CHECK(stack_of(options) == 1u << 20);
    CHECK(dgp_options_set_callback_stack_size(NULL, 1u << 20) == DGP_ERR_NULL_POINTER);
    CHECK(dgp_options_get_callback_stack_size(NULL, &bytes) == DGP_ERR_NULL_POINTER);
    dgp_options_free(options);
}

int main(void) {
    callback_stack_is_an_option();
    a_clone_outlives_the_callback_and_the_client();
    copy_refuses_what_it_cannot_write();
    next_events_takes_a_burst_in_order();
    next_records_packs_a_burst();
    return check_finish();
}
