//! The README's Rust sample (examples/answer.rs, compiled into this test
//! as it is) answers a call the simulator rings. Alone in its test binary
//! because it reads its connection from the environment, which this test
//! sets.

use std::sync::mpsc::channel;
use std::time::Duration;

use dgphone::Line;
use dgphone_sim::{SimConfig, Simulator};

include!("../examples/answer.rs");

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn the_rust_sample_answers_an_incoming_call() {
    let sim = Simulator::start("127.0.0.1:0", SimConfig::default()).unwrap();
    std::env::set_var("DGPHONE_HOST", "127.0.0.1");
    std::env::set_var("DGPHONE_PORT", sim.port().to_string());
    std::env::set_var("DGPHONE_USER", "201");
    let (done, outcome) = channel();
    std::thread::spawn(move || {
        let _ = done.send(main().map_err(|e| e.to_string()));
    });
    assert!(sim.wait_for_logins(1, WAIT), "the sample logs in");
    sim.incoming_call(Line::new(2).unwrap(), "5551234");
    let answer = sim.wait_for_command("Answer", WAIT).expect("the sample answers");
    assert_eq!(answer.get("Line"), Some("2"));
    let ended = outcome.recv_timeout(WAIT).expect("the sample ends once the call is answered");
    assert_eq!(ended, Ok(()));
}
