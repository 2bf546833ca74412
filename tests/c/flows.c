/*
 * The call flows (dgp_*_call, dgp_refresh_lines) from C: the procedures the dgphone
 * command runs. A call rings on line 3 while line 1 is selected: the flows
 * answer, hold, send DTMF on and hang up line 3, which a plain command
 * given no line would not (it acts on DGPhone's selected line).
 */
#include "check.h"

static uint32_t state_of(dgp_client *client, int32_t line) {
    uint32_t state = 99;
    CHECK_RC(dgp_line_state(client, line, &state), DGP_OK);
    return state;
}

static void the_flows_act_on_the_line_a_person_means(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = logged_in_client(sim, NULL, "201");

    CHECK_SIM(dgp_sim_incoming_call(sim, 3, "5511"), DGP_OK);
    CHECK_RC(dgp_refresh_lines(client, WAIT_MS), DGP_OK);
    CHECK(state_of(client, 3) == DGP_LINE_OFFERING);

    CHECK_RC(dgp_answer_call(client, 0, 0, WAIT_MS), DGP_OK);
    CHECK(state_of(client, 3) == DGP_LINE_CONNECTED);
    CHECK_RC(dgp_hold_call(client, DGP_HOLD_ON, 0, WAIT_MS), DGP_OK);
    CHECK(state_of(client, 3) == DGP_LINE_ON_HOLD);
    CHECK_RC(dgp_hold_call(client, DGP_HOLD_TOGGLE, 0, WAIT_MS), DGP_OK);
    CHECK(state_of(client, 3) == DGP_LINE_CONNECTED);
    CHECK_RC(dgp_send_call_dtmf(client, "12#", 0, WAIT_MS), DGP_OK);
    CHECK_RC(dgp_end_call(client, 0, WAIT_MS), DGP_OK);
    CHECK(state_of(client, 3) != DGP_LINE_CONNECTED);
    CHECK(state_of(client, 1) == DGP_LINE_IDLE);

    CHECK_RC(dgp_place_call(client, "1002", 2, WAIT_MS), DGP_OK);
    CHECK(state_of(client, 2) == DGP_LINE_DIALING || state_of(client, 2) == DGP_LINE_CONNECTED);

    dgp_client_free(client);
    dgp_sim_free(sim);
}

static void a_failing_flow_names_its_step_and_sends_nothing_bad(void) {
    dgp_sim *sim = start_sim(NULL);
    dgp_client *client = logged_in_client(sim, NULL, "201");

    CHECK_RC(dgp_answer_call(client, 4, 0, WAIT_MS), DGP_ERR_COMMAND_FAILED);
    CHECK(contains(last_error(), "Answer on line 4"));
    CHECK_RC(dgp_hold_call(client, 7, 0, WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
    CHECK(contains(last_error(), "DGP_HOLD_"));
    CHECK_RC(dgp_send_call_dtmf(client, "12X", 0, WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
    CHECK_RC(dgp_place_call(client, "1\r\n2", 0, WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
    /* Refused before the line they name is selected: nothing at all sent. */
    {
        uint32_t before = dgp_sim_command_count(sim);
        CHECK_RC(dgp_send_call_dtmf(client, "%", 2, WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
        CHECK(contains(last_error(), "SendDtmf"));
        CHECK_RC(dgp_place_call(client, "1\r\n2", 2, WAIT_MS), DGP_ERR_INVALID_ARGUMENT);
        CHECK_RC(dgp_status(client), DGP_OK);
        CHECK_SIM(dgp_sim_wait_for_command(sim, "Status", WAIT_MS), DGP_OK);
        CHECK(dgp_sim_command_count(sim) == before + 1); /* the Status alone */
    }
    CHECK_RC(dgp_answer_call(client, 0, 50, WAIT_MS), DGP_ERR_TIMEOUT);
    CHECK(contains(last_error(), "waiting for a call to ring"));
    CHECK_RC(dgp_refresh_lines(NULL, WAIT_MS), DGP_ERR_NULL_POINTER);

    dgp_client_free(client);
    dgp_sim_free(sim);
}

int main(void) {
    the_flows_act_on_the_line_a_person_means();
    a_failing_flow_names_its_step_and_sends_nothing_bad();
    return check_finish();
}
