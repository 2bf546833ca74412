//! The HTTP JSON API (`/v1/...`): the state, and every command, each
//! answering once DGPhone confirmed it (the library's flows) or with the
//! library's error: bad input 400 (nothing sent), DGPhone refused 409, not
//! connected 503, timeout 504. The OpenAPI document (`/v1/openapi.json`)
//! is generated from these declarations.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use dgphone::flows::{self, AgentLogin, HoldMode};
use dgphone::{ClientEvent, Command, Event, Line};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::phone::CommandError;
use crate::{json, Shared};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dgphone bridge",
        description = "Click-to-dial and live call events for browser CRMs: one DGPhone connection shared by every tab, on localhost. Every /v1 path but this document needs the token (Authorization: Bearer TOKEN).",
        license(name = "MIT")
    ),
    paths(
        state, status, dial, answer, hangup, hold, dtmf, select,
        agent_login, agent_pause, agent_logoff, crate::events::events
    ),
    components(schemas(
        ErrorBody, ErrorDetail, Done, DialBody, LineBody, SelectBody, HoldBody, HoldModeBody,
        DtmfBody, AgentLoginBody, AgentPauseBody, AgentLogoffBody
    )),
    modifiers(&Security),
    tags(
        (name = "state", description = "The lines, the selected line, the agent and the connection"),
        (name = "calls", description = "Call commands, each confirmed by DGPhone"),
        (name = "agent", description = "The call-centre agent's login, pause and logoff"),
        (name = "events", description = "Live events over WebSocket"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token from the bridge's token file"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "subprotocol",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Sec-WebSocket-Protocol",
                "For the event socket from a browser: offer the subprotocols dgphone.v1 and dgphone-token.TOKEN",
            ))),
        );
    }
}

/// Every error: `code` (stable name), `dgp_code` (the C ABI's result code,
/// when the library gave one), the library's `message`, and what was being
/// done.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// invalid_argument, command_failed, not_connected, timeout, unauthorized, ...
    pub code: String,
    /// The C ABI's DGP_ERR_* value.
    pub dgp_code: Option<u32>,
    /// The library's message.
    pub message: String,
    /// What the bridge was doing ("Answer on line 2").
    pub doing: Option<String>,
}

impl IntoResponse for CommandError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                dgp_code: Some(self.dgp_code),
                message: self.message,
                doing: self.doing,
            },
        };
        (status, Json(body)).into_response()
    }
}

/// A command's success: DGPhone's confirming event (the event-stream
/// shape) and the state after it.
#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
    /// The confirming event, as the event socket sends it (none for agent pause's).
    #[schema(value_type = Object)]
    pub confirmation: Value,
    /// The state after it, as GET /v1/state answers.
    #[schema(value_type = Object)]
    pub state: Value,
}

/// A JSON body, optional (an empty body is the defaults), within the body
/// limit (larger: 413), else 400 with nothing sent.
pub struct Input<T>(pub T);

impl<S, T> FromRequest<S> for Input<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Default,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            let status = rejection.status();
            let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "body_too_large" } else { "bad_body" };
            crate::security::refuse(status, code, &rejection.body_text())
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input(T::default()));
        }
        serde_json::from_slice(&bytes).map(Input).map_err(|e| {
            CommandError::invalid(format!("the request body is not the JSON this path takes: {e}")).into_response()
        })
    }
}

fn line(number: Option<u32>) -> Result<Option<Line>, CommandError> {
    number.map(Line::new).transpose().map_err(CommandError::from)
}

fn check(command: &Command) -> Result<(), CommandError> {
    command.validate().map_err(CommandError::from)
}

impl Shared {
    fn done(&self, event: Option<Event>) -> Json<Done> {
        let handle = self.phone.handle();
        let confirmation = match event {
            Some(event) => json::event(&ClientEvent::Phone(event), &handle.state(), SystemTime::now()),
            None => Value::Null,
        };
        Json(Done { ok: true, confirmation, state: self.phone.snapshot("state") })
    }
}

type Answer = Result<Json<Done>, CommandError>;

/// The state: the six lines, the selected line, the agent and the connection.
#[utoipa::path(get, path = "/v1/state", tag = "state",
    responses((status = 200, description = "The state (`type`: state)", body = Object), (status = 401, body = ErrorBody)),
    security(("token" = [])))]
pub async fn state(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(shared.phone.snapshot("state"))
}

/// Asks DGPhone for every line's state, waits for the six answers, then
/// answers the state.
#[utoipa::path(post, path = "/v1/status", tag = "state",
    responses((status = 200, body = Done), (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn status(State(shared): State<Arc<Shared>>) -> Answer {
    let timeout = shared.phone.timeout();
    shared.phone.run(move |c| flows::status(c, timeout).map_err(CommandError::from)).await?;
    Ok(shared.done(None))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DialBody {
    /// The number to dial.
    pub number: String,
    /// Select this line (1-6) first.
    pub line: Option<u32>,
}

/// Dials a number (click-to-dial); answers on Dialing.
#[utoipa::path(post, path = "/v1/dial", tag = "calls", request_body = DialBody,
    responses((status = 200, body = Done), (status = 400, description = "Bad input; nothing was sent", body = ErrorBody),
        (status = 409, description = "DGPhone refused", body = ErrorBody), (status = 503, description = "Not connected", body = ErrorBody),
        (status = 504, description = "No confirmation in time", body = ErrorBody)),
    security(("token" = [])))]
pub async fn dial(State(shared): State<Arc<Shared>>, Input(body): Input<DialBody>) -> Answer {
    let line = line(body.line)?;
    check(&Command::Dial { number: body.number.clone(), line: None })?;
    let timeout = shared.phone.timeout();
    let event =
        shared.phone.run(move |c| flows::call(c, &body.number, line, timeout).map_err(CommandError::from)).await?;
    Ok(shared.done(Some(event)))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    /// The line (1-6); by default the one the person means (the ringing
    /// one for answer, the one in a call for hangup).
    pub line: Option<u32>,
}

/// Answers the ringing call, or `line`.
#[utoipa::path(post, path = "/v1/answer", tag = "calls", request_body(content = LineBody, description = "Optional"),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn answer(State(shared): State<Arc<Shared>>, Input(body): Input<LineBody>) -> Answer {
    let line = line(body.line)?;
    let timeout = shared.phone.timeout();
    let event = shared.phone.run(move |c| flows::answer(c, line, None, timeout).map_err(CommandError::from)).await?;
    Ok(shared.done(Some(event)))
}

/// Hangs up the call in progress, or `line`.
#[utoipa::path(post, path = "/v1/hangup", tag = "calls", request_body(content = LineBody, description = "Optional"),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn hangup(State(shared): State<Arc<Shared>>, Input(body): Input<LineBody>) -> Answer {
    let line = line(body.line)?;
    let timeout = shared.phone.timeout();
    let event = shared.phone.run(move |c| flows::hangup(c, line, timeout).map_err(CommandError::from)).await?;
    Ok(shared.done(Some(event)))
}

#[derive(Deserialize, Default, Clone, Copy, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HoldModeBody {
    /// Put on hold.
    On,
    /// Take off hold (resume).
    Off,
    /// Toggle.
    #[default]
    Toggle,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldBody {
    /// on, off or toggle (the default).
    #[serde(default)]
    pub mode: HoldModeBody,
    /// Select this line (1-6) first; by default the line in a call.
    pub line: Option<u32>,
}

/// Puts the call on hold, or takes it off (resume).
#[utoipa::path(post, path = "/v1/hold", tag = "calls", request_body = HoldBody,
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn hold(State(shared): State<Arc<Shared>>, Input(body): Input<HoldBody>) -> Answer {
    let line = line(body.line)?;
    let mode = match body.mode {
        HoldModeBody::On => HoldMode::On,
        HoldModeBody::Off => HoldMode::Off,
        HoldModeBody::Toggle => HoldMode::Toggle,
    };
    let timeout = shared.phone.timeout();
    let event = shared.phone.run(move |c| flows::hold(c, mode, line, timeout).map_err(CommandError::from)).await?;
    Ok(shared.done(Some(event)))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DtmfBody {
    /// 0-9 * # A-D. Never logged.
    pub digits: String,
    /// Select this line (1-6) first; by default the line in a call.
    pub line: Option<u32>,
}

/// Sends DTMF digits on the call in progress (never logged); answers once
/// DGPhone took them.
#[utoipa::path(post, path = "/v1/dtmf", tag = "calls", request_body = DtmfBody,
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn dtmf(State(shared): State<Arc<Shared>>, Input(body): Input<DtmfBody>) -> Answer {
    let line = line(body.line)?;
    check(&Command::SendDtmf(body.digits.clone()))?;
    let timeout = shared.phone.timeout();
    shared.phone.run(move |c| flows::dtmf(c, &body.digits, line, timeout).map_err(CommandError::from)).await?;
    Ok(shared.done(None))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectBody {
    /// The line (1-6).
    pub line: u32,
}

/// Selects a line.
#[utoipa::path(post, path = "/v1/select", tag = "calls", request_body = SelectBody,
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn select(State(shared): State<Arc<Shared>>, Input(body): Input<SelectBody>) -> Answer {
    let line = Line::new(body.line).map_err(CommandError::from)?;
    let timeout = shared.phone.timeout();
    let event = shared.phone.run(move |c| flows::select(c, line, timeout).map_err(CommandError::from)).await?;
    Ok(shared.done(Some(event)))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentLoginBody {
    /// The agent's code (digits).
    pub agent: String,
    /// The agent's password (digits; sent as DTMF, never logged).
    pub password: String,
    /// The site's login feature code; default *9800.
    pub feature_code: Option<String>,
    /// The line for the agent's call; default 1.
    pub line: Option<u32>,
}

/// Logs the agent in (feature code, agent code, password); answers on AgentLogin.
#[utoipa::path(post, path = "/v1/agent/login", tag = "agent", request_body = AgentLoginBody,
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn agent_login(State(shared): State<Arc<Shared>>, Input(body): Input<AgentLoginBody>) -> Answer {
    let mut login = AgentLogin::new(&body.agent, &body.password);
    if let Some(code) = body.feature_code {
        login.feature_code = code;
    }
    if let Some(line) = line(body.line)? {
        login.line = line;
    }
    login.step_timeout = shared.phone.timeout();
    let event = shared
        .phone
        .run(move |c| {
            flows::agent_login(c, &login)
                .map_err(|e| CommandError::from_error(e.source, Some(format!("agent login ({:?})", e.step))))
        })
        .await?;
    Ok(shared.done(Some(event)))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentPauseBody {
    /// The agent's code.
    pub agent: String,
    /// true pauses, false resumes.
    pub paused: bool,
    /// Why (optional).
    pub reason: Option<String>,
}

/// Pauses or resumes the agent; answers on AgentPaused.
#[utoipa::path(post, path = "/v1/agent/pause", tag = "agent", request_body = AgentPauseBody,
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn agent_pause(State(shared): State<Arc<Shared>>, Input(body): Input<AgentPauseBody>) -> Answer {
    let command = Command::AgentPause { agent: body.agent.clone(), paused: body.paused, reason: body.reason.clone() };
    check(&command)?;
    let timeout = shared.phone.timeout();
    let event = shared
        .phone
        .run(move |c| {
            flows::agent_pause(c, &body.agent, body.paused, body.reason.as_deref(), timeout)
                .map_err(|e| CommandError::from_error(e, Some("AgentPause".into())))
        })
        .await?;
    Ok(shared.done(Some(event)))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentLogoffBody {
    /// The site's logoff feature code (digits, * and #).
    pub feature_code: String,
}

/// Logs the agent off by the site's feature code; answers on AgentLogoff.
#[utoipa::path(post, path = "/v1/agent/logoff", tag = "agent", request_body = AgentLogoffBody,
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)),
    security(("token" = [])))]
pub async fn agent_logoff(State(shared): State<Arc<Shared>>, Input(body): Input<AgentLogoffBody>) -> Answer {
    dgphone::protocol::validate::check_digits(&body.feature_code).map_err(CommandError::from)?;
    let timeout = shared.phone.timeout();
    let event = shared
        .phone
        .run(move |c| {
            flows::agent_logoff(c, &body.feature_code, timeout)
                .map_err(|e| CommandError::from_error(e, Some("agent logoff".into())))
        })
        .await?;
    Ok(shared.done(Some(event)))
}

/// The OpenAPI 3 document, generated from the handlers' declarations.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Unknown paths under /v1.
pub async fn not_found() -> Response {
    crate::security::refuse(StatusCode::NOT_FOUND, "not_found", "no such path (see /v1/openapi.json)")
}
