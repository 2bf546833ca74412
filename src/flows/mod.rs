//! Multi-step procedures built on the commands, the same for every host
//! (the `dgphone` command, C, Delphi, Python, .NET): the call actions that
//! wait until DGPhone confirms them and pick the line a person means
//! ([`calls`]), and the agent login, logoff and pause ([`agent`]).

pub mod agent;
pub mod calls;

pub use agent::{agent_login, agent_logoff, agent_pause, AgentLogin, AgentLoginError, AgentLoginStep};
pub use calls::{answer, call, dtmf, hangup, hold, select, status, HoldMode, StepError};
