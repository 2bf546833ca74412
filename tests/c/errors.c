/*
 * Every error path of the C API: NULL handles and pointers, bad lines, bad
 * DTMF digits, CR/LF and other control characters in every string
 * parameter, invalid UTF-8, calls while not connected, commands before
 * login and a second login, connection failures,
 * a login refused (with DGPhone's message), a login never answered, a
 * connection lost during a wait, commands DGPhone refuses, option and
 * simulator-setting mistakes. For refused input, the simulator's command
 * count proves that nothing reached DGPhone.
 */
#include "check.h"

#include <pthread.h>

/* The string parameters of the API that end up on the wire (or, for the
 * host, in the resolver), each checked with a bad value in its place. */
enum string_param {
    P_HOST,
    P_USER,
    P_NUMBER,
    P_DIGITS,
    P_QUEUE,
    P_PAUSE_AGENT,
    P_PAUSE_REASON,
    P_COMMAND_NAME,
    P_HEADER_KEY,
    P_HEADER_VALUE,
    P_FEATURE_CODE,
    P_AGENT,
    P_PASSWORD,
    P_COUNT
};

static const char *const param_names[P_COUNT] = {
    "host",         "user",       "number",       "digits",       "queue",   "agent_pause agent", "reason",
    "command name", "header key", "header value", "feature_code", "agent",   "password",
};

/* Calls the API function that takes parameter `param`, with `bad` there and
 * valid values everywhere else. (The host is checked before anything else,
 * so a connected client still reports the bad host, not "already
 * connected".) */
static dgp_result call_with(dgp_client *client, enum string_param param, const char *bad) {
    const char *key = param == P_HEADER_KEY ? bad : "Queue";
    const char *value = param == P_HEADER_VALUE ? bad : "sales";
    switch (param) {
    case P_HOST: return dgp_connect(client, bad, 5038);
    case P_USER: return dgp_login(client, bad);
    case P_NUMBER: return dgp_dial(client, bad, 0);
    case P_DIGITS: return dgp_send_dtmf(client, bad);
    case P_QUEUE: return dgp_queue_status(client, bad, 0);
    case P_PAUSE_AGENT: return dgp_agent_pause(client, bad, 1, "lunch", 0);
    case P_PAUSE_REASON: return dgp_agent_pause(client, "4001", 1, bad, 0);
    case P_COMMAND_NAME: return dgp_send_command(client, bad, NULL, NULL, 0);
    case P_HEADER_KEY:
    case P_HEADER_VALUE: return dgp_send_command(client, "QueueStatus", &key, &value, 1);
    case P_FEATURE_CODE: return dgp_login_agent(client, bad, "4001", "1234", 1, 100);
    case P_AGENT: return dgp_login_agent(client, NULL, bad, "1234", 1, 100);
    case P_PASSWORD: return dgp_login_agent(client, NULL, "4001", bad, 1, 100);
    case P_COUNT: break;
    }
    return DGP_OK;
}

/* Proves that nothing invalid went out: a confirmed command after the bad
 * ones is answered only once the simulator has read everything before it,
 * so the count must have grown by exactly that one command. Its event is
 * taken too (it is queued a moment after the confirmation), so the queue
 * is quiet afterwards. */
static void nothing_reached_dgphone(dgp_sim *sim, dgp_client *client, size_t before) {
    CHECK_RC(dgp_line_select(client, 1, WAIT_MS), DGP_OK);
    CHECK(dgp_sim_command_count(sim) == before + 1);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_LINE_SELECTED, 1));
}

static void null_handles_and_pointers(void) {
    dgp_client *client = (dgp_client *)&client; /* not NULL: must be reset */
    dgp_event *event = NULL;
    uint32_t state;
    char buf[16];

    CHECK_RC(dgp_client_new(NULL, NULL), DGP_ERR_NULL_POINTER);
    CHECK(contains(last_error(), "out is NULL"));
    CHECK_RC(dgp_client_free(NULL), DGP_OK);
    dgp_event_free(NULL);
    dgp_options_free(NULL);
    dgp_sim_free(NULL);
    dgp_sim_config_free(NULL);

    /* Every call on a NULL client is refused with a message on this thread. */
    CHECK_RC(dgp_connect(NULL, "127.0.0.1", 5038), DGP_ERR_NULL_POINTER);
    CHECK(contains(last_error(), "client handle is NULL"));
    CHECK_RC(dgp_disconnect(NULL), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_login(NULL, "201"), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_logoff(NULL), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_status(NULL), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_line_select(NULL, 1, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_dial(NULL, "100", 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_answer(NULL, 0, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_hold(NULL, -1, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_send_dtmf(NULL, "1"), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_hangup(NULL, 0, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_queue_status(NULL, NULL, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_agent_pause(NULL, "4001", 1, NULL, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_send_command(NULL, "Status", NULL, NULL, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_login_agent(NULL, NULL, "4001", "1234", 1, 100), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_set_event_callback(NULL, NULL, NULL), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_next_event(NULL, 0, &event), DGP_ERR_NULL_POINTER);
    CHECK(event == NULL);
    CHECK_RC(dgp_line_state(NULL, 1, &state), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_line_number(NULL, 1, buf, sizeof buf, NULL), DGP_ERR_NULL_POINTER);

    /* Queries answer a neutral value for NULL. */
    CHECK(dgp_is_connected(NULL) == 0);
    CHECK(dgp_is_logged_in(NULL) == 0);
    CHECK(dgp_selected_line(NULL) == 0);
    CHECK(dgp_agent_state(NULL) == DGP_AGENT_LOGGED_OUT);
    CHECK(dgp_dropped_events(NULL) == 0);
    CHECK(dgp_notify_fd(NULL) == -1);
    CHECK(dgp_notify_handle(NULL) == NULL);
    CHECK(dgp_sim_port(NULL) == 0);
    CHECK(dgp_sim_command_count(NULL) == 0);
    CHECK(dgp_event_kind(NULL) == 0);
    CHECK(dgp_event_line(NULL) == 0);
    CHECK(dgp_event_hold(NULL) == -1);
    CHECK(dgp_event_paused(NULL) == -1);
    CHECK(dgp_event_digit(NULL) == 0);
    CHECK(dgp_event_success(NULL) == -1);
    CHECK(dgp_event_number(NULL) == NULL);
    CHECK(dgp_event_detail(NULL) == NULL);
    CHECK(dgp_event_time(NULL) == NULL);
    CHECK(dgp_event_header_count(NULL) == 0);
    CHECK(dgp_event_header_key(NULL, 0) == NULL);
    CHECK(dgp_event_header(NULL, "Line") == NULL);
    CHECK(dgp_event_disconnect_reason(NULL) == DGP_DISCONNECT_NONE);

    /* Simulator calls on NULL. */
    CHECK_SIM(dgp_sim_start(NULL, NULL, 0, NULL), DGP_ERR_NULL_POINTER);
    CHECK_SIM(dgp_sim_incoming_call(NULL, 1, "100"), DGP_ERR_NULL_POINTER);
    CHECK_SIM(dgp_sim_send_raw(NULL, NULL, 0), DGP_ERR_NULL_POINTER);
    CHECK_SIM(dgp_sim_config_set_greeting(NULL, "hi"), DGP_ERR_NULL_POINTER);
}

static void option_mistakes(void) {
    dgp_options *options = dgp_options_new();
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_connect_timeout_ms(NULL, 100), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_options_set_queue_capacity(NULL, 8), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_options_set_overflow_policy(NULL, DGP_OVERFLOW_BLOCK), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_options_set_queue_with_callback(NULL, 1), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_options_set_delivery_backlog(NULL, 16), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_options_set_connect_timeout_ms(options, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_options_set_command_timeout_ms(options, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_options_set_overflow_policy(options, 99), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_options_set_max_packet(options, 255), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_options_set_delivery_backlog(options, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_options_set_reconnect_initial_ms(options, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_options_set_log_level(options, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_options_set_log_level(options, DGP_LOG_TRACE + 1), DGP_ERR_INVALID_ARGUMENT);
    /* The valid neighbours of each mistake are accepted. */
    CHECK_RC(dgp_options_set_connect_timeout_ms(options, 1), DGP_OK);
    CHECK_RC(dgp_options_set_queue_capacity(options, 0), DGP_OK);
    CHECK_RC(dgp_options_set_overflow_policy(options, DGP_OVERFLOW_DROP_NEWEST), DGP_OK);
    CHECK_RC(dgp_options_set_max_packet(options, 256), DGP_OK);
    CHECK_RC(dgp_options_set_queue_with_callback(options, 1), DGP_OK);
    CHECK_RC(dgp_options_set_delivery_backlog(options, 1), DGP_OK);
    CHECK_RC(dgp_options_set_reconnect(options, 0), DGP_OK);
    dgp_options_free(options);
}

/* One setter and one getter per option: the getters give the documented
 * defaults, then what was set; a mistake leaves the value alone. A maximum
 * reconnection delay below the initial one can be set in either order and
 * is refused by dgp_client_new (Options::validate), not by a setter. */
static void option_getters_and_consistency(void) {
    dgp_options *options = dgp_options_new();
    dgp_client *client = (dgp_client *)&options;
    uint32_t u = 12345;
    int32_t i = 12345;
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_get_connect_timeout_ms(options, &u), DGP_OK);
    CHECK(u == 5000);
    CHECK_RC(dgp_options_get_command_timeout_ms(options, &u), DGP_OK);
    CHECK(u == 5000);
    CHECK_RC(dgp_options_get_dead_peer_timeout_ms(options, &u), DGP_OK);
    CHECK(u == 0);
    CHECK_RC(dgp_options_get_tcp_keepalive_s(options, &u), DGP_OK);
    CHECK(u == 30);
    CHECK_RC(dgp_options_get_reconnect(options, &i), DGP_OK);
    CHECK(i == 0);
    CHECK_RC(dgp_options_get_reconnect_initial_ms(options, &u), DGP_OK);
    CHECK(u == 500);
    CHECK_RC(dgp_options_get_reconnect_max_ms(options, &u), DGP_OK);
    CHECK(u == 30000);
    CHECK_RC(dgp_options_get_reconnect_max_attempts(options, &u), DGP_OK);
    CHECK(u == 0);
    CHECK_RC(dgp_options_get_queue_capacity(options, &u), DGP_OK);
    CHECK(u == 4096);
    CHECK_RC(dgp_options_get_overflow_policy(options, &u), DGP_OK);
    CHECK(u == DGP_OVERFLOW_DROP_OLDEST);
    CHECK_RC(dgp_options_get_queue_with_callback(options, &i), DGP_OK);
    CHECK(i == 0);
    CHECK_RC(dgp_options_get_delivery_backlog(options, &u), DGP_OK);
    CHECK(u == 4096);
    CHECK_RC(dgp_options_get_max_packet(options, &u), DGP_OK);
    CHECK(u == 65536);
    CHECK_RC(dgp_options_get_send_user(options, &i), DGP_OK);
    CHECK(i == 0);
    CHECK_RC(dgp_options_get_remote_mode(options, &i), DGP_OK);
    CHECK(i == 1);
    CHECK_RC(dgp_options_get_redact_dtmf(options, &i), DGP_OK);
    CHECK(i == 1);
    CHECK_RC(dgp_options_get_log_level(options, &u), DGP_OK);
    CHECK(u == DGP_LOG_INFO);

    CHECK_RC(dgp_options_set_max_packet(options, 100), DGP_ERR_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "max_packet"));
    CHECK_RC(dgp_options_get_max_packet(options, &u), DGP_OK);
    CHECK(u == 65536); /* the refused value was not kept */
    CHECK_RC(dgp_options_set_send_user(options, 1), DGP_OK);
    CHECK_RC(dgp_options_get_send_user(options, &i), DGP_OK);
    CHECK(i == 1);
    CHECK_RC(dgp_options_set_overflow_policy(options, DGP_OVERFLOW_BLOCK), DGP_OK);
    CHECK_RC(dgp_options_get_overflow_policy(options, &u), DGP_OK);
    CHECK(u == DGP_OVERFLOW_BLOCK);
    CHECK_RC(dgp_options_get_max_packet(NULL, &u), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_options_get_max_packet(options, NULL), DGP_ERR_NULL_POINTER);

    /* Consistency: max below initial, in either order, refused at creation. */
    CHECK_RC(dgp_options_set_reconnect(options, 1), DGP_OK);
    CHECK_RC(dgp_options_set_reconnect_max_ms(options, 100), DGP_OK);
    CHECK_RC(dgp_options_set_reconnect_initial_ms(options, 200), DGP_OK);
    CHECK_RC(dgp_client_new(options, &client), DGP_ERR_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK(contains(last_error(), "below the initial delay"));
    CHECK_RC(dgp_options_set_reconnect_max_ms(options, 200), DGP_OK);
    CHECK_RC(dgp_client_new(options, &client), DGP_OK);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_options_free(options);
}

static void simulator_setting_mistakes(void) {
    dgp_sim_config *config = dgp_sim_config_new();
    dgp_sim *sim = NULL;
    REQUIRE(config != NULL);
    CHECK_SIM(dgp_sim_config_set_login(config, DGP_SIM_LOGIN_REJECT, NULL), DGP_ERR_NULL_POINTER);
    CHECK_SIM(dgp_sim_config_set_login(config, 9, NULL), DGP_ERR_INVALID_ARGUMENT);
    CHECK_SIM(dgp_sim_start(config, "\xff", 0, &sim), DGP_ERR_NOT_UTF8);
    CHECK(sim == NULL);
    /* TEST-NET-1 is on no interface here: bind fails without any lookup. */
    CHECK_SIM(dgp_sim_start(config, "192.0.2.1", 0, &sim), DGP_ERR_RESOURCE);
    CHECK(contains(sim_last_error(), "cannot listen"));
    dgp_sim_config_free(config);
    sim = start_sim(NULL);
    CHECK_SIM(dgp_sim_incoming_call(sim, 7, "100"), DGP_ERR_INVALID_ARGUMENT);
    CHECK_SIM(dgp_sim_dtmf_received(sim, 1, 'E'), DGP_ERR_INVALID_ARGUMENT);
    CHECK_SIM(dgp_sim_agent_event(sim, DGP_EVENT_DIALING, "4001", NULL), DGP_ERR_INVALID_ARGUMENT);
    CHECK_SIM(dgp_sim_send_raw(sim, NULL, 3), DGP_ERR_NULL_POINTER);
    CHECK_SIM(dgp_sim_wait_for_logins(sim, 1, 1), DGP_ERR_TIMEOUT);
    CHECK_SIM(dgp_sim_wait_for_command(sim, "Dial", 1), DGP_ERR_TIMEOUT);
    dgp_sim_free(sim);
}

static void calls_while_not_connected(void) {
    dgp_client *client = new_client(NULL);
    const char *key = "Queue";
    const char *value = "sales";
    dgp_event *event = (dgp_event *)&event;
    uint32_t state = 999;
    CHECK_RC(dgp_login(client, "201"), DGP_ERR_NOT_CONNECTED);
    CHECK(contains(last_error(), "not connected"));
    CHECK_RC(dgp_logoff(client), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_status(client), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_line_select(client, 1, 0), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_line_select(client, 1, 100), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_dial(client, "100", 0), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_dial(client, "100", 100), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_answer(client, 1, 0), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_hold(client, 1, 0), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_send_dtmf(client, "1"), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_hangup(client, 0, 0), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_queue_status(client, NULL, 0), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_agent_pause(client, "4001", 0, NULL, 0), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_send_command(client, "QueueStatus", &key, &value, 1), DGP_ERR_NOT_CONNECTED);
    CHECK_RC(dgp_login_agent(client, NULL, "4001", "1234", 1, 100), DGP_ERR_NOT_CONNECTED);
    /* Bad input is called bad input, connected or not. */
    CHECK_RC(dgp_dial(client, "1\r\n2", 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_send_dtmf(client, "%"), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_disconnect(client), DGP_OK); /* nothing to end */
    /* The pull API and the local state answer without a connection. */
    CHECK_RC(dgp_next_event(client, 0, &event), DGP_ERR_TIMEOUT);
    CHECK(event == NULL);
    CHECK_RC(dgp_line_state(client, 6, &state), DGP_OK);
    CHECK(state == DGP_LINE_IDLE);
    CHECK(dgp_notify_fd(client) >= 0);
    CHECK_RC(dgp_client_free(client), DGP_OK);
}

/* Connected but not logged in, every command is refused with
 * DGP_ERR_NOT_LOGGED_IN and nothing reaches DGPhone; once logged in, a
 * second login is refused with DGP_ERR_ALREADY_LOGGED_IN. */
static void commands_before_login_and_a_second_login(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = new_client(NULL);
    const char *key = "Queue";
    const char *value = "sales";
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_dial(client, "100", 0), DGP_ERR_NOT_LOGGED_IN);
    CHECK(contains(last_error(), "Dial needs a logged-in session"));
    CHECK(contains(last_error(), "nothing was sent"));
    CHECK_RC(dgp_status(client), DGP_ERR_NOT_LOGGED_IN);
    CHECK(contains(last_error(), "Status needs a logged-in session"));
    CHECK_RC(dgp_logoff(client), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_line_select(client, 1, 0), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_line_select(client, 1, 100), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_dial(client, "100", 100), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_answer(client, 1, 0), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_hold(client, 1, 0), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_send_dtmf(client, "1"), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_hangup(client, 0, 0), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_queue_status(client, NULL, 0), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_agent_pause(client, "4001", 0, NULL, 0), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_send_command(client, "QueueStatus", &key, &value, 1), DGP_ERR_NOT_LOGGED_IN);
    CHECK_RC(dgp_login_agent(client, NULL, "4001", "1234", 1, 100), DGP_ERR_NOT_LOGGED_IN);
    CHECK_STR(dgp_result_str(DGP_ERR_NOT_LOGGED_IN), "not logged in");
    CHECK(dgp_is_connected(client) == 1);

    CHECK_RC(dgp_login(client, "201"), DGP_OK);
    /* DGPhone answered the login, so it has read all that came before. */
    CHECK(dgp_sim_command_count(sim) == 1);
    CHECK_RC(dgp_login(client, "202"), DGP_ERR_ALREADY_LOGGED_IN);
    CHECK(contains(last_error(), "already logged in as 201"));
    CHECK_RC(dgp_login(client, "201"), DGP_ERR_ALREADY_LOGGED_IN);
    CHECK_STR(dgp_result_str(DGP_ERR_ALREADY_LOGGED_IN), "already logged in");
    CHECK(dgp_is_logged_in(client) == 1);
    nothing_reached_dgphone(sim, client, 1);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

static void connection_failures(void) {
    dgp_sim *sim = start_sim(NULL);
    uint16_t closed_port = dgp_sim_port(sim);
    dgp_client *client = new_client(NULL);
    dgp_sim_free(sim); /* its port now refuses connections */
    CHECK_RC(dgp_connect(client, "127.0.0.1", closed_port), DGP_ERR_CONNECT);
    CHECK(contains(last_error(), "cannot connect to 127.0.0.1:"));
    CHECK(dgp_is_connected(client) == 0);

    sim = start_sim(NULL);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_ERR_ALREADY_CONNECTED);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

/* DGPhone's own words come back through dgp_last_error, and the message
 * follows the caller-buffer convention. */
static void login_rejected(void) {
    const char *text = "User is not active";
    dgp_sim *sim = start_sim_with_login(DGP_SIM_LOGIN_REJECT, text);
    dgp_client *client = new_client(NULL);
    char small[8] = "zzzzzzz";
    char message[256];
    uint32_t len = 0, needed = 0;
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_ERR_LOGIN_REJECTED);
    CHECK(dgp_is_logged_in(client) == 0);
    CHECK(dgp_is_connected(client) == 1);

    CHECK_RC(dgp_last_error(NULL, 0, &needed), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(needed > strlen(text));
    CHECK_RC(dgp_last_error(small, sizeof small, &len), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(len == needed);
    CHECK_STR(small, "zzzzzzz");
    CHECK_RC(dgp_last_error(message, needed + 1, &len), DGP_OK);
    CHECK(len == needed && strlen(message) == needed);
    CHECK(contains(message, text));
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

static void login_never_answered(void) {
    dgp_sim *sim = start_sim_with_login(DGP_SIM_LOGIN_IGNORE, NULL);
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    long long started;
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_command_timeout_ms(options, 300), DGP_OK);
    client = new_client(options);
    dgp_options_free(options); /* the client keeps its own copy */
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    started = now_ms();
    CHECK_RC(dgp_login(client, "201"), DGP_ERR_TIMEOUT);
    CHECK(now_ms() - started >= 299);
    CHECK(contains(last_error(), "login"));
    CHECK(dgp_is_logged_in(client) == 0);
    CHECK(dgp_is_connected(client) == 1);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

/* Drops every connection once the simulator has read a Login. */
static void *drop_after_login(void *arg) {
    dgp_sim *sim = arg;
    if (dgp_sim_wait_for_command(sim, "Login", WAIT_MS) == DGP_OK) {
        dgp_sim_disconnect_all(sim);
    }
    return NULL;
}

static void connection_lost_during_login(void) {
    dgp_sim *sim = start_sim_with_login(DGP_SIM_LOGIN_IGNORE, NULL);
    dgp_client *client = new_client(NULL);
    pthread_t dropper;
    CHECK_RC(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)), DGP_OK);
    REQUIRE(pthread_create(&dropper, NULL, drop_after_login, sim) == 0);
    CHECK_RC(dgp_login(client, "201"), DGP_ERR_CONNECTION_LOST);
    pthread_join(dropper, NULL);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_DISCONNECTED, 0));
    CHECK(dgp_is_connected(client) == 0);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

static void bad_lines_and_values(dgp_sim *sim, dgp_client *client) {
    const int32_t bad_lines[] = {0, 7, -1, 100};
    size_t i, before = dgp_sim_command_count(sim);
    uint32_t state = 999;
    char buf[16];
    for (i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
        int32_t line = bad_lines[i];
        CHECK_RC(dgp_line_select(client, line, 0), DGP_ERR_INVALID_ARGUMENT);
        CHECK_RC(dgp_line_select(client, line, WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
        CHECK_RC(dgp_login_agent(client, NULL, "4001", "1234", line, 100), DGP_ERR_INVALID_ARGUMENT);
        CHECK_RC(dgp_line_state(client, line, &state), DGP_ERR_INVALID_ARGUMENT);
        CHECK_RC(dgp_line_number(client, line, buf, sizeof buf, NULL), DGP_ERR_INVALID_ARGUMENT);
        if (line != 0) { /* 0 means "the selected line" for these */
            CHECK_RC(dgp_answer(client, line, 0), DGP_ERR_INVALID_ARGUMENT);
            CHECK_RC(dgp_hangup(client, line, WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
        }
    }
    CHECK(state == 999);
    CHECK(contains(last_error(), "lines 1 to 6"));
    CHECK_RC(dgp_hold(client, 2, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_hold(client, -2, WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_line_state(client, 1, NULL), DGP_ERR_NULL_POINTER);
    nothing_reached_dgphone(sim, client, before);
}

static void bad_dtmf_digits(dgp_sim *sim, dgp_client *client) {
    const char *bad[] = {"12E", "x", "", "1 2", " 1", "1!", "\xef\xbc\x91" /* fullwidth 1 */, "0123456789*#ABCD0123456789*#ABCD0123456789*#ABCD0123456789*#ABCD0"};
    size_t i, before = dgp_sim_command_count(sim);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_RC(dgp_send_dtmf(client, bad[i]), DGP_ERR_INVALID_ARGUMENT);
    }
    CHECK(contains(last_error(), "digits"));
    nothing_reached_dgphone(sim, client, before);
}

static void control_characters_in_every_string(dgp_sim *sim, dgp_client *client) {
    /* Header injection attempts and lone control characters. Digits that
     * are otherwise valid, so the control character is what is refused. */
    const char *bad[] = {"1\r\nAction: DGPhoneCommand", "1\n", "\r1", "1\r2", "1\t2", "1\x1b", "1\x7f"};
    size_t i, before = dgp_sim_command_count(sim);
    int p;
    for (p = 0; p < P_COUNT; p++) {
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            dgp_result got = call_with(client, (enum string_param)p, bad[i]);
            check_at(got == DGP_ERR_INVALID_ARGUMENT, param_names[p], __FILE__, __LINE__);
            if (got != DGP_ERR_INVALID_ARGUMENT) {
                fprintf(stderr, "  %s with a control character: %u (%s)\n", param_names[p], got, last_error());
            }
        }
        /* The message names the problem; header keys only take letters. */
        CHECK(contains(last_error(), p == P_HEADER_KEY || p == P_COMMAND_NAME ? "letters" : "control character"));
    }
    CHECK_RC(call_with(client, P_NUMBER, "100\r\nCommand: Hangup"), DGP_ERR_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "carriage return"));
    CHECK_RC(call_with(client, P_USER, "201\nAction: Logoff"), DGP_ERR_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "line feed"));
    nothing_reached_dgphone(sim, client, before);
}

static void invalid_utf8_in_every_string(dgp_sim *sim, dgp_client *client) {
    const char *bad[] = {"\xff", "12\xc3", "\xc0\xaf", "\xed\xa0\x80", "1\x80" "2"};
    size_t i, before = dgp_sim_command_count(sim);
    int p;
    for (p = 0; p < P_COUNT; p++) {
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            dgp_result got = call_with(client, (enum string_param)p, bad[i]);
            check_at(got == DGP_ERR_NOT_UTF8, param_names[p], __FILE__, __LINE__);
            if (got != DGP_ERR_NOT_UTF8) {
                fprintf(stderr, "  %s with invalid UTF-8: %u (%s)\n", param_names[p], got, last_error());
            }
        }
    }
    CHECK(contains(last_error(), "not valid UTF-8"));
    nothing_reached_dgphone(sim, client, before);
}

static void null_strings_and_arrays(dgp_sim *sim, dgp_client *client) {
    const char *keys[] = {"Queue", NULL};
    const char *values[] = {"sales", NULL};
    dgp_event *event = NULL;
    size_t before = dgp_sim_command_count(sim);
    CHECK_RC(dgp_connect(client, NULL, 5038), DGP_ERR_NULL_POINTER);
    CHECK(contains(last_error(), "host is NULL"));
    CHECK_RC(dgp_login(client, NULL), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_dial(client, NULL, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_send_dtmf(client, NULL), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_agent_pause(client, NULL, 1, NULL, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_send_command(client, NULL, NULL, NULL, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_send_command(client, "QueueStatus", NULL, values, 1), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_send_command(client, "QueueStatus", keys, NULL, 1), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_send_command(client, "QueueStatus", keys, values, 2), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_login_agent(client, NULL, NULL, "1234", 1, 100), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_login_agent(client, NULL, "4001", NULL, 1, 100), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_next_event(client, 0, NULL), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_line_number(client, 1, NULL, 0, NULL), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(dgp_next_event(client, 0, &event), DGP_ERR_TIMEOUT);
    nothing_reached_dgphone(sim, client, before);
}

static void other_refused_values(dgp_sim *sim, dgp_client *client) {
    const char *reserved[] = {"Action", "command", "Bad Key", "X:Y", ""};
    const char *value = "x";
    char long_number[80];
    size_t i, before = dgp_sim_command_count(sim);
    for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        CHECK_RC(dgp_send_command(client, "QueueStatus", &reserved[i], &value, 1), DGP_ERR_INVALID_ARGUMENT);
    }
    CHECK_RC(dgp_send_command(client, "Queue Status", NULL, NULL, 0), DGP_ERR_INVALID_ARGUMENT);
    memset(long_number, '1', sizeof long_number - 1);
    long_number[sizeof long_number - 1] = '\0';
    CHECK_RC(dgp_dial(client, long_number, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "limit"));
    CHECK_RC(dgp_dial(client, " 100", 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_dial(client, "", WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_login(client, ""), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_queue_status(client, "", 0), DGP_ERR_INVALID_ARGUMENT);
    nothing_reached_dgphone(sim, client, before);
}

/* Commands DGPhone itself refuses, seen through the confirmation wait. */
static void commands_dgphone_refuses(dgp_client *client) {
    CHECK_RC(dgp_line_select(client, 1, WAIT_MS), DGP_OK);
    CHECK_RC(dgp_hold(client, 1, WAIT_MS), DGP_ERR_COMMAND_FAILED);
    CHECK(contains(last_error(), "not in a call"));
    CHECK_RC(dgp_answer(client, 0, WAIT_MS), DGP_ERR_COMMAND_FAILED);
    CHECK(contains(last_error(), "not ringing"));
    CHECK_RC(dgp_hangup(client, 4, WAIT_MS), DGP_ERR_COMMAND_FAILED);
    CHECK_RC(dgp_dial(client, "100", WAIT_MS), DGP_OK);
    CHECK_RC(dgp_dial(client, "101", WAIT_MS), DGP_ERR_COMMAND_FAILED);
    CHECK(contains(last_error(), "busy"));
    CHECK_RC(dgp_hangup(client, 0, WAIT_MS), DGP_OK);
    CHECK(EXPECT_EVENT(client, DGP_EVENT_READY, 1));
}

/* A confirmation that never comes: the wait ends at its timeout. */
static void confirmation_times_out(dgp_sim *sim, dgp_client *client) {
    long long started;
    CHECK_SIM(dgp_sim_set_silent(sim, 1), DGP_OK);
    started = now_ms();
    CHECK_RC(dgp_line_select(client, 2, 200), DGP_ERR_TIMEOUT);
    CHECK(now_ms() - started >= 199);
    CHECK(contains(last_error(), "confirming event"));
    CHECK_SIM(dgp_sim_set_silent(sim, 0), DGP_OK);
    CHECK_RC(dgp_line_select(client, 1, WAIT_MS), DGP_OK);
}

/* Issue 10 fault 2: a failure never leaves an earlier, unrelated message
 * in place. Each call below follows a failure with another message and
 * must replace it with its own. */
static void every_failure_sets_its_own_message(void) {
    dgp_sim_config *config = dgp_sim_config_new();
    dgp_sim *sim = NULL;
    REQUIRE(config != NULL);

    /* libdgphone: option setters, NULL or out of range. */
    CHECK_RC(dgp_client_new(NULL, NULL), DGP_ERR_NULL_POINTER); /* "out is NULL" */
    CHECK_RC(dgp_options_set_connect_timeout_ms(NULL, 100), DGP_ERR_NULL_POINTER);
    CHECK(contains(last_error(), "options is NULL"));
    {
        dgp_options *options = dgp_options_new();
        REQUIRE(options != NULL);
        CHECK_RC(dgp_options_set_connect_timeout_ms(options, 0), DGP_ERR_INVALID_ARGUMENT);
        CHECK(contains(last_error(), "connect_timeout"));
        CHECK_RC(dgp_options_set_command_timeout_ms(NULL, 100), DGP_ERR_NULL_POINTER);
        CHECK(contains(last_error(), "options is NULL"));
        dgp_options_free(options);
    }

    /* libdgphone_sim: settings, simulator and replay handles, out-params. */
    CHECK_SIM(dgp_sim_perform(NULL, "ring 1 100"), DGP_ERR_NULL_POINTER);
    CHECK(contains(sim_last_error(), "sim is NULL"));
    CHECK_SIM(dgp_sim_config_set_greeting(NULL, "hello"), DGP_ERR_NULL_POINTER);
    CHECK(contains(sim_last_error(), "config is NULL"));
    CHECK_SIM(dgp_sim_incoming_call(NULL, 1, "100"), DGP_ERR_NULL_POINTER);
    CHECK(contains(sim_last_error(), "sim is NULL"));
    CHECK_SIM(dgp_sim_start(config, NULL, 0, NULL), DGP_ERR_NULL_POINTER);
    CHECK(contains(sim_last_error(), "out is NULL"));
    CHECK_SIM(dgp_replay_wait_until_played(NULL, 1, 10), DGP_ERR_NULL_POINTER);
    CHECK(contains(sim_last_error(), "replay is NULL"));
    CHECK_SIM(dgp_replay_start("x.dgrec", NULL, 0, 0, NULL), DGP_ERR_NULL_POINTER);
    CHECK(contains(sim_last_error(), "out is NULL"));
    CHECK_SIM(dgp_sim_start(config, NULL, 0, &sim), DGP_OK);
    CHECK_SIM(dgp_sim_set_fault(sim, "no-such-fault"), DGP_ERR_INVALID_ARGUMENT);
    CHECK(!contains(sim_last_error(), "out is NULL"));
    dgp_sim_free(sim);
    dgp_sim_config_free(config);
}

/* The one error channel: two threads failing different calls on the same
 * client at the same moment each read their own message (with the old
 * per-client message, whichever failed last overwrote the other's). */
struct channel_run {
    dgp_client *client;
    pthread_barrier_t *barrier;
    int which;
    int rounds;
    int wrong;
    char seen[256];
};

static void *fail_and_read_own_message(void *arg) {
    struct channel_run *run = arg;
    const char *want = run->which == 0 ? "lines 1 to 6" : "not connected";
    char message[256];
    int i;
    for (i = 0; i < run->rounds; i++) {
        dgp_result rc = run->which == 0 ? dgp_line_select(run->client, 9, 0) : dgp_login(run->client, "201");
        pthread_barrier_wait(run->barrier); /* both have failed before either reads */
        message[0] = '\0';
        dgp_last_error(message, (uint32_t)sizeof message, NULL);
        if (rc == DGP_OK || strstr(message, want) == NULL) {
            run->wrong++;
            snprintf(run->seen, sizeof run->seen, "%s", message);
        }
        pthread_barrier_wait(run->barrier); /* both have read before either fails again */
    }
    return NULL;
}

static void one_error_channel_per_thread(void) {
    dgp_client *client = new_client(NULL);
    pthread_barrier_t barrier;
    pthread_t threads[2];
    struct channel_run runs[2];
    char message[256];
    uint32_t len = 0;
    int i;
    REQUIRE(pthread_barrier_init(&barrier, NULL, 2) == 0);
    for (i = 0; i < 2; i++) {
        memset(&runs[i], 0, sizeof runs[i]);
        runs[i].client = client;
        runs[i].barrier = &barrier;
        runs[i].which = i;
        runs[i].rounds = 200;
        REQUIRE(pthread_create(&threads[i], NULL, fail_and_read_own_message, &runs[i]) == 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
        CHECK(runs[i].wrong == 0);
        if (runs[i].wrong != 0) {
            fprintf(stderr, "  thread %d read another's message %d times, e.g. \"%s\"\n", i, runs[i].wrong,
                    runs[i].seen);
        }
    }
    pthread_barrier_destroy(&barrier);

    /* A failure on no handle, on options and on a client all land in the
     * same channel; a success and asking for the size leave it alone. */
    CHECK_RC(dgp_options_set_max_packet(NULL, 1000), DGP_ERR_NULL_POINTER);
    CHECK(contains(last_error(), "options is NULL"));
    CHECK_RC(dgp_line_select(client, 0, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "lines 1 to 6"));
    CHECK(dgp_is_connected(client) == 0);
    CHECK_RC(dgp_last_error(NULL, 0, &len), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(dgp_last_error(message, (uint32_t)sizeof message, NULL), DGP_OK);
    CHECK(contains(message, "lines 1 to 6") && strlen(message) == len);
    CHECK_RC(dgp_client_free(client), DGP_OK);
}

int main(void) {
    dgp_sim *sim;
    dgp_client *client;
    null_handles_and_pointers();
    every_failure_sets_its_own_message();
    one_error_channel_per_thread();
    option_mistakes();
    option_getters_and_consistency();
    simulator_setting_mistakes();
    calls_while_not_connected();
    commands_before_login_and_a_second_login();
    connection_failures();
    login_rejected();
    login_never_answered();
    connection_lost_during_login();

    sim = start_sim(NULL);
    client = logged_in_client(sim, NULL, "201");
    bad_lines_and_values(sim, client);
    bad_dtmf_digits(sim, client);
    control_characters_in_every_string(sim, client);
    invalid_utf8_in_every_string(sim, client);
    null_strings_and_arrays(sim, client);
    other_refused_values(sim, client);
    commands_dgphone_refuses(client);
    confirmation_times_out(sim, client);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
    return check_finish();
}
