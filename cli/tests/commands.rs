//! The one-shot commands against the simulator: what reaches DGPhone,
//! what is printed, and the exit code.

mod common;

use common::{against, assert_exit, closed_port, dgphone, line, received, sim, text, Running};
use dgphone_sim::SimConfig;

#[test]
fn call_selects_the_line_then_dials() {
    let sim = sim(SimConfig::default());
    let output = against(&sim, &["call", "1002", "--line", "2"]).output().unwrap();
    assert_exit(&output, 0);
    assert_eq!(text(&output.stdout), "dialing 1002 on line 2\n");
    assert_eq!(received(&sim, "LineSelect", "Line").as_deref(), Some("2"));
    assert_eq!(received(&sim, "Dial", "Number").as_deref(), Some("1002"));
}

#[test]
fn answer_waits_for_a_call_then_answers_the_ringing_line() {
    let sim = sim(SimConfig::default());
    let answering = Running::spawn(against(&sim, &["answer", "--wait-ms", "10000"]));
    // The command asks for the lines first; ring once it has its answer.
    assert!(sim.wait_for_command("Status", common::WAIT).is_some());
    sim.incoming_call(line(3), "5551234");
    assert_eq!(received(&sim, "Answer", "Line").as_deref(), Some("3"));
    let (code, stderr) = answering.exit();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn answer_prints_the_line_and_number() {
    let sim = sim(SimConfig::default());
    let mut answering = Running::spawn(against(&sim, &["answer", "--wait-ms", "10000"]));
    assert!(sim.wait_for_command("Status", common::WAIT).is_some());
    sim.incoming_call(line(2), "5551234");
    answering.until("answered line 2 (5551234)");
    assert_eq!(answering.exit().0, Some(0));
}

#[test]
fn answer_with_nothing_ringing_is_refused_with_dgphones_words() {
    let sim = sim(SimConfig::default());
    let output = against(&sim, &["answer"]).output().unwrap();
    assert_exit(&output, 5);
    assert!(text(&output.stderr).contains("DGPhone refused Answer: Line 1 is not ringing"), "{}", text(&output.stderr));
    assert_eq!(received(&sim, "Answer", "Line"), None, "no line: DGPhone's selected line");
}

#[test]
fn hangup_reaches_dgphone_and_its_refusal_is_reported() {
    let sim = sim(SimConfig::default());
    let output = against(&sim, &["hangup", "2"]).output().unwrap();
    assert_exit(&output, 5);
    assert!(text(&output.stderr).contains("Line 2 is idle"), "{}", text(&output.stderr));
    assert_eq!(received(&sim, "Hangup", "Line").as_deref(), Some("2"));
}

#[test]
fn hold_sends_the_wanted_state() {
    let sim = sim(SimConfig::default());
    let output = against(&sim, &["hold", "--off", "--line", "4"]).output().unwrap();
    assert_exit(&output, 5);
    assert!(text(&output.stderr).contains("Line 4 is not in a call"), "{}", text(&output.stderr));
    assert_eq!(received(&sim, "LineSelect", "Line").as_deref(), Some("4"));
    assert_eq!(received(&sim, "Hold", "Hold").as_deref(), Some("0"));
}

#[test]
fn dtmf_is_sent_and_a_refusal_found_by_the_status_that_follows() {
    let sim = sim(SimConfig::default());
    let output = against(&sim, &["dtmf", "12#"]).output().unwrap();
    assert_exit(&output, 5);
    assert!(text(&output.stderr).contains("DGPhone refused SendDtmf: Line 1 is not in a call"));
    assert_eq!(received(&sim, "SendDtmf", "Digits").as_deref(), Some("12#"));
    assert!(sim.wait_for_command("Status", common::WAIT).is_some());
}

#[test]
fn invalid_values_are_refused_before_connecting() {
    // Nothing listens on the port: a connection attempt would exit 2.
    let port = closed_port().to_string();
    for (args, says) in [
        (vec!["answer", "7"], "7 is not a line"),
        (vec!["dtmf", "12x"], "'x' is not a DTMF digit"),
        (vec!["call", "1002", "--line", "0"], "0 is not a line"),
    ] {
        let mut command = dgphone(&args);
        let output = command.args(["--port", &port, "--user", "201"]).output().unwrap();
        assert_exit(&output, 5);
        assert!(text(&output.stderr).contains(says), "{args:?}: {}", text(&output.stderr));
    }
}

#[test]
fn status_prints_a_table_or_json() {
    let sim = sim(SimConfig::default());
    let output = against(&sim, &["status"]).output().unwrap();
    assert_exit(&output, 0);
    let table = text(&output.stdout);
    assert_eq!(table.lines().count(), 7, "{table}");
    assert_eq!(table.lines().nth(6), Some("6     idle"));

    let output = against(&sim, &["status", "--json"]).output().unwrap();
    assert_exit(&output, 0);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(value["lines"].as_array().map(Vec::len), Some(6));
    assert_eq!(value["lines"][5], serde_json::json!({"line": 6, "state": "idle", "number": null}));
}
