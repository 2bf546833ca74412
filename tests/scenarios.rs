//! Each shipped scenario driven end to end by the client library, the way
//! an application would meet it, and the scenario machinery itself:
//! failures, several clients with their own progress, actions at run time.
//!
//! The `wait` steps inside the shipped scenarios are the behaviour under
//! test; the tests themselves only wait for events, with a generous limit.

mod common;

use std::time::Duration;

use common::*;
use dgphone::client::Reconnect;
use dgphone::flows::{agent_login, AgentLogin};
use dgphone::{AgentState, ClientEvent, DisconnectReason, EventKind, LineState, Options};
use dgphone_sim::{Action, Scenario, ScenarioOutcome, SimConfig, Simulator};

fn playing(scenario: Scenario) -> Simulator {
    sim(SimConfig { scenario: Some(scenario.shared()), ..SimConfig::default() })
}

fn builtin(name: &str) -> Simulator {
    playing(Scenario::builtin(name).expect("a shipped scenario"))
}

fn outcome(sim: &Simulator) -> ScenarioOutcome {
    sim.wait_for_scenario(WAIT).expect("the scenario ended")
}

fn passed(sim: &Simulator) {
    let outcome = outcome(sim);
    assert_eq!(outcome.result, Ok(()), "{outcome:?}");
}

#[test]
fn outgoing_call() {
    let sim = builtin("outgoing-call");
    let client = logged_in(&sim);
    client.dial("1002").unwrap();
    let dialing = wait_phone(&client, EventKind::Dialing, Some(1));
    assert_eq!(dialing.number(), Some("1002"));
    assert_eq!(client.line(line(1)).state, LineState::Dialing, "the far end lets it ring first");
    wait_phone(&client, EventKind::Answer, Some(1));
    assert_eq!(client.line(line(1)).state, LineState::Connected);
    wait_phone(&client, EventKind::Hangup, Some(1));
    wait_phone(&client, EventKind::Ready, Some(1));
    passed(&sim);
}

#[test]
fn incoming_call() {
    let sim = builtin("incoming-call");
    let client = logged_in(&sim);
    let ringing = wait_phone(&client, EventKind::ReceivingCall, Some(1));
    assert_eq!(ringing.number(), Some("5511999990000"));
    client.answer(ringing.line()).unwrap();
    wait_phone(&client, EventKind::Answer, Some(1));
    assert_eq!(wait_phone(&client, EventKind::DtmfReceived, Some(1)).digit(), Some('5'));
    wait_phone(&client, EventKind::Hangup, Some(1));
    wait_phone(&client, EventKind::Ready, Some(1));
    assert_eq!(client.line(line(1)).state, LineState::Idle);
    passed(&sim);
}

#[test]
fn agent_login_by_feature_code_and_dtmf() {
    let sim = builtin("agent-login");
    let client = logged_in(&sim);
    let login = agent_login(&client, &AgentLogin::new("7001", "1234")).expect("the agent logs in");
    assert_eq!(login.agent(), Some("7001"));
    let called = wait_phone(&client, EventKind::AgentCalled, None);
    assert_eq!((called.agent(), called.uniqueid()), (Some("7001"), Some("1700000000.1")));
    wait_phone(&client, EventKind::AgentNoAnswer, None);
    assert_eq!(client.line(line(1)).state, LineState::Connected, "the shift's call stays up");
    client.hangup(Some(line(1))).unwrap();
    assert_eq!(wait_phone(&client, EventKind::AgentLogoff, None).agent(), Some("7001"));
    passed(&sim);
    let dtmf: Vec<_> = sim.commands().into_iter().filter(|c| c.get("Command") == Some("SendDtmf")).collect();
    assert_eq!(dtmf.len(), 2);
}

#[test]
fn queue_call_to_an_agent() {
    let sim = builtin("queue-call");
    let client = logged_in(&sim);
    assert_eq!(wait_phone(&client, EventKind::AgentLogin, None).agent(), Some("7001"));
    assert_eq!(client.state().agent_state(), AgentState::Available);
    let called = wait_phone(&client, EventKind::AgentCalled, None);
    assert_eq!((called.uniqueid(), called.queue()), (Some("1700000000.42"), Some("sales")));
    let ringing = wait_phone(&client, EventKind::ReceivingCall, Some(1));
    assert_eq!(ringing.number(), Some("5511988887777"));
    client.answer(None).unwrap();
    wait_phone(&client, EventKind::Answer, Some(1));
    assert_eq!(wait_phone(&client, EventKind::AgentConnect, None).uniqueid(), Some("1700000000.42"));
    wait_phone(&client, EventKind::Hangup, Some(1));
    wait_phone(&client, EventKind::Ready, Some(1));
    assert_eq!(wait_phone(&client, EventKind::AgentComplete, None).uniqueid(), Some("1700000000.42"));
    passed(&sim);
}

#[test]
fn dgphone_closing_with_user_logoff() {
    let sim = builtin("user-logoff");
    let reconnect = Reconnect { initial_delay: Duration::from_millis(20), ..Reconnect::default() };
    let client = connect(&sim, Options { reconnect: Some(reconnect), ..Options::default() });
    client.login("201").unwrap();
    wait_phone(&client, EventKind::ReceivingCall, Some(1));
    wait_phone(&client, EventKind::Hangup, Some(1));
    wait_phone(&client, EventKind::Ready, Some(1));
    assert_eq!(wait_phone(&client, EventKind::UserLogoff, None).user(), Some("201"));
    wait_for(&client, "disconnection", |e| {
        matches!(e, ClientEvent::Disconnected { reason: DisconnectReason::LoggedOff })
    });
    passed(&sim);
    assert!(client.next_event(Duration::from_millis(200)).is_none(), "no reconnection after a logoff");
}

#[test]
fn an_expect_that_times_out_fails_the_scenario_clearly() {
    let sim = playing(Scenario::parse("mine.scn", "# waits for a dial\n\nexpect Dial within 100ms").unwrap());
    let _client = logged_in(&sim);
    let failure = outcome(&sim).result.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "mine.scn:3: `expect Dial within 100ms`: no such command within 100ms; received instead: Login"
    );
}

#[test]
fn a_client_leaving_early_fails_the_scenario() {
    let sim = playing(Scenario::parse("leave.scn", "expect Login\nexpect Answer").unwrap());
    let client = logged_in(&sim);
    client.disconnect();
    let failure = outcome(&sim).result.unwrap_err();
    assert_eq!((failure.line, failure.step.as_str()), (2, "expect Answer"));
    assert_eq!(failure.message, "the connection ended (closed by the client) while waiting for this command");
}

#[test]
fn a_step_that_does_not_fit_says_why() {
    let sim = playing(Scenario::parse("early.scn", "ring 1 100").unwrap());
    let _client = connect(&sim, Options::default());
    let failure = outcome(&sim).result.unwrap_err();
    assert_eq!(failure.to_string(), "early.scn:1: `ring 1 100`: the client has not logged in");
}

#[test]
fn several_clients_each_play_their_own_run() {
    let text = "expect Login\nring 2 300\nexpect Answer Line=2\nhangup-far 2";
    let sim = playing(Scenario::parse("each.scn", text).unwrap());
    let a = logged_in(&sim);
    wait_phone(&a, EventKind::ReceivingCall, Some(2));
    let b = logged_in(&sim);
    wait_phone(&b, EventKind::ReceivingCall, Some(2));
    // b answers first; a's run is still waiting for its own Answer.
    b.answer(Some(line(2))).unwrap();
    wait_phone(&b, EventKind::Ready, Some(2));
    let first = outcome(&sim);
    assert_eq!((first.client, first.result), (2, Ok(())));
    assert_eq!(a.line(line(2)).state, LineState::Offering);
    a.answer(Some(line(2))).unwrap();
    wait_phone(&a, EventKind::Ready, Some(2));
    let second = outcome(&sim);
    assert_eq!((second.client, second.result), (1, Ok(())));
}

#[test]
fn actions_at_run_time_reach_every_client() {
    let sim = sim(SimConfig::default());
    let client = logged_in(&sim);
    let ring: Action = "ring 2 300".parse().unwrap();
    assert_eq!(sim.perform(&ring), [(1, Ok(()))]);
    wait_phone(&client, EventKind::ReceivingCall, Some(2));
    assert_eq!(sim.perform(&ring), [(1, Err("line 2 is busy".to_string()))]);
    sim.perform(&"send Error Message=\"Ligação não completada\"".parse().unwrap());
    assert_eq!(wait_phone(&client, EventKind::Error, None).message(), Some("Ligação não completada"));
    sim.perform(&"dtmf 2 9".parse().unwrap()).remove(0).1.expect_err("line 2 only rings");
    sim.perform(&"hangup-far".parse().unwrap());
    wait_phone(&client, EventKind::Ready, Some(2));
}

#[test]
fn a_fault_on_one_client_leaves_the_others_alone() {
    let sim = sim(SimConfig::default());
    let a = logged_in(&sim); // client 1
    let b = logged_in(&sim);
    let silent: Action = "fault silent".parse().unwrap();
    assert_eq!(sim.perform_on(1, &silent), Some(Ok(())));
    assert_eq!(sim.perform_on(99, &silent), None);
    sim.incoming_call(line(1), "100");
    wait_phone(&b, EventKind::ReceivingCall, Some(1));
    sim.clear_faults();
    a.request_status().unwrap();
    let mut heard = Vec::new();
    loop {
        let event = wait_for(&a, "a status event", |e| e.phone().is_some());
        let event = event.phone().unwrap();
        heard.push((event.kind(), event.line()));
        if event.line() == Some(line(6)) {
            break;
        }
    }
    // a's phone rang too, silently: only its Status tells.
    assert_eq!(heard[0], (EventKind::ReceivingCall, Some(line(1))));
    assert_eq!(heard.len(), 6, "a heard nothing while silent: {heard:?}");
}
