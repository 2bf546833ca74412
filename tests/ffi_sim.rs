//! The simulator's C ABI, called the way a C, Python or .NET test would:
//! through the exported `dgp_*` functions with C strings and result codes
//! (the C test in tests/sim-c does the same from C itself).

mod common;

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr;

use common::*;
use dgphone::ffi::*;
use dgphone::wire::record::Recording;
use dgphone::{Client, ClientEvent, EventKind, Options};
use dgphone_sim::ffi::*;

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

/// The message of the last failed simulator call on this thread.
fn last_error() -> String {
    let mut buf = [0 as c_char; 512];
    let mut len = 0u32;
    // SAFETY: a buffer of its size, a writable length.
    assert_eq!(unsafe { dgp_sim_last_error(buf.as_mut_ptr(), buf.len() as u32, &mut len) }, DGP_OK);
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned()
}

/// Starts a simulator with `config` on an ephemeral port.
fn start(config: *mut dgp_sim_config) -> *mut dgp_sim {
    let mut sim = ptr::null_mut();
    // SAFETY: a valid config, NULL host, a writable out pointer.
    assert_eq!(unsafe { dgp_sim_start(config, ptr::null(), 0, &mut sim) }, DGP_OK, "{}", last_error());
    assert!(unsafe { dgp_sim_port(sim) } > 0);
    sim
}

fn client_of(port: u16) -> Client {
    let client = Client::connect("127.0.0.1", port, Options::default()).unwrap();
    client.login("201").unwrap();
    client
}

#[test]
fn scenario_switches_faults_and_actions_through_the_c_abi() {
    unsafe {
        let config = dgp_sim_config_new();
        assert_eq!(dgp_sim_config_set_bare_lf(config, 1), DGP_OK);
        assert_eq!(dgp_sim_config_set_windows_1252(config, 1), DGP_OK);
        assert_eq!(dgp_sim_config_add_fault(config, c("byte-at-a-time").as_ptr()), DGP_OK);
        let text = c("expect Login\nsend Error Message=\"Ligação não completada\"\nexpect Hangup within 10s");
        assert_eq!(dgp_sim_config_set_scenario_text(config, c("mine").as_ptr(), text.as_ptr()), DGP_OK);
        let sim = start(config);
        dgp_sim_config_free(config);

        let client = client_of(dgp_sim_port(sim));
        let error = wait_phone(&client, EventKind::Error, None);
        assert_eq!(error.message(), Some("Ligação não completada"), "Windows-1252 read back, byte by byte");

        assert_eq!(dgp_sim_perform(sim, c("ring 2 5511").as_ptr()), DGP_OK, "{}", last_error());
        assert_eq!(wait_phone(&client, EventKind::ReceivingCall, Some(2)).number(), Some("5511"));
        assert_eq!(dgp_sim_perform(sim, c("ring 2 5512").as_ptr()), DGP_ERR_COMMAND_FAILED);
        assert_eq!(last_error(), "client 1: line 2 is busy");
        assert_eq!(dgp_sim_perform(sim, c("ring two").as_ptr()), DGP_ERR_INVALID_ARGUMENT);
        assert_eq!(last_error(), "expected a line number 1 to 6, found two");

        client.hangup(Some(line(2))).unwrap();
        assert_eq!(dgp_sim_wait_for_scenario(sim, 10_000), DGP_OK, "{}", last_error());
        assert_eq!(dgp_sim_wait_for_scenario(sim, 10), DGP_ERR_TIMEOUT);

        assert_eq!(dgp_sim_set_fault(sim, c("nul").as_ptr()), DGP_OK);
        assert_eq!(wait_phone(&client, EventKind::Error, None).message(), Some("before\u{FFFD}after"));
        assert_eq!(dgp_sim_set_fault(sim, c("explode").as_ptr()), DGP_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("is not a fault (one of: delay=DURATION"), "{}", last_error());
        assert_eq!(dgp_sim_clear_faults(sim), DGP_OK);
        assert_eq!(dgp_sim_restart(sim, 10), DGP_OK);
        wait_for(&client, "the restart", |e| matches!(e, ClientEvent::Disconnected { .. }));
        dgp_sim_free(sim);
    }
}

#[test]
fn scenario_errors_and_failures_are_explained() {
    unsafe {
        let config = dgp_sim_config_new();
        assert_eq!(dgp_sim_config_set_scenario(config, c("no-such").as_ptr()), DGP_ERR_INVALID_ARGUMENT);
        assert!(last_error().starts_with("no-such: expected a built-in scenario (outgoing-call,"), "{}", last_error());
        let bad = c("wait 1s\nring 9 100");
        assert_eq!(
            dgp_sim_config_set_scenario_text(config, c("bad.scn").as_ptr(), bad.as_ptr()),
            DGP_ERR_INVALID_ARGUMENT
        );
        assert_eq!(last_error(), "bad.scn:2: expected a line number 1 to 6, found 9");
        assert_eq!(dgp_sim_config_add_fault(config, c("flood").as_ptr()), DGP_ERR_INVALID_ARGUMENT);
        assert_eq!(dgp_sim_config_add_fault(config, ptr::null()), DGP_ERR_NULL_POINTER);

        let quick = c("expect Dial within 50ms");
        assert_eq!(dgp_sim_config_set_scenario_text(config, c("quick").as_ptr(), quick.as_ptr()), DGP_OK);
        let sim = start(config);
        let _client = client_of(dgp_sim_port(sim));
        assert_eq!(dgp_sim_wait_for_scenario(sim, 10_000), DGP_ERR_SCENARIO_FAILED);
        assert_eq!(
            last_error(),
            "quick:1: `expect Dial within 50ms`: no such command within 50ms; received instead: Login"
        );
        let description = CStr::from_ptr(dgp_result_str(DGP_ERR_SCENARIO_FAILED));
        assert_eq!(description.to_str(), Ok("simulator scenario failed"));
        dgp_sim_free(sim);

        // A built-in scenario by name, then none again.
        assert_eq!(dgp_sim_config_set_scenario(config, c("incoming-call").as_ptr()), DGP_OK);
        assert_eq!(dgp_sim_config_set_scenario(config, ptr::null()), DGP_OK);
        dgp_sim_config_free(config);
        assert_eq!(dgp_sim_wait_for_scenario(ptr::null(), 0), DGP_ERR_NULL_POINTER);
    }
}

#[test]
fn record_then_replay_through_the_c_abi() {
    let path = std::env::temp_dir().join(format!("dgphone-ffi-{}.dgrec", std::process::id()));
    let c_path = c(path.to_str().unwrap());
    unsafe {
        let config = dgp_sim_config_new();
        assert_eq!(dgp_sim_config_set_record(config, c_path.as_ptr()), DGP_OK);
        let sim = start(config);
        dgp_sim_config_free(config);
        let client = client_of(dgp_sim_port(sim));
        assert_eq!(dgp_sim_incoming_call(sim, 1, c("100").as_ptr()), DGP_OK);
        wait_phone(&client, EventKind::ReceivingCall, Some(1));
        drop(client);
        dgp_sim_free(sim);
        assert_eq!(Recording::load(&path).unwrap().connections.len(), 1);

        let mut replay = ptr::null_mut();
        assert_eq!(dgp_replay_start(c_path.as_ptr(), ptr::null(), 0, 1, &mut replay), DGP_OK, "{}", last_error());
        let client = client_of(dgp_replay_port(replay));
        assert_eq!(wait_phone(&client, EventKind::ReceivingCall, Some(1)).number(), Some("100"));
        assert_eq!(dgp_replay_wait_until_played(replay, 1, 10_000), DGP_OK);
        drop(client);
        dgp_replay_free(replay);
        dgp_replay_free(ptr::null_mut());

        let missing = c("/nonexistent/x.dgrec");
        assert_eq!(dgp_replay_start(missing.as_ptr(), ptr::null(), 0, 0, &mut replay), DGP_ERR_INVALID_ARGUMENT);
        assert!(replay.is_null());
        assert!(last_error().starts_with("/nonexistent/x.dgrec: expected a readable recording"), "{}", last_error());
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_c_clients_wire_log_is_a_recording() {
    let path = std::env::temp_dir().join(format!("dgphone-ffi-client-{}.dgrec", std::process::id()));
    let c_path = c(path.to_str().unwrap());
    unsafe {
        let sim = start(ptr::null_mut());
        let options = dgp_options_new();
        assert_eq!(dgp_options_set_wire_log(options, c_path.as_ptr()), DGP_OK);
        let mut client = ptr::null_mut();
        assert_eq!(dgp_client_new(options, &mut client), DGP_OK);
        dgp_options_free(options);
        assert_eq!(dgp_connect(client, c("127.0.0.1").as_ptr(), dgp_sim_port(sim)), DGP_OK);
        assert_eq!(dgp_login(client, c("201").as_ptr()), DGP_OK);
        assert_eq!(dgp_dial(client, c("100").as_ptr(), 10_000), DGP_OK);
        assert_eq!(dgp_send_dtmf(client, c("4321#").as_ptr()), DGP_OK);
        assert_eq!(dgp_sim_wait_for_command(sim, c("SendDtmf").as_ptr(), 10_000), DGP_OK);
        assert_eq!(dgp_client_free(client), DGP_OK);
        dgp_sim_free(sim);

        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("Digits: <redacted>") && !text.contains("4321"), "{text}");
        let recording = Recording::load(&path).unwrap();
        assert_eq!(recording.connections.len(), 1);
        assert!(recording.connections[0].closed.is_some(), "{text}");

        let options = dgp_options_new();
        let unwritable = c("/nonexistent/dir/log.dgrec");
        assert_eq!(dgp_options_set_wire_log(options, unwritable.as_ptr()), DGP_ERR_RESOURCE);
        assert!(last_error().starts_with("cannot create the wire log /nonexistent/dir/log.dgrec:"), "{}", last_error());
        assert_eq!(dgp_options_set_wire_log(options, ptr::null()), DGP_OK);
        dgp_options_free(options);
    }
    let _ = std::fs::remove_file(&path);
}

/// Everything a raw socket reads within `window`.
fn read_for(stream: &mut std::net::TcpStream, window: std::time::Duration) -> String {
    use std::io::Read;
    let deadline = std::time::Instant::now() + window;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()).filter(|d| !d.is_zero()) {
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn field_send(stream: &mut std::net::TcpStream, text: &str) {
    use std::io::Write;
    stream.write_all(text.as_bytes()).unwrap();
}

#[test]
fn field_switches_and_profiles_through_the_c_abi() {
    use std::time::Duration;
    unsafe {
        let config = dgp_sim_config_new();
        assert_eq!(dgp_sim_config_set_profile(config, c("field-2013").as_ptr()), DGP_OK);
        assert_eq!(dgp_sim_config_set_profile(config, c("nope").as_ptr()), DGP_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("is not a profile (classic, field-2013)"), "{}", last_error());
        assert_eq!(dgp_sim_config_set_profile(config, ptr::null()), DGP_ERR_NULL_POINTER);
        // Setters after the profile change what it set.
        assert_eq!(dgp_sim_config_set_timestamp_ms(config, 100), DGP_OK);
        assert_eq!(dgp_sim_config_set_login(config, DGP_SIM_LOGIN_REJECT, c("Invalid user").as_ptr()), DGP_OK);
        let sim = start(config);
        dgp_sim_config_free(config);
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", dgp_sim_port(sim))).unwrap();
        let before_login = read_for(&mut stream, Duration::from_millis(600));
        assert!(before_login.contains("Event: DGTimeStamp\r\nTimestamp: "), "{before_login}");
        assert!(!before_login.contains("Time: "), "{before_login}");
        field_send(&mut stream, "Action: DGPhoneCommand\nCommand: Login\nUser: 201\n\n");
        let refused = read_for(&mut stream, Duration::from_millis(400));
        assert!(refused.contains("Event: DGPhoneResponse\r\nResponse: Error"), "{refused}");
        assert!(refused.contains("Event: DGPhoneEvent\r\nStatus: Error\r\nUser: 201\r\nMessage: Invalid user"));
        dgp_sim_free(sim);

        let config = dgp_sim_config_new();
        assert_eq!(dgp_sim_config_set_timestamp_fields(config, DGP_SIM_TIMESTAMP_BOTH), DGP_OK);
        assert_eq!(dgp_sim_config_set_timestamp_fields(config, 3), DGP_ERR_INVALID_ARGUMENT);
        assert_eq!(dgp_sim_config_set_timestamps_from_connect(config, 1), DGP_OK);
        assert_eq!(dgp_sim_config_set_timestamp_ms(config, 100), DGP_OK);
        assert_eq!(dgp_sim_config_set_login_refusal(config, DGP_SIM_REFUSAL_EVENT), DGP_OK);
        assert_eq!(dgp_sim_config_set_login_refusal(config, 3), DGP_ERR_INVALID_ARGUMENT);
        assert_eq!(dgp_sim_config_set_answer_delay_ms(config, 800), DGP_OK);
        assert_eq!(dgp_sim_config_set_idle_hangup(config, DGP_SIM_IDLE_HANGUP_READY), DGP_OK);
        assert_eq!(dgp_sim_config_set_idle_hangup(config, 2), DGP_ERR_INVALID_ARGUMENT);
        assert_eq!(dgp_sim_config_set_answer_delay_ms(ptr::null_mut(), 1), DGP_ERR_NULL_POINTER);
        let sim = start(config);
        dgp_sim_config_free(config);
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", dgp_sim_port(sim))).unwrap();
        let stamps = read_for(&mut stream, Duration::from_millis(400));
        assert!(stamps.contains("Event: DGTimeStamp\r\nTime: ") && stamps.contains("\r\nTimestamp: "), "{stamps}");
        field_send(&mut stream, "Action: DGPhoneCommand\nCommand: Login\nUser: 201\n\n");
        field_send(&mut stream, "Action: DGPhoneCommand\nCommand: Hangup\nLine: 3\n\n");
        field_send(&mut stream, "Action: DGPhoneCommand\nCommand: Dial\nNumber: 100\n\n");
        let soon = read_for(&mut stream, Duration::from_millis(400));
        assert!(soon.contains("Status: Ready\r\nUser: 201\r\nLine: 3"), "{soon}");
        assert!(soon.contains("Status: Dialing") && !soon.contains("Status: Answer"), "{soon}");
        let later = read_for(&mut stream, Duration::from_millis(1000));
        assert!(later.contains("Status: Answer"), "{later}");
        dgp_sim_free(sim);
    }
}
