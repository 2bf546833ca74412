/*
 * An in-process DGPhone simulator through the C ABI, driven by the
 * library's own C client: what a C, Delphi, Python or .NET test suite does
 * to test an application without a PBX. Built and run by tests/c-sim/run.
 *
 * Every wait has a generous limit; nothing sleeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dgphone.h"

#define WAIT_MS 10000

static void fail(const char *what, dgp_result code) {
    char message[512] = "";
    dgp_last_error(NULL, message, sizeof message, NULL);
    fprintf(stderr, "FAIL %s: %s (%s)\n", what, dgp_result_str(code), message);
    exit(1);
}

#define CHECK(call)                            \
    do {                                       \
        dgp_result result_ = (call);           \
        if (result_ != DGP_OK) {               \
            fail(#call, result_);              \
        }                                      \
    } while (0)

#define EXPECT(condition)                                              \
    do {                                                               \
        if (!(condition)) {                                            \
            fprintf(stderr, "FAIL line %d: %s\n", __LINE__, #condition); \
            exit(1);                                                   \
        }                                                              \
    } while (0)

/* The next event of `kind` (others are skipped); the caller frees it. */
static dgp_event *wait_for(dgp_client *client, uint32_t kind) {
    for (;;) {
        dgp_event *event = NULL;
        dgp_result result = dgp_next_event(client, WAIT_MS, &event);
        if (result != DGP_OK) {
            fprintf(stderr, "waiting for event kind %u\n", (unsigned)kind);
            fail("dgp_next_event", result);
        }
        if (dgp_event_kind(event) == kind) {
            return event;
        }
        dgp_event_free(event);
    }
}

static void skip_to(dgp_client *client, uint32_t kind) {
    dgp_event_free(wait_for(client, kind));
}

static dgp_client *logged_in_client(uint16_t port) {
    dgp_client *client = NULL;
    CHECK(dgp_client_new(NULL, &client));
    CHECK(dgp_connect(client, "127.0.0.1", port));
    CHECK(dgp_login(client, "201"));
    return client;
}

int main(int argc, char **argv) {
    const char *recording = argc > 1 ? argv[1] : "sim_inprocess.dgrec";

    /* A simulator on a free port, with a scenario, a fault and a recording. */
    dgp_sim_config *config = dgp_sim_config_new();
    EXPECT(config != NULL);
    CHECK(dgp_sim_config_set_scenario_text(config, "c-test",
                                           "expect Login\n"
                                           "ring 1 5511999990000\n"
                                           "expect Answer Line=1\n"
                                           "dtmf 1 5\n"
                                           "hangup-far 1\n"));
    CHECK(dgp_sim_config_add_fault(config, "byte-at-a-time"));
    CHECK(dgp_sim_config_set_record(config, recording));
    dgp_sim *sim = NULL;
    CHECK(dgp_sim_start(config, NULL, 0, &sim));
    dgp_sim_config_free(config);
    uint16_t port = dgp_sim_port(sim);
    EXPECT(port != 0);

    /* The scenario plays against the library's client. */
    dgp_client *client = logged_in_client(port);
    dgp_event *ringing = wait_for(client, DGP_EVENT_RECEIVING_CALL);
    EXPECT(dgp_event_line(ringing) == 1);
    EXPECT(strcmp(dgp_event_header(ringing, "Number"), "5511999990000") == 0);
    dgp_event_free(ringing);
    CHECK(dgp_answer(client, 1, WAIT_MS));
    dgp_event *digit = wait_for(client, DGP_EVENT_DTMF_RECEIVED);
    EXPECT(dgp_event_digit(digit) == '5');
    dgp_event_free(digit);
    skip_to(client, DGP_EVENT_READY);
    CHECK(dgp_sim_wait_for_scenario(sim, WAIT_MS));

    /* Actions and faults at run time. */
    CHECK(dgp_sim_perform(sim, "ring 2 300"));
    skip_to(client, DGP_EVENT_RECEIVING_CALL);
    EXPECT(dgp_sim_perform(sim, "ring 9 300") == DGP_ERR_INVALID_ARGUMENT);
    EXPECT(dgp_sim_perform(sim, "ring 2 301") == DGP_ERR_COMMAND_FAILED);
    CHECK(dgp_sim_clear_faults(sim));
    CHECK(dgp_sim_set_fault(sim, "oversize"));
    skip_to(client, DGP_EVENT_PROTOCOL_ERROR);
    CHECK(dgp_sim_perform(sim, "hangup-far 2"));
    dgp_event *ready = wait_for(client, DGP_EVENT_READY);
    EXPECT(dgp_event_line(ready) == 2);
    dgp_event_free(ready);
    CHECK(dgp_logoff(client));
    skip_to(client, DGP_EVENT_DISCONNECTED);
    CHECK(dgp_client_free(client));
    dgp_sim_free(sim);

    /* The recording replays the first call to a new client. */
    dgp_replay *replay = NULL;
    CHECK(dgp_replay_start(recording, NULL, 0, 1, &replay));
    client = logged_in_client(dgp_replay_port(replay));
    skip_to(client, DGP_EVENT_RECEIVING_CALL);
    CHECK(dgp_answer(client, 1, WAIT_MS));
    skip_to(client, DGP_EVENT_DTMF_RECEIVED);
    skip_to(client, DGP_EVENT_READY);
    CHECK(dgp_client_free(client));
    dgp_replay_free(replay);
    remove(recording);

    printf("sim_inprocess: ok (simulator on port %u)\n", (unsigned)port);
    return 0;
}
