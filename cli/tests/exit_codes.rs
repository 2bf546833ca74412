//! The exit codes scripts rely on, each with its message in plain words.

mod common;

use common::{against, assert_exit, closed_port, dgphone, sim, text, Running};
use dgphone_sim::{LoginPolicy, SimConfig};

#[test]
fn unreachable_dgphone_exits_2() {
    let port = closed_port().to_string();
    let output = dgphone(&["status", "--port", &port, "--user", "201"]).output().unwrap();
    assert_exit(&output, 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("cannot connect to DGPhone at 127.0.0.1:{port}: connection refused")), "{stderr}");
}

#[test]
fn rejected_login_exits_3_with_dgphones_message() {
    let sim = sim(SimConfig { login: LoginPolicy::Reject("User is not active".into()), ..SimConfig::default() });
    let output = against(&sim, &["status"]).output().unwrap();
    assert_exit(&output, 3);
    assert!(text(&output.stderr).contains("DGPhone rejected the login (log in as 201): User is not active"));
}

#[test]
fn unanswered_login_times_out_with_4() {
    let sim = sim(SimConfig { login: LoginPolicy::Ignore, ..SimConfig::default() });
    let output = against(&sim, &["call", "1002", "--timeout-ms", "300"]).output().unwrap();
    assert_exit(&output, 4);
    assert!(text(&output.stderr).contains("timed out: DGPhone did not answer within 300 ms (log in as 201)"));
}

#[test]
fn usage_errors_exit_1() {
    for args in [&[][..], &["bogus"], &["status"], &["call"], &["status", "--user", "201", "--port", "x"]] {
        let output = dgphone(args).output().unwrap();
        assert_exit(&output, 1);
    }
    let output = dgphone(&["status"]).output().unwrap();
    assert!(text(&output.stderr).contains("--user <EXTENSION>"));
}

#[test]
fn help_and_version_exit_0() {
    let help = dgphone(&["--help"]).output().unwrap();
    assert_exit(&help, 0);
    assert!(text(&help.stdout).contains("6  connection lost"));
    let version = dgphone(&["--version"]).output().unwrap();
    assert_exit(&version, 0);
    assert_eq!(text(&version.stdout), format!("dgphone {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_environment_supplies_the_connection() {
    let sim = sim(SimConfig::default());
    let output = dgphone(&["status"])
        .env("DGPHONE_HOST", "127.0.0.1")
        .env("DGPHONE_PORT", sim.port().to_string())
        .env("DGPHONE_USER", "777")
        .env("DGPHONE_TIMEOUT_MS", "10000")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(common::received(&sim, "Login", "User").as_deref(), Some("777"));
}

#[test]
fn a_lost_connection_exits_6() {
    let sim = sim(SimConfig::default());
    let mut monitor = Running::spawn(against(&sim, &["monitor"]));
    monitor.until("logged in as 201");
    sim.disconnect_all();
    let (code, stderr) = monitor.exit();
    assert_eq!(code, Some(6), "{stderr}");
    assert!(stderr.contains("lost the connection to DGPhone: DGPhone closed the connection"), "{stderr}");
}
