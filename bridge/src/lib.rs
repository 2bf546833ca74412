//! `dgphone bridge`: click-to-dial and live call events for browser CRMs,
//! safely on localhost (docs/bridge.md).
//!
//! One [`dgphone::Client`] (reconnecting), shared by every browser tab,
//! behind an HTTP JSON API (`/v1/...`, OpenAPI at `/v1/openapi.json`), a
//! WebSocket of live events (`/v1/events`, the shape of `dgphone monitor
//! --json`) and a web softphone panel at `/`. Security is on by default:
//! loopback only, a token (file mode 0600) on every API call and on the
//! socket but never in the query string, a `Host` check against DNS
//! rebinding, an `Origin` allow-list with CORS, a body limit, no DTMF in
//! the log.
//!
//! The `dgphone bridge` subcommand (crate `dgphone-cli`) parses the
//! command line and calls [`run`]; tests and the benchmark use
//! [`Bridge::start`] inside their own tokio runtime.

pub mod api;
pub mod events;
pub mod json;
pub mod phone;
pub mod security;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use phone::{CommandError, Phone, Tap};

/// Where the bridge's log lines go (request lines and refusals; never a
/// body, a query or DTMF digits).
pub type LogSink = Arc<dyn Fn(&str) + Send + Sync>;

/// How a bridge runs. [`Config::new`] gives the secure defaults.
#[derive(Clone)]
pub struct Config {
    /// DGPhone's host and port.
    pub dgphone_host: String,
    pub dgphone_port: u16,
    /// The extension to log in as.
    pub user: String,
    /// Where to listen: loopback by default (port 0 picks a free one).
    pub listen: SocketAddr,
    /// The token file (created 0600 on first start).
    pub token_file: PathBuf,
    /// Origins (`https://crm.example.com`) whose pages may call the bridge
    /// besides its own panel. `*` allows any origin (the token is still required).
    pub allow_origins: Vec<String>,
    /// Host names the bridge answers to besides localhost, 127.0.0.1 and ::1.
    pub allow_hosts: Vec<String>,
    /// The wait for each confirmation (and the connect timeout).
    pub timeout: Duration,
    /// Events a subscriber may fall behind by before it loses the oldest.
    pub subscriber_buffer: usize,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// A subscriber's socket that takes nothing for this long is closed.
    pub write_timeout: Duration,
    /// Log lines; `None` writes them to standard error.
    pub log: Option<LogSink>,
    /// Called on the library's callback thread for every event (benchmark).
    pub tap: Option<Tap>,
}

impl Config {
    pub fn new(dgphone_host: &str, dgphone_port: u16, user: &str) -> Config {
        Config {
            dgphone_host: dgphone_host.to_string(),
            dgphone_port,
            user: user.to_string(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8750)),
            token_file: security::default_token_file(),
            allow_origins: Vec::new(),
            allow_hosts: Vec::new(),
            timeout: Duration::from_secs(5),
            subscriber_buffer: 1024,
            body_limit: 16 * 1024,
            write_timeout: Duration::from_secs(30),
            log: None,
            tap: None,
        }
    }
}

/// What the handlers share.
pub struct Shared {
    pub(crate) phone: Arc<Phone>,
    pub(crate) token: String,
    pub(crate) port: u16,
    /// Host names the bridge answers to.
    pub(crate) hosts: Vec<String>,
    pub(crate) origins: Vec<String>,
    pub(crate) write_timeout: Duration,
    log: LogSink,
}

impl Shared {
    pub(crate) fn log(&self, line: &str) {
        (self.log)(line)
    }
}

/// A running bridge.
pub struct Bridge {
    addr: SocketAddr,
    token: String,
    phone: Arc<Phone>,
    stop: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    server: std::sync::Mutex<Option<JoinHandle<io::Result<()>>>>,
}

impl Bridge {
    /// Reads or creates the token, listens, starts connecting to DGPhone
    /// and serves, on the current tokio runtime. Returns once it listens.
    pub async fn start(config: Config) -> io::Result<Bridge> {
        let token = security::load_or_create_token(&config.token_file)?;
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let log = config.log.clone().unwrap_or_else(|| Arc::new(|line: &str| eprintln!("dgphone bridge: {line}")));
        if !addr.ip().is_loopback() {
            log(&format!("listening on {addr}, which is not loopback: other machines can reach the bridge (the token still guards it)"));
        }
        let phone = Phone::start(
            &config.dgphone_host,
            config.dgphone_port,
            &config.user,
            config.timeout,
            config.subscriber_buffer,
            config.tap.clone(),
        );
        let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].iter().map(|h| h.to_string()).collect();
        if !addr.ip().is_unspecified() {
            hosts.push(addr.ip().to_string());
        }
        hosts.extend(config.allow_hosts.iter().cloned());
        let shared = Arc::new(Shared {
            phone: phone.clone(),
            token: token.clone(),
            port: addr.port(),
            hosts,
            origins: config.allow_origins.clone(),
            write_timeout: config.write_timeout,
            log,
        });
        let app = router(shared, config.body_limit);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            use axum::serve::ListenerExt;
            // No Nagle delay on small event frames; a send buffer of fixed
            // size (no autotuning to megabytes), so a stalled tab holds
            // little and falls behind in the broadcast, where it is told.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
                let _ = socket2::SockRef::from(&*tcp).set_send_buffer_size(SEND_BUFFER);
            });
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Bridge { addr, token, phone, stop: Some(stop).into(), server: Some(server).into() })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The panel's address with the token in the fragment, which the
    /// browser never sends (so no log sees it); the panel keeps it and
    /// clears the address bar.
    pub fn panel_url(&self) -> String {
        format!("http://{}/#token={}", self.addr, self.token)
    }

    pub fn phone(&self) -> &Arc<Phone> {
        &self.phone
    }

    /// Stops serving (open event sockets close) and closes the connection.
    pub async fn stop(&self) {
        let stop = self.stop.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
        let phone = self.phone.clone();
        let _ = tokio::task::spawn_blocking(move || phone.stop()).await;
        let server = self.server.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(server) = server {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }
}

/// Each browser connection's kernel send buffer (Linux doubles it).
const SEND_BUFFER: usize = 64 * 1024;

/// The panel: plain HTML, CSS and JS, embedded.
const PANEL_HTML: &str = include_str!("../assets/panel.html");
const PANEL_JS: &str = include_str!("../assets/panel.js");
const PANEL_CSS: &str = include_str!("../assets/panel.css");
const INTEGRATE_HTML: &str = include_str!("../assets/integrate.html");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn router(shared: Arc<Shared>, body_limit: usize) -> Router {
    let v1 = Router::new()
        .route("/state", get(api::state))
        .route("/status", post(api::status))
        .route("/dial", post(api::dial))
        .route("/answer", post(api::answer))
        .route("/hangup", post(api::hangup))
        .route("/hold", post(api::hold))
        .route("/dtmf", post(api::dtmf))
        .route("/select", post(api::select))
        .route("/agent/login", post(api::agent_login))
        .route("/agent/pause", post(api::agent_pause))
        .route("/agent/logoff", post(api::agent_logoff))
        .route("/events", get(events::events))
        .route("/openapi.json", get(api::openapi))
        .fallback(api::not_found);
    Router::new()
        .route("/", get(|| async { Html(PANEL_HTML) }))
        .route("/integrate", get(|| async { Html(INTEGRATE_HTML) }))
        .route("/panel.js", get(|| async { asset(PANEL_JS, "text/javascript; charset=utf-8") }))
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .route("/panel.css", get(|| async { asset(PANEL_CSS, "text/css; charset=utf-8") }))
        .nest("/v1", v1)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(page_headers))
        .layer(axum::middleware::from_fn_with_state(shared.clone(), security::guard))
        .with_state(shared)
}

/// No framing (clickjacking: a page of another site must not lay the
/// panel's buttons under its own), scripts only from the bridge itself.
async fn page_headers(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Runs a bridge until Ctrl-C (or SIGTERM): `ready` is called once it
/// listens (the command prints the address and the token file there).
pub fn run(config: Config, ready: impl FnOnce(&Bridge)) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let bridge = Bridge::start(config).await?;
        ready(&bridge);
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        bridge.stop().await;
        Ok(())
    })
}
