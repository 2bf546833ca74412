/*
 * Error codes and their messages through dgphone.dll on Windows: a NULL
 * handle, an invalid line, a refused connection, the caller-buffer
 * convention of dgp_last_error, and dgp_result_str.
 */
#include "wcheck.h"

static void null_handles(void) {
    dgp_event *event = NULL;
    CHECK_RC(dgp_client_new(NULL, NULL), DGP_ERR_NULL_POINTER);
    CHECK(contains(last_error(), "out is NULL"));
    CHECK_RC(dgp_connect(NULL, "127.0.0.1", 5038), DGP_ERR_NULL_POINTER);
    CHECK(contains(last_error(), "client handle is NULL"));
    CHECK_RC(dgp_login(NULL, "201"), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_dial(NULL, "100", 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_hangup(NULL, 0, 0), DGP_ERR_NULL_POINTER);
    CHECK_RC(dgp_next_event(NULL, 0, &event), DGP_ERR_NULL_POINTER);
    CHECK(event == NULL);
    CHECK_RC(dgp_client_free(NULL), DGP_OK); /* NULL is a no-op */
}

static void invalid_lines(dgp_client *client) {
    const int32_t bad_lines[] = {0, 7, -1, 100};
    uint32_t state = 999;
    char buf[32];
    size_t i;
    for (i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
        CHECK_RC(dgp_line_select(client, bad_lines[i], 0), DGP_ERR_INVALID_ARGUMENT);
        CHECK(last_error()[0] != '\0');
        CHECK_RC(dgp_line_state(client, bad_lines[i], &state), DGP_ERR_INVALID_ARGUMENT);
        CHECK_RC(dgp_line_number(client, bad_lines[i], buf, sizeof buf, NULL), DGP_ERR_INVALID_ARGUMENT);
    }
    CHECK(state == 999); /* nothing written on an error */
}

static void not_connected_and_refused(dgp_client *client) {
    dgp_sim *sim = start_sim();
    uint16_t port = dgp_sim_port(sim);
    CHECK_RC(dgp_login(client, "201"), DGP_ERR_NOT_CONNECTED);
    CHECK(last_error()[0] != '\0');
    /* A port nobody listens on any more: Winsock's refusal, in words. */
    dgp_sim_free(sim);
    CHECK_RC(dgp_connect(client, "127.0.0.1", port), DGP_ERR_CONNECT);
    CHECK(contains(last_error(), "127.0.0.1"));
    CHECK(dgp_is_connected(client) == 0);
}

static void last_error_buffer_convention(dgp_client *client) {
    char small[4] = "zzz";
    char message[512];
    uint32_t len = 0, len2 = 0;
    CHECK_RC(dgp_line_select(client, 9, 0), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_last_error(NULL, 0, &len), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(len > 3);
    CHECK_RC(dgp_last_error(small, sizeof small, &len2), DGP_ERR_BUFFER_TOO_SMALL);
    CHECK(len2 == len);
    CHECK(strcmp(small, "zzz") == 0); /* nothing written when it does not fit */
    CHECK_RC(dgp_last_error(message, sizeof message, &len2), DGP_OK);
    CHECK(len2 == len && strlen(message) == len);
}

static void result_strings(void) {
    CHECK(strcmp(dgp_result_str(DGP_OK), "ok") == 0);
    CHECK(strcmp(dgp_result_str(9999), "unknown result code") == 0);
    CHECK(dgp_result_str(DGP_ERR_CONNECT)[0] != '\0');
    CHECK(strcmp(dgp_result_str(DGP_ERR_CONNECT), dgp_result_str(DGP_ERR_TIMEOUT)) != 0);
}

int main(void) {
    dgp_client *client = NULL;
    null_handles();
    CHECK_RC(dgp_client_new(NULL, &client), DGP_OK);
    REQUIRE(client != NULL);
    invalid_lines(client);
    not_connected_and_refused(client);
    last_error_buffer_convention(client);
    result_strings();
    CHECK_RC(dgp_client_free(client), DGP_OK);
    return check_finish();
}
