//! `dgphone console` with commands piped in, as a script would drive it.

mod common;

use common::{against, line, received, sim, Running};
use dgphone_sim::SimConfig;

#[test]
fn a_whole_session_typed_into_the_console() {
    let sim = sim(SimConfig::default());
    let mut console = Running::spawn(against(&sim, &["console"]));
    // It starts by asking for the lines and showing them.
    console.until("6     idle");

    console.type_line("call 1002 --line 2");
    console.until("Answer         User=201 Line=2 Number=1002");
    console.until("lines 1:idle 2*:connected(1002)");
    assert_eq!(received(&sim, "LineSelect", "Line").as_deref(), Some("2"));
    assert_eq!(received(&sim, "Dial", "Number").as_deref(), Some("1002"));

    console.type_line("hold");
    console.until("Hold           User=201 Line=2 Hold=1");
    console.type_line("hold");
    console.until("Hold           User=201 Line=2 Hold=0");

    console.type_line("dtmf 12#");
    console.until("sending 3 DTMF digit(s)");
    assert_eq!(received(&sim, "SendDtmf", "Digits").as_deref(), Some("12#"));

    console.type_line("hangup");
    console.until("Ready          User=201 Line=2");
    assert_eq!(received(&sim, "Hangup", "Line"), None, "the selected line has the call");

    sim.incoming_call(line(3), "5551234");
    console.until("ReceivingCall  User=201 Line=3 Number=5551234");
    console.type_line("answer");
    console.until("Answer         User=201 Line=3");
    assert_eq!(received(&sim, "Answer", "Line").as_deref(), Some("3"));

    console.type_line("lines");
    console.until("3     connected     5551234");

    // Line 2 is still selected and free: a line-less hold acts on the
    // call, selecting line 3 first; from then on line 3 is the selected one.
    console.type_line("hold");
    console.until("Hold           User=201 Line=3 Hold=1");
    assert_eq!(received(&sim, "LineSelect", "Line").as_deref(), Some("3"));
    console.type_line("hold");
    console.until("Hold           User=201 Line=3 Hold=0");
    console.type_line("hangup");
    console.until("Ready          User=201 Line=3");

    // Mistakes and refusals are reported; the console goes on.
    console.type_line("bogus");
    console.until("unrecognized subcommand 'bogus'");
    console.type_line("answer 4");
    console.until("error: DGPhone refused Answer on line 4: Line 4 is not ringing");
    console.type_line("select 9");
    console.until("error: invalid line: 9 is not a line");

    console.type_line("quit");
    let (code, stderr) = console.exit();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn end_of_input_leaves_and_logoff_is_clean() {
    let sim = sim(SimConfig::default());
    let mut console = Running::spawn(against(&sim, &["console"]));
    console.until("6     idle");
    console.close_stdin();
    assert_eq!(console.exit().0, Some(0));

    let mut console = Running::spawn(against(&sim, &["console"]));
    console.until("6     idle");
    console.type_line("logoff");
    console.until("disconnected: logged off");
    assert_eq!(console.exit().0, Some(0));
    assert!(sim.wait_for_command("logoff", common::WAIT).is_some());
}

#[test]
fn help_lists_the_commands() {
    let sim = sim(SimConfig::default());
    let mut console = Running::spawn(against(&sim, &["console"]));
    console.type_line("help");
    console.until("dtmf    Send DTMF DIGITS");
    console.type_line("help call");
    console.until("--line <LINE>");
}
