//! Profiles: one switch that sets every field behaviour of a family of
//! DGPhones, so an application developer picks "like the DGPhones my
//! customers run" without learning each switch.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::config::{IdleHangup, LineEnding, LoginRefusal, SimConfig, TimestampFields};

/// The greeting both families send on connect.
const GREETING: &str = "DGPhone Remote Control/1.0";

/// A family of field DGPhones. [`Profile::apply`] sets the greeting, the
/// timestamp fields and when timestamps start, the refusal form, the answer
/// delay, the line ending and what an idle hangup gets; everything else in
/// the [`SimConfig`] is left as it is. Every profile reads bare-LF commands
/// (the field clients written against real DGPhones send them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// What the simulator does by default, by the documents: `Time` in
    /// DGTimeStamps, only after login; a refused login as a
    /// `DGPhoneResponse`; the far end answers at once; CRLF; Hangup on an
    /// idle line refused.
    Classic,
    /// The DGPhones the 2013 field clients were written against: a
    /// colon-free `Timestamp` in DGTimeStamps (no `Time`), every 10 s from
    /// connect (the clients count them for their login timeout); a refused
    /// login as both a `DGPhoneResponse` and a `DGPhoneEvent` with
    /// `Status: Error`; the far end rings 2 s before answering; CRLF;
    /// Hangup on an idle line answered `Ready`.
    Field2013,
}

impl Profile {
    /// Every profile, in the order help texts list them.
    pub const ALL: [Profile; 2] = [Profile::Classic, Profile::Field2013];

    /// Its name, as `--profile` and `dgp_sim_config_set_profile` take it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Classic => "classic",
            Profile::Field2013 => "field-2013",
        }
    }

    /// Sets the behaviours this family has on `config`.
    pub fn apply(self, config: &mut SimConfig) {
        config.greeting = Some(GREETING.to_string());
        config.line_ending = LineEnding::CrLf;
        match self {
            Profile::Classic => {
                config.timestamp_fields = TimestampFields::Time;
                config.timestamps_from_connect = false;
                config.login_refusal = LoginRefusal::Response;
                config.answer_delay = Duration::ZERO;
                config.idle_hangup = IdleHangup::Refuse;
            }
            Profile::Field2013 => {
                config.timestamp_interval = Some(Duration::from_secs(10));
                config.timestamp_fields = TimestampFields::Timestamp;
                config.timestamps_from_connect = true;
                config.login_refusal = LoginRefusal::Both;
                config.answer_delay = Duration::from_secs(2);
                config.idle_hangup = IdleHangup::Ready;
            }
        }
    }

    /// The default config with this profile applied.
    pub fn config(self) -> SimConfig {
        let mut config = SimConfig::default();
        self.apply(&mut config);
        config
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    /// A profile by name, without regard to case.
    fn from_str(name: &str) -> Result<Profile, String> {
        Profile::ALL.iter().copied().find(|p| p.name().eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
            let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
            format!("{name:?} is not a profile ({})", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_is_the_default_behaviour() {
        let classic = Profile::Classic.config();
        let default = SimConfig::default();
        assert_eq!(classic.greeting, default.greeting);
        assert_eq!(classic.timestamp_fields, default.timestamp_fields);
        assert_eq!(classic.timestamps_from_connect, default.timestamps_from_connect);
        assert_eq!(classic.login_refusal, default.login_refusal);
        assert_eq!(classic.answer_delay, default.answer_delay);
        assert_eq!(classic.line_ending, default.line_ending);
        assert_eq!(classic.idle_hangup, default.idle_hangup);
        assert_eq!(classic.timestamp_interval, default.timestamp_interval);
    }

    #[test]
    fn field_2013_sets_every_field_behaviour() {
        let mut config = SimConfig { greeting: None, agent_password: Some("1".into()), ..SimConfig::default() };
        Profile::Field2013.apply(&mut config);
        assert_eq!(config.greeting.as_deref(), Some(GREETING));
        assert_eq!(config.timestamp_interval, Some(Duration::from_secs(10)));
        assert_eq!(config.timestamp_fields, TimestampFields::Timestamp);
        assert!(config.timestamps_from_connect);
        assert_eq!(config.login_refusal, LoginRefusal::Both);
        assert_eq!(config.answer_delay, Duration::from_secs(2));
        assert_eq!(config.idle_hangup, IdleHangup::Ready);
        assert_eq!(config.agent_password.as_deref(), Some("1"), "the rest is left alone");
    }

    #[test]
    fn by_name() {
        for profile in Profile::ALL {
            assert_eq!(profile.name().parse::<Profile>(), Ok(profile));
            assert_eq!(profile.to_string(), profile.name());
        }
        assert_eq!(" Field-2013".parse::<Profile>(), Ok(Profile::Field2013));
        assert_eq!("x".parse::<Profile>().unwrap_err(), "\"x\" is not a profile (classic, field-2013)");
    }
}
