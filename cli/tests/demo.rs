//! `dgphone demo`: the README's first command.

mod common;

use common::{assert_exit, dgphone, text};

#[test]
fn demo_narrates_a_full_session_and_exits_0() {
    let output = dgphone(&["demo"]).output().expect("the demo runs");
    assert_exit(&output, 0);
    let out = text(&output.stdout);
    let steps = [
        ">> 1. connect and log in as extension 201",
        "logged in as 201",
        "rings on line 1",
        "ReceivingCall  User=201 Line=1 Number=5511987654321",
        "-> Command=Answer Line=1",
        "lines 1:connected(5511987654321)",
        "DTMFReceived   User=201 Line=1 Digit=2",
        "-> Command=Dial Number=1002",
        "lines 1:idle 2*:connected(1002)",
        "Hold           User=201 Line=2 Hold=1",
        "Hold           User=201 Line=2 Hold=0",
        "-> Command=SendDtmf Digits=***",
        "Hangup         User=201 Line=2",
        "disconnected: logged off",
        "demo complete: 12 steps",
    ];
    let mut rest = out.as_str();
    for step in steps {
        let at = rest.find(step).unwrap_or_else(|| panic!("{step:?} missing, or out of order, in:\n{out}"));
        rest = &rest[at + step.len()..];
    }
    assert!(!out.contains("Digits=123#"), "sent DTMF digits are hidden in what goes on the wire:\n{out}");
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
}
