//! Plays an [`Action`] (a scenario step, or one performed at run time) on
//! one connection. A step that does not fit the phone's state is an error
//! in plain words, so a scenario says why it failed rather than go quiet.

use super::clock;
use super::connection::Connection;
use super::phone::Phone;
use super::scenario::Action;
use super::server::Shared;
use crate::protocol::Line;
use crate::wire::Packet;

/// Performs `action` on `client`; an error says why it could not.
pub(crate) fn perform(client: &Connection, shared: &Shared, action: &Action) -> Result<(), String> {
    match action {
        Action::Event { status, headers } => client.play(shared, |phone| ok(vec![phone.custom_event(status, headers)])),
        Action::Packet(packet) => {
            client.send(shared, std::slice::from_ref(packet));
            Ok(())
        }
        Action::Raw(bytes) => {
            client.send_raw(shared, bytes);
            Ok(())
        }
        Action::TimeStamp => {
            client.send(shared, &[clock::stamp(shared.config.timestamp_fields)]);
            Ok(())
        }
        Action::Ring { line, number } => client.play(shared, |phone| {
            logged_in(phone)?;
            match phone.incoming_call(*line, number) {
                packets if packets.is_empty() => Err(format!("line {line} is busy")),
                packets => Ok(packets),
            }
        }),
        Action::FarEndAnswer(line) => client.play(shared, |phone| {
            logged_in(phone)?;
            let packets: Vec<Packet> = lines(*line).flat_map(|line| phone.far_end_answer(line)).collect();
            match (packets.is_empty(), line) {
                (true, Some(line)) => Err(format!("line {line} is not dialling")),
                (true, None) => Err("no line is dialling".into()),
                (false, _) => Ok(packets),
            }
        }),
        Action::FarEndHangup(line) => client.play(shared, |phone| {
            logged_in(phone)?;
            let packets: Vec<Packet> = lines(*line).flat_map(|line| phone.far_end_hangup(line)).collect();
            match (packets.is_empty(), line) {
                (true, Some(line)) => Err(format!("line {line} has no call")),
                (true, None) => Err("no line has a call".into()),
                (false, _) => Ok(packets),
            }
        }),
        Action::Dtmf { line, digits } => client.play(shared, |phone| {
            logged_in(phone)?;
            let packets: Vec<Packet> = digits.chars().flat_map(|digit| phone.dtmf_received(*line, digit)).collect();
            if packets.is_empty() {
                Err(format!("line {line} is not in a call"))
            } else {
                Ok(packets)
            }
        }),
        Action::Agent { kind, agent, headers } => {
            client.play(shared, |phone| phone.agent_step(*kind, agent.as_deref(), headers))
        }
        Action::Logoff => {
            client.play(shared, |phone| ok(phone.close_down()))?;
            client.shutdown();
            Ok(())
        }
        Action::Close => {
            client.shutdown();
            Ok(())
        }
        Action::Fault(fault) => {
            client.fire(shared, fault);
            Ok(())
        }
        Action::AutoAnswer(on) => client.play(shared, |phone| {
            phone.set_auto_answer(*on);
            ok(Vec::new())
        }),
        Action::AnswerDelay(delay) => client.play(shared, |phone| {
            phone.set_answer_delay(*delay);
            ok(Vec::new())
        }),
        Action::LoginRefusal(refusal) => client.play(shared, |phone| {
            phone.set_login_refusal(*refusal);
            ok(Vec::new())
        }),
        Action::IdleHangup(answer) => client.play(shared, |phone| {
            phone.set_idle_hangup(*answer);
            ok(Vec::new())
        }),
    }
}

fn ok(packets: Vec<Packet>) -> Result<Vec<Packet>, String> {
    Ok(packets)
}

fn logged_in(phone: &Phone) -> Result<(), String> {
    if phone.is_logged_in() {
        Ok(())
    } else {
        Err("the client has not logged in".into())
    }
}

/// One line, or all six.
fn lines(line: Option<Line>) -> Box<dyn Iterator<Item = Line>> {
    match line {
        Some(line) => Box::new(std::iter::once(line)),
        None => Box::new(Line::all()),
    }
}
