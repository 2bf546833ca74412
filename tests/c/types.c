/*
 * The ABI's own types, compiled with -Wconversion -Wsign-conversion (see
 * scripts/c-tests): a program that keeps every value in the type the
 * header gives it (dgp_event_kind_t, uint32_t lengths, int32_t lines...)
 * needs no cast, so a binding that mirrors the header's types is right on
 * 32- and 64-bit targets alike. Also checks that DGP_CALL callbacks fit the
 * callback typedefs, and the sizes of the typedefs themselves.
 */
#include "check.h"

#include <pthread.h>

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen_changed = PTHREAD_COND_INITIALIZER;
static uint32_t kinds_seen;

static void DGP_CALL on_event(void *user_data, const dgp_event *event) {
    dgp_event_kind_t kind = dgp_event_kind(event);
    (void)user_data;
    if (kind == DGP_EVENT_CONNECTED) {
        pthread_mutex_lock(&seen_lock);
        kinds_seen++;
        pthread_cond_broadcast(&seen_changed);
        pthread_mutex_unlock(&seen_lock);
    }
}

static void DGP_CALL on_log(void *user_data, dgp_log_level_t level, const char *message) {
    (void)user_data;
    (void)level;
    (void)message;
}

int main(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    dgp_event *event;
    dgp_line_state_t state = DGP_LINE_DISCONNECTED;
    dgp_agent_state_t agent;
    dgp_overflow_policy_t policy = 99;
    dgp_log_level_t level = 0;
    dgp_disconnect_reason_t reason;
    dgp_event_callback callback = on_event;
    dgp_log_callback log_callback = on_log;
    char number[DGP_MAX_SHORT_LEN + 1];
    char message[DGP_MAX_VALUE_LEN + 1];
    uint32_t len = 0, count, index;
    uint64_t dropped;
    int32_t line = dgp_selected_line(NULL);

    CHECK(sizeof(dgp_event_kind_t) == 4 && sizeof(dgp_line_state_t) == 4 && sizeof(dgp_result) == 4);
    CHECK(sizeof(dgp_overflow_policy_t) == 4 && sizeof(dgp_log_level_t) == 4 && sizeof(dgp_sim_login_policy_t) == 4);
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_log_callback(options, log_callback, NULL), DGP_OK);
    CHECK_RC(dgp_options_set_log_level(options, DGP_LOG_WARN), DGP_OK);
    CHECK_RC(dgp_options_get_log_level(options, &level), DGP_OK);
    CHECK(level == DGP_LOG_WARN);
    CHECK_RC(dgp_options_get_overflow_policy(options, &policy), DGP_OK);
    CHECK(policy == DGP_OVERFLOW_DROP_OLDEST);
    CHECK_RC(dgp_options_set_queue_with_callback(options, 1), DGP_OK);
    client = new_client(options);
    dgp_options_free(options);
    CHECK_RC(dgp_set_event_callback(client, callback, NULL), DGP_OK);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_OK);

    line = line + 1;
    CHECK_RC(dgp_line_state(client, line, &state), DGP_OK);
    CHECK(state == DGP_LINE_IDLE);
    CHECK_RC(dgp_line_number(client, line, number, (uint32_t)sizeof number, &len), DGP_OK);
    CHECK(len == 0);
    agent = dgp_agent_state(client);
    CHECK(agent == DGP_AGENT_LOGGED_OUT);
    dropped = dgp_dropped_events(client);
    CHECK(dropped == 0);

    CHECK_SIM(dgp_sim_incoming_call(sim, line, "5511"), DGP_OK);
    event = wait_event(client, DGP_EVENT_RECEIVING_CALL, line);
    REQUIRE(event != NULL);
    count = dgp_event_header_count(event);
    CHECK(count > 0);
    for (index = 0; index < count; index++) {
        CHECK(dgp_event_header_key(event, index) != NULL);
    }
    reason = dgp_event_disconnect_reason(event);
    CHECK(reason == DGP_DISCONNECT_NONE);
    dgp_event_free(event);

    CHECK_RC(dgp_dial(client, "", 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_last_error(message, (uint32_t)sizeof message, &len), DGP_OK);
    CHECK(len > 0 && len < DGP_MAX_VALUE_LEN);
    {
        /* The callback thread runs apart: wait (bounded) for its CONNECTED. */
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += WAIT_MS / 1000;
        pthread_mutex_lock(&seen_lock);
        while (kinds_seen == 0 && pthread_cond_timedwait(&seen_changed, &seen_lock, &deadline) == 0) {
        }
        CHECK(kinds_seen == 1);
        pthread_mutex_unlock(&seen_lock);
    }
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
    return check_finish();
}
