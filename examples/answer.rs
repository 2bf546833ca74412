// Answers the next incoming call, then exits.
use std::sync::{mpsc, Mutex};

use dgphone::{Client, ClientEvent, EventKind, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    let (host, port, user) =
        (var("DGPHONE_HOST", "127.0.0.1"), var("DGPHONE_PORT", "5038"), var("DGPHONE_USER", "201"));

    let client = Client::new(Options::default());
    let (answered, on_answer) = mpsc::channel();
    let answered = Mutex::new(answered);
    client.on_event(move |phone, event| {
        // Runs on the client's callback thread, apart from the reader.
        // Commands work here; blocking calls (login...) return WouldDeadlock.
        if let ClientEvent::Phone(e) = event {
            match (e.kind(), e.line()) {
                (EventKind::ReceivingCall, Some(line)) => {
                    println!("call from {} on line {line}", e.number().unwrap_or("?"));
                    let _ = phone.answer(Some(line));
                }
                (EventKind::Answer, Some(line)) => {
                    let _ = answered.lock().unwrap().send(line);
                }
                _ => {}
            }
        }
    })?;
    client.connect(&host, port.parse()?)?;
    client.login(&user)?;
    println!("logged in as {user}; waiting for a call");
    println!("answered line {}", on_answer.recv()?);
    Ok(())
}
