/*
 * An in-process DGPhone simulator through the C ABI, driven by the
 * library's own client: what a C, Delphi, Python or .NET test suite does
 * to test an application without a PBX. A scenario, a fault and a
 * recording at start; actions and faults at run time; the recording
 * replayed to a new client.
 *
 * The first argument names the recording file (default: in /tmp).
 */
#include "check.h"

static dgp_client *client_on(uint16_t port) {
    dgp_client *client = new_client(NULL);
    REQUIRE(dgp_connect(client, "127.0.0.1", port) == DGP_OK);
    REQUIRE(dgp_login(client, "201") == DGP_OK);
    return client;
}

static void scenario_fault_and_recording(const char *recording) {
    dgp_sim_config *config = dgp_sim_config_new();
    dgp_sim *sim;
    dgp_client *client;
    dgp_event *event;
    REQUIRE(config != NULL);
    CHECK_SIM(dgp_sim_config_set_scenario_text(config, "c-test",
                                               "expect Login\n"
                                               "ring 1 5511999990000\n"
                                               "expect Answer Line=1\n"
                                               "dtmf 1 5\n"
                                               "hangup-far 1\n"),
              DGP_OK);
    CHECK_SIM(dgp_sim_config_add_fault(config, "byte-at-a-time"), DGP_OK);
    CHECK_SIM(dgp_sim_config_set_record(config, recording), DGP_OK);
    sim = start_sim(config);
    dgp_sim_config_free(config);

    /* The scenario plays against the client, one byte at a time. */
    client = client_on(dgp_sim_port(sim));
    event = wait_event(client, DGP_EVENT_RECEIVING_CALL, 1);
    CHECK(event != NULL);
    CHECK_STR(dgp_event_number(event), "5511999990000");
    dgp_event_free(event);
    CHECK_RC(dgp_answer(client, 1, WAIT_MS), DGP_OK);
    event = wait_event(client, DGP_EVENT_DTMF_RECEIVED, 1);
    CHECK(event != NULL && dgp_event_digit(event) == '5');
    dgp_event_free(event);
    EXPECT_EVENT(client, DGP_EVENT_READY, 1);
    CHECK_SIM(dgp_sim_wait_for_scenario(sim, WAIT_MS), DGP_OK);

    /* Actions and faults at run time; bad actions are refused. */
    CHECK_SIM(dgp_sim_perform(sim, "ring 2 300"), DGP_OK);
    EXPECT_EVENT(client, DGP_EVENT_RECEIVING_CALL, 2);
    CHECK_SIM(dgp_sim_perform(sim, "ring 9 300"), DGP_ERR_INVALID_ARGUMENT);
    CHECK_SIM(dgp_sim_perform(sim, "ring 2 301"), DGP_ERR_COMMAND_FAILED);
    CHECK_SIM(dgp_sim_clear_faults(sim), DGP_OK);
    CHECK_SIM(dgp_sim_set_fault(sim, "oversize"), DGP_OK);
    EXPECT_EVENT(client, DGP_EVENT_PROTOCOL_ERROR, 0);
    CHECK_SIM(dgp_sim_perform(sim, "hangup-far 2"), DGP_OK);
    EXPECT_EVENT(client, DGP_EVENT_READY, 2);
    CHECK_RC(dgp_logoff(client), DGP_OK);
    EXPECT_EVENT(client, DGP_EVENT_DISCONNECTED, 0);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

/* A profile and the field switches: the far end rings before it answers,
 * an idle hangup is answered Ready, bad values are refused. */
static void field_profile_and_switches(void) {
    dgp_sim_config *config = dgp_sim_config_new();
    dgp_sim *sim;
    dgp_client *client;
    long long dialled;
    REQUIRE(config != NULL);
    CHECK_SIM(dgp_sim_config_set_profile(config, "field-2013"), DGP_OK);
    CHECK_SIM(dgp_sim_config_set_profile(config, "field-1999"), DGP_ERR_INVALID_ARGUMENT);
    CHECK_SIM(dgp_sim_config_set_answer_delay_ms(config, 300), DGP_OK);
    CHECK_SIM(dgp_sim_config_set_timestamp_fields(config, DGP_SIM_TIMESTAMP_BOTH), DGP_OK);
    CHECK_SIM(dgp_sim_config_set_timestamp_fields(config, 9), DGP_ERR_INVALID_ARGUMENT);
    CHECK_SIM(dgp_sim_config_set_timestamps_from_connect(config, 0), DGP_OK);
    CHECK_SIM(dgp_sim_config_set_login_refusal(config, DGP_SIM_REFUSAL_RESPONSE), DGP_OK);
    CHECK_SIM(dgp_sim_config_set_login_refusal(config, 9), DGP_ERR_INVALID_ARGUMENT);
    CHECK_SIM(dgp_sim_config_set_idle_hangup(config, 9), DGP_ERR_INVALID_ARGUMENT);
    sim = start_sim(config);
    dgp_sim_config_free(config);

    client = client_on(dgp_sim_port(sim));
    CHECK_RC(dgp_hangup(client, 3, 0), DGP_OK);
    EXPECT_EVENT(client, DGP_EVENT_READY, 3);
    CHECK_RC(dgp_dial(client, "100", WAIT_MS), DGP_OK);
    dialled = now_ms();
    EXPECT_EVENT(client, DGP_EVENT_ANSWER, 1);
    CHECK(now_ms() - dialled >= 150); /* 300 ms after Dialing was sent, less the delivery */
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_sim_free(sim);
}

static void replay_gives_the_same_call(const char *recording) {
    dgp_replay *replay = NULL;
    dgp_client *client;
    CHECK_SIM(dgp_replay_start(recording, NULL, 0, 1, &replay), DGP_OK);
    REQUIRE(replay != NULL);
    client = client_on(dgp_replay_port(replay));
    EXPECT_EVENT(client, DGP_EVENT_RECEIVING_CALL, 1);
    CHECK_RC(dgp_answer(client, 1, WAIT_MS), DGP_OK);
    EXPECT_EVENT(client, DGP_EVENT_DTMF_RECEIVED, 1);
    EXPECT_EVENT(client, DGP_EVENT_READY, 1);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    dgp_replay_free(replay);
}

int main(int argc, char **argv) {
    const char *recording = argc > 1 ? argv[1] : "/tmp/dgphone-c-simulator.dgrec";
    scenario_fault_and_recording(recording);
    replay_gives_the_same_call(recording);
    field_profile_and_switches();
    remove(recording);
    return check_finish();
}
