//! The session of one connection as a pure state machine: connected or
//! not, who is logged in (or being logged in), whether the close that
//! follows is expected, and the phone's state. The client drives it from
//! its reader thread and its calling threads; it holds no I/O, so each
//! rule (when a login counts, what may be sent before it, which events are
//! ours) is decided here once and tested without a socket.

use crate::protocol::{Command, EventKind, EventRef};
use crate::state::{Change, PhoneState};

/// Why the session refuses to send a command. Nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// There is no connection.
    NotConnected,
    /// A command other than Login before the login was accepted: DGPhone
    /// acts only for a logged-in extension.
    NotLoggedIn { command: String },
    /// A Login while logged in (`pending` false) or while another login
    /// awaits DGPhone's answer (`pending` true).
    AlreadyLoggedIn { user: String, pending: bool },
}

/// What one event did to the session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// What the event changed in the phone's lines or agent, for a copy
    /// of the state to follow (see [`PhoneState::commit`]).
    pub change: Change,
    /// This event was the answer that logged `user` in.
    pub logged_in: Option<String>,
    /// That login was an automatic one after a reconnection: ask for
    /// Status to reconcile the lines.
    pub reconcile: bool,
}

/// One connection's session. See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Session {
    phone: PhoneState,
    /// The extension logged in, or being logged in.
    user: Option<String>,
    logged_in: bool,
    connected: bool,
    /// A Login is on its way: its response makes us logged in.
    login_pending: bool,
    /// The login on its way is an automatic one after a reconnection.
    status_after_login: bool,
    /// We logged off, or DGPhone did: the close that follows is expected.
    logged_off: bool,
}

impl Session {
    /// A session with no connection.
    pub fn new() -> Session {
        Session::default()
    }

    /// The phone's lines and agent, as the events told them.
    pub fn phone(&self) -> &PhoneState {
        &self.phone
    }

    /// The extension logged in, or being logged in.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    pub fn is_logged_in(&self) -> bool {
        self.logged_in
    }

    /// We or DGPhone logged off: the close that follows is expected, and
    /// no reconnection should follow it.
    pub fn logged_off(&self) -> bool {
        self.logged_off
    }

    /// A new connection opened (the first, or after a reconnection). The
    /// extension is kept, so that it can log in again ([`Session::relogin`]).
    pub fn connected(&mut self) {
        self.connected = true;
        self.logged_in = false;
        self.login_pending = false;
        self.logged_off = false;
    }

    /// The connection ended: nothing is logged in any more, and a pending
    /// login will not be answered.
    pub fn disconnected(&mut self) {
        self.connected = false;
        self.logged_in = false;
        self.login_pending = false;
    }

    /// Admits `command` for sending, or refuses it. A Login becomes the
    /// pending one (its answer settles it, see [`Session::apply`]); a
    /// logoff makes the close that follows expected.
    pub fn admit(&mut self, command: &Command) -> Result<(), Refusal> {
        if !self.connected {
            return Err(Refusal::NotConnected);
        }
        match command {
            Command::Login { user, .. } => {
                if self.logged_in || self.login_pending {
                    let user = self.user.clone().unwrap_or_default();
                    return Err(Refusal::AlreadyLoggedIn { user, pending: !self.logged_in });
                }
                self.user = Some(user.clone());
                self.login_pending = true;
            }
            _ if !self.logged_in => return Err(Refusal::NotLoggedIn { command: command.name().to_string() }),
            Command::Logoff => self.logged_off = true,
            _ => {}
        }
        Ok(())
    }

    /// A login will get no answer (it never went out whole), or the
    /// application stopped waiting for it: forget it, so that another login
    /// may be tried (a late answer then changes nothing).
    pub fn abandon_login(&mut self) {
        if self.login_pending && !self.logged_in {
            self.login_pending = false;
            self.user = None;
        }
    }

    /// After a reconnection: the Login that logs the same extension in
    /// again, if one was logged in; once accepted, Status reconciles.
    pub fn relogin(&mut self, remote_mode: bool) -> Option<Command> {
        let user = self.user.clone()?;
        self.status_after_login = true;
        Some(Command::Login { user, remote_mode })
    }

    /// Applies one event from DGPhone.
    pub fn apply<'a>(&mut self, event: impl Into<EventRef<'a>>) -> Applied {
        let event = event.into();
        let own = self.user.as_deref();
        let change = self.phone.change(event, own);
        self.phone.commit(change, event);
        let mut applied = Applied { change, ..Applied::default() };
        if event.kind() == EventKind::UserLogoff && event.is_for(own) {
            self.logged_off = true;
            self.logged_in = false;
        }
        if self.login_pending && event.is_login_response() {
            self.login_pending = false;
            self.logged_in = event.is_success() == Some(true);
            if self.logged_in {
                applied.logged_in = self.user.clone();
                applied.reconcile = std::mem::take(&mut self.status_after_login);
            } else {
                self.user = None;
            }
        }
        applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Event, Line};
    use crate::wire::Packet;

    fn login(user: &str) -> Command {
        Command::Login { user: user.into(), remote_mode: true }
    }

    fn response(success: bool, command: Option<&str>) -> Event {
        let mut p = Packet::new().with("Event", "DGPhoneResponse");
        p.push("Response", if success { "Success" } else { "Failure" });
        if let Some(command) = command {
            p.push("Command", command);
        }
        Event::from_packet(p)
    }

    fn logoff_event(user: Option<&str>) -> Event {
        let mut p = Packet::new().with("Event", "DGPhoneEvent").with("Status", "UserLogoff");
        if let Some(user) = user {
            p.push("User", user);
        }
        Event::from_packet(p)
    }

    fn logged_in(user: &str) -> Session {
        let mut s = Session::new();
        s.connected();
        s.admit(&login(user)).unwrap();
        assert_eq!(s.apply(&response(true, Some("Login"))).logged_in.as_deref(), Some(user));
        s
    }

    #[test]
    fn nothing_is_admitted_without_a_connection_and_only_login_before_login() {
        let mut s = Session::new();
        assert_eq!(s.admit(&login("201")), Err(Refusal::NotConnected));
        s.connected();
        assert_eq!(s.admit(&Command::Status), Err(Refusal::NotLoggedIn { command: "Status".into() }));
        assert_eq!(s.admit(&Command::Logoff), Err(Refusal::NotLoggedIn { command: "logoff".into() }));
        s.admit(&login("201")).unwrap();
        assert_eq!(
            s.admit(&login("202")),
            Err(Refusal::AlreadyLoggedIn { user: "201".into(), pending: true }),
            "a second login while one is pending"
        );
        s.apply(&response(true, Some("Login")));
        assert_eq!(s.admit(&login("202")), Err(Refusal::AlreadyLoggedIn { user: "201".into(), pending: false }));
        assert_eq!(s.admit(&Command::Hangup(Line::new(1).ok())), Ok(()));
    }

    #[test]
    fn a_refused_login_forgets_the_user_and_allows_another() {
        let mut s = Session::new();
        s.connected();
        s.admit(&login("201")).unwrap();
        assert_eq!(s.apply(&response(false, Some("Login"))), Applied::default());
        assert!(!s.is_logged_in() && s.user().is_none());
        s.admit(&login("202")).unwrap();
    }

    #[test]
    fn only_the_login_response_settles_a_pending_login() {
        let mut s = Session::new();
        s.connected();
        s.admit(&login("201")).unwrap();
        s.apply(&response(true, Some("Status")));
        assert!(!s.is_logged_in(), "another command's response");
        // DGPhones that do not echo Command answer a login all the same.
        assert_eq!(s.apply(&response(true, None)).logged_in.as_deref(), Some("201"));
    }

    #[test]
    fn an_abandoned_login_stops_being_pending() {
        let mut s = Session::new();
        s.connected();
        s.admit(&login("201")).unwrap();
        s.abandon_login();
        s.admit(&login("202")).unwrap();
        s.abandon_login();
        assert_eq!(s.apply(&response(true, Some("Login"))), Applied::default(), "a late answer changes nothing");
        assert!(!s.is_logged_in());
    }

    #[test]
    fn our_logoff_makes_the_close_expected_and_another_users_does_not() {
        let mut s = logged_in("201");
        s.apply(&logoff_event(Some("202")));
        assert!(s.is_logged_in() && !s.logged_off());
        s.apply(&logoff_event(Some("201")));
        assert!(!s.is_logged_in() && s.logged_off());
        let mut s = logged_in("201");
        s.apply(&logoff_event(None));
        assert!(s.logged_off(), "a UserLogoff naming nobody is ours");
        let mut s = logged_in("201");
        s.admit(&Command::Logoff).unwrap();
        assert!(s.logged_off(), "our own logoff");
    }

    #[test]
    fn a_reconnection_logs_the_same_user_in_and_asks_to_reconcile() {
        let mut s = logged_in("201");
        s.disconnected();
        assert!(!s.is_logged_in() && !s.is_connected());
        s.connected();
        let again = s.relogin(true).unwrap();
        assert_eq!(again, login("201"));
        s.admit(&again).unwrap();
        let applied = s.apply(&response(true, Some("Login")));
        assert_eq!((applied.logged_in.as_deref(), applied.reconcile), (Some("201"), true));
        assert!(Session::new().relogin(true).is_none(), "nobody to log in");
    }
}
