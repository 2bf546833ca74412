/*
 * Call flows through the C API against the in-process simulator: connect,
 * login, line select, dial with confirmation, hold and resume, DTMF both
 * ways, hangup, an incoming call answered and ended by the far end; the
 * state queries with the caller-buffer convention; event accessors; the
 * field-seen extras; version macros and result strings.
 */
#include "check.h"

static void version_macros_match_the_library(void) {
    char text[32];
    uint32_t header = ((uint32_t)DGP_VERSION_MAJOR << 16) | ((uint32_t)DGP_VERSION_MINOR << 8) | DGP_VERSION_PATCH;
    CHECK(dgp_version_number() == header);
    snprintf(text, sizeof text, "%d.%d.%d", DGP_VERSION_MAJOR, DGP_VERSION_MINOR, DGP_VERSION_PATCH);
    CHECK_STR(dgp_version(), text);
}

static void every_result_code_has_a_description(void) {
    const dgp_result codes[] = {
        DGP_OK,           DGP_ERR_INVALID_ARGUMENT, DGP_ERR_NULL_POINTER,    DGP_ERR_NOT_UTF8,
        DGP_ERR_NOT_CONNECTED, DGP_ERR_ALREADY_CONNECTED, DGP_ERR_CONNECT,  DGP_ERR_LOGIN_REJECTED,
        DGP_ERR_COMMAND_FAILED, DGP_ERR_TIMEOUT,  DGP_ERR_CONNECTION_LOST, DGP_ERR_WOULD_DEADLOCK,
        DGP_ERR_NO_CONFIRMATION, DGP_ERR_BUFFER_TOO_SMALL, DGP_ERR_INTERNAL, DGP_ERR_RESOURCE,
        DGP_ERR_SCENARIO_FAILED, DGP_ERR_NOT_LOGGED_IN, DGP_ERR_ALREADY_LOGGED_IN, DGP_ERR_CANCELLED,
    };
    const size_t count = sizeof codes / sizeof codes[0];
    const char *unknown = dgp_result_str(9999);
    size_t i, j;
    CHECK_STR(unknown, "unknown result code");
    CHECK_STR(dgp_result_str(DGP_OK), "ok");
    for (i = 0; i < count; i++) {
        const char *text = dgp_result_str(codes[i]);
        /* Codes are append-only from 0: the list above is all of them. */
        CHECK(codes[i] == i);
        CHECK(text != NULL && text[0] != '\0' && strcmp(text, unknown) != 0);
        CHECK(text == dgp_result_str(codes[i])); /* static, not rebuilt per call */
        for (j = 0; j < i; j++) {
            CHECK(strcmp(text, dgp_result_str(codes[j])) != 0);
        }
    }
    CHECK_STR(dgp_result_str((dgp_result)count), "unknown result code");
    CHECK_STR(dgp_result_str(UINT32_MAX), "unknown result code");
}

static uint32_t line_state(const dgp_client *client, int32_t line) {
    uint32_t state = 999;
    CHECK_RC(dgp_line_state(client, line, &state), DGP_OK);
    return state;
}

/* The other party's number on `line`, through a buffer big enough. */
static const char *line_number(const dgp_client *client, int32_t line) {
    static char number[128];
    strcpy(number, "(unset)");
    CHECK_RC(dgp_line_number(client, line, number, sizeof number, NULL), DGP_OK);
    return number;
}

static void connect_and_login(dgp_sim *sim, dgp_client *client) {
    dgp_event *event;
    char expected_peer[64];
    CHECK(dgp_is_connected(client) == 0);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK(dgp_is_connected(client) == 1);
    CHECK(dgp_is_logged_in(client) == 0);

    event = wait_event(client, DGP_EVENT_CONNECTED, 0);
    snprintf(expected_peer, sizeof expected_peer, "127.0.0.1:%u", (unsigned)dgp_sim_port(sim));
    CHECK_STR(dgp_event_detail(event), expected_peer);
    CHECK(dgp_event_header_count(event) == 0); /* a lifecycle event has no packet */
    dgp_event_free(event);
    event = wait_event(client, DGP_EVENT_GREETING, 0);
    CHECK(event != NULL && dgp_event_detail(event)[0] != '\0');
    dgp_event_free(event);

    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    CHECK(dgp_is_logged_in(client) == 1);
    event = wait_event(client, DGP_EVENT_RESPONSE, 0);
    CHECK(dgp_event_success(event) == 1);
    CHECK_STR(dgp_event_header(event, "command"), "Login"); /* keys match in any case */
    CHECK_STR(dgp_event_user(event), "201");
    CHECK(dgp_event_message(event) != NULL);
    dgp_event_free(event);
    event = wait_event(client, DGP_EVENT_LOGGED_IN, 0);
    CHECK_STR(dgp_event_detail(event), "201");
    dgp_event_free(event);
    CHECK_SIM(dgp_sim_wait_for_logins(sim, 1, WAIT_MS), DGP_OK);
}

/* The caller-buffer convention, on the number of a call from "1002". */
static void line_number_buffer_convention(const dgp_client *client, int32_t line) {
    char small[4] = "zzz";
    char exact[5];
    uint32_t len = 999;
    CHECK_RC(dgp_line_number(client, line, NULL, 0, &len), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 4); /* the length without the NUL */
    len = 999;
    CHECK_RC(dgp_line_number(client, line, small, sizeof small, &len), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 4);
    CHECK_STR(small, "zzz"); /* nothing written when it does not fit */
    CHECK(contains(last_error(), "5 bytes"));
    len = 999;
    CHECK_RC(dgp_line_number(client, line, exact, sizeof exact, &len), DGP_OK);
    CHECK(len == 4);
    CHECK_STR(exact, "1002");
    CHECK_RC(dgp_line_number(client, line, exact, sizeof exact, NULL), DGP_OK);
}

static void outgoing_call(dgp_sim *sim, dgp_client *client) {
    dgp_event *event;
    size_t before;
    CHECK_RC(dgp_line_select(client, 2, WAIT_MS), DGP_OK);
    CHECK(dgp_selected_line(client) == 2);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_LINE_SELECTED, 2));

    CHECK(line_state(client, 2) == DGP_LINE_IDLE);
    CHECK_RC(dgp_dial(client, "1002", WAIT_MS), DGP_OK);
    event = wait_event(client, DGP_EVENT_DIALING, 2);
    CHECK_STR(dgp_event_number(event), "1002");
    CHECK_STR(dgp_event_status(event), "Dialing");
    dgp_event_free(event);
    /* The simulator's far end answers at once. */
    event = wait_event(client, DGP_EVENT_ANSWER, 2);
    CHECK_STR(dgp_event_number(event), "1002");
    dgp_event_free(event);
    CHECK(line_state(client, 2) == DGP_LINE_CONNECTED);
    CHECK_STR(line_number(client, 2), "1002");
    line_number_buffer_convention(client, 2);

    CHECK_RC(dgp_hold(client, 1, WAIT_MS), DGP_OK);
    CHECK(line_state(client, 2) == DGP_LINE_ON_HOLD);
    event = wait_event(client, DGP_EVENT_HOLD, 2);
    CHECK(dgp_event_hold(event) == 1);
    dgp_event_free(event);
    CHECK_RC(dgp_hold(client, 0, WAIT_MS), DGP_OK);
    CHECK(line_state(client, 2) == DGP_LINE_CONNECTED);
    event = wait_event(client, DGP_EVENT_HOLD, 2);
    CHECK(dgp_event_hold(event) == 0);
    dgp_event_free(event);
    CHECK_RC(dgp_hold(client, -1, WAIT_MS), DGP_OK); /* toggles on */
    CHECK(line_state(client, 2) == DGP_LINE_ON_HOLD);
    CHECK_RC(dgp_hold(client, -1, WAIT_MS), DGP_OK); /* and off */
    CHECK(line_state(client, 2) == DGP_LINE_CONNECTED);

    /* DTMF out: nothing echoes, so ask the simulator what it received. */
    before = dgp_sim_command_count(sim);
    CHECK_RC(dgp_send_dtmf(client, "12*#"), DGP_OK);
    CHECK_SIM(dgp_sim_wait_for_command(sim, "SendDtmf", WAIT_MS), DGP_OK);
    CHECK(dgp_sim_command_count(sim) == before + 1);
    /* DTMF in, from the far end. */
    CHECK_SIM(dgp_sim_dtmf_received(sim, 2, '7'), DGP_OK);
    event = wait_event(client, DGP_EVENT_DTMF_RECEIVED, 2);
    CHECK(dgp_event_digit(event) == '7');
    dgp_event_free(event);

    CHECK_RC(dgp_hangup(client, 0, WAIT_MS), DGP_OK);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_HANGUP, 2));
    CHECK(EXPECT_EVENT(client, DGP_EVENT_READY, 2));
    CHECK(line_state(client, 2) == DGP_LINE_IDLE);
    CHECK_STR(line_number(client, 2), "");
}

static void incoming_call(dgp_sim *sim, dgp_client *client) {
    dgp_event *event;
    CHECK_SIM(dgp_sim_incoming_call(sim, 3, "5511999990000"), DGP_OK);
    event = wait_event(client, DGP_EVENT_RECEIVING_CALL, 3);
    CHECK_STR(dgp_event_number(event), "5511999990000");
    dgp_event_free(event);
    CHECK(line_state(client, 3) == DGP_LINE_OFFERING);
    CHECK_STR(line_number(client, 3), "5511999990000");

    CHECK_RC(dgp_answer(client, 3, WAIT_MS), DGP_OK);
    CHECK(line_state(client, 3) == DGP_LINE_CONNECTED);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_ANSWER, 3));

    CHECK_SIM(dgp_sim_far_end_hangup(sim, 3), DGP_OK);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_HANGUP, 3));
    CHECK(EXPECT_EVENT(client, DGP_EVENT_READY, 3));
    CHECK(line_state(client, 3) == DGP_LINE_IDLE);
}

/* A call dialled while the far end does not answer by itself. */
static void far_end_answers_later(void) {
    dgp_sim_config *config = dgp_sim_config_new();
    dgp_sim *sim;
    dgp_client *client;
    REQUIRE(config != NULL);
    CHECK_SIM(dgp_sim_config_set_auto_answer(config, 0), DGP_OK);
    sim = start_sim(config);
    dgp_sim_config_free(config);
    client = logged_in_client(sim, NULL, "201");
    CHECK_RC(dgp_line_select(client, 1, WAIT_MS), DGP_OK);
    CHECK_RC(dgp_dial(client, "1003", WAIT_MS), DGP_OK);
    CHECK(line_state(client, 1) == DGP_LINE_DIALING);
    CHECK_SIM(dgp_sim_far_end_answer(sim, 1), DGP_OK);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_ANSWER, 1));
    CHECK(line_state(client, 1) == DGP_LINE_CONNECTED);
    CHECK_RC(dgp_hangup(client, 1, WAIT_MS), DGP_OK);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_READY, 1));
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

static void status_reports_every_line(dgp_client *client) {
    int32_t line;
    drain(client);
    CHECK_RC(dgp_status(client), DGP_OK);
    for (line = 1; line <= 6; line++) {
        CHECK(EXPECT_EVENT(client, DGP_EVENT_READY, line));
    }
}

/* Every raw header in order, and the typed accessors that read them. */
static void raw_headers(dgp_sim *sim, dgp_client *client) {
    dgp_event *event;
    uint32_t i, count;
    CHECK_SIM(dgp_sim_agent_event(sim, DGP_EVENT_AGENT_CALLED, "4001", "1700000000.42"), DGP_OK);
    event = wait_event(client, DGP_EVENT_AGENT_CALLED, 0);
    REQUIRE(event != NULL);
    CHECK_STR(dgp_event_agent(event), "4001");
    CHECK_STR(dgp_event_uniqueid(event), "1700000000.42");
    CHECK_STR(dgp_event_user(event), "201");
    CHECK(dgp_event_line(event) == 0);
    CHECK(dgp_event_number(event) == NULL); /* absent, not empty */
    count = dgp_event_header_count(event);
    CHECK(count == 5);
    CHECK_STR(dgp_event_header_key(event, 0), "Event");
    CHECK_STR(dgp_event_header_value(event, 0), "DGPhoneEvent");
    CHECK_STR(dgp_event_header_key(event, 1), "Status");
    CHECK_STR(dgp_event_header_value(event, 1), "AgentCalled");
    for (i = 0; i < count; i++) {
        CHECK(dgp_event_header_key(event, i) != NULL && dgp_event_header_value(event, i) != NULL);
    }
    CHECK(dgp_event_header_key(event, count) == NULL);
    CHECK(dgp_event_header_value(event, count) == NULL);
    CHECK_STR(dgp_event_header(event, "UNIQUEID"), "1700000000.42");
    CHECK(dgp_event_header(event, "NoSuchHeader") == NULL);
    CHECK(dgp_event_header(event, NULL) == NULL);
    CHECK_STR(dgp_event_detail(event), "");
    dgp_event_free(event);
}

static void field_extras(dgp_client *client) {
    dgp_event *event;
    const char *keys[] = {"Queue"};
    const char *values[] = {"support"};
    CHECK_RC(dgp_queue_status(client, "sales", WAIT_MS), DGP_OK);
    event = wait_event(client, DGP_EVENT_QUEUE_ENTRY, 0);
    CHECK_STR(dgp_event_queue(event), "sales");
    CHECK(dgp_event_number(event) != NULL);
    dgp_event_free(event);
    /* A confirmed call returns once the confirming event is seen, a moment
     * before it is queued: take it, so the next wait starts after it. */
    event = wait_event(client, DGP_EVENT_QUEUE_STATUS_COMPLETE, 0);
    CHECK_STR(dgp_event_queue(event), "sales");
    dgp_event_free(event);
    /* The generic command, here spelling out QueueStatus by hand. */
    CHECK_RC(dgp_send_command(client, "QueueStatus", keys, values, 1), DGP_OK);
    event = wait_event(client, DGP_EVENT_QUEUE_STATUS_COMPLETE, 0);
    CHECK_STR(dgp_event_queue(event), "support");
    dgp_event_free(event);

    CHECK_RC(dgp_agent_pause(client, "4001", 1, "lunch", WAIT_MS), DGP_OK);
    event = wait_event(client, DGP_EVENT_AGENT_PAUSED, 0);
    CHECK(dgp_event_paused(event) == 1);
    CHECK_STR(dgp_event_header(event, "Reason"), "lunch");
    dgp_event_free(event);
}

static void agent_login_by_feature_code(dgp_client *client) {
    CHECK(dgp_agent_state(client) == DGP_AGENT_LOGGED_OUT);
    CHECK_RC(dgp_login_agent(client, NULL, "4001", "1234", 1, WAIT_MS), DGP_OK);
    CHECK(dgp_agent_state(client) == DGP_AGENT_AVAILABLE);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_AGENT_LOGIN, 0));
    /* The feature-code call carries the shift: line 1 stays connected. */
    CHECK(line_state(client, 1) == DGP_LINE_CONNECTED);
}

static void logoff_ends_the_connection(dgp_client *client) {
    dgp_event *event;
    CHECK_RC(dgp_logoff(client), DGP_OK);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_USER_LOGOFF, 0));
    event = wait_event(client, DGP_EVENT_DISCONNECTED, 0);
    CHECK(dgp_event_disconnect_reason(event) == DGP_DISCONNECT_LOGGED_OFF);
    CHECK(dgp_event_detail(event)[0] != '\0');
    dgp_event_free(event);
    CHECK(dgp_is_connected(client) == 0);
    CHECK(dgp_is_logged_in(client) == 0);
}

static void disconnect_is_reported_as_requested(dgp_sim *sim) {
    dgp_client *client = logged_in_client(sim, NULL, "202");
    dgp_event *event;
    CHECK_RC(dgp_disconnect(client), DGP_OK);
    CHECK(dgp_is_connected(client) == 0);
    event = wait_event(client, DGP_EVENT_DISCONNECTED, 0);
    CHECK(dgp_event_disconnect_reason(event) == DGP_DISCONNECT_REQUESTED);
    dgp_event_free(event);
    CHECK_RC(dgp_disconnect(client), DGP_OK); /* not connected: still OK */
    /* The same client connects again. */
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "202"), DGP_OK);
    CHECK_RC(dgp_client_free(client), DGP_OK);
}

/* PROTOCOL's promises beyond the text: a value that was not UTF-8 reads
 * as UTF-8 text, and its bytes as DGPhone sent them; a DGTimeStamp's time
 * parsed, as Unix seconds or as a wall-clock time with its date. */
static void raw_bytes_and_parsed_time(dgp_sim *sim, dgp_client *client) {
    static const char packets[] = "Event: DGPhoneEvent\r\nStatus: Weird\r\nMessage: N\xe3o\r\n\r\n"
                                  "Event: DGTimeStamp\r\nTime: 2024-05-01 14:05:09\r\n\r\n"
                                  "Event: DGTimeStamp\r\nTimestamp: 1700000000\r\n\r\n";
    dgp_event *event;
    const uint8_t *bytes = NULL;
    uint32_t len = 0, seconds_of_day = 0, date = 1;
    uint64_t unix_seconds = 0;
    CHECK_SIM(dgp_sim_send_raw(sim, (const uint8_t *)packets, (uint32_t)(sizeof packets - 1)), DGP_OK);

    event = wait_event(client, DGP_EVENT_OTHER_STATUS, 0);
    REQUIRE(event != NULL);
    CHECK_STR(dgp_event_header_key(event, 2), "Message");
    CHECK_STR(dgp_event_header_value(event, 2), "N\xc3\xa3o"); /* re-encoded from Windows-1252 */
    CHECK_RC(dgp_event_header_raw(event, 2, &bytes, &len), DGP_OK);
    CHECK(len == 3 && bytes != NULL && memcmp(bytes, "N\xe3o", 3) == 0);
    CHECK_RC(dgp_event_header_raw(event, 3, &bytes, &len), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_event_header_raw(event, 0, NULL, &len), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_event_time_unix(event, &unix_seconds), DGP_ERR_INVALID_ARGUMENT);
    dgp_event_free(event);

    event = wait_event(client, DGP_EVENT_TIMESTAMP, 0);
    REQUIRE(event != NULL);
    CHECK_RC(dgp_event_time_clock(event, &seconds_of_day, &date), DGP_OK);
    CHECK(seconds_of_day == 14 * 3600 + 5 * 60 + 9);
    CHECK(date == 20240501);
    CHECK_RC(dgp_event_time_unix(event, &unix_seconds), DGP_ERR_INVALID_ARGUMENT);
    dgp_event_free(event);

    event = wait_event(client, DGP_EVENT_TIMESTAMP, 0);
    REQUIRE(event != NULL);
    CHECK_RC(dgp_event_time_unix(event, &unix_seconds), DGP_OK);
    CHECK(unix_seconds == 1700000000u);
    CHECK_RC(dgp_event_time_clock(event, &seconds_of_day, &date), DGP_ERR_INVALID_ARGUMENT);
    dgp_event_free(event);
    CHECK_RC(dgp_event_time_unix(NULL, &unix_seconds), DGP_ERR_NULL_POINTER);
}

int main(void) {
    dgp_sim *sim;
    dgp_client *client;
    version_macros_match_the_library();
    every_result_code_has_a_description();

    sim = start_sim(NULL);
    client = new_client(NULL);
    connect_and_login(sim, client);
    outgoing_call(sim, client);
    incoming_call(sim, client);
    status_reports_every_line(client);
    agent_login_by_feature_code(client);
    raw_headers(sim, client);
    raw_bytes_and_parsed_time(sim, client);
    field_extras(client);
    logoff_ends_the_connection(client);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    disconnect_is_reported_as_requested(sim);
    dgp_sim_free(sim);
    far_end_answers_later();
    return check_finish();
}
