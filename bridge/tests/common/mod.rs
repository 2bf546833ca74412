//! What the bridge's integration tests share: an in-process simulator and
//! a bridge on port 0, a raw HTTP/1.1 client (so a test can send any Host,
//! Origin or body it likes) and a WebSocket client.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dgphone_bridge::{Bridge, Config};
use dgphone_sim::{SimConfig, Simulator};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

pub const WAIT: Duration = Duration::from_secs(10);
pub const USER: &str = "201";

/// A fresh folder for a token file.
pub fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dgphone-bridge-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Rig {
    pub sim: Option<Simulator>,
    pub bridge: Bridge,
    pub addr: SocketAddr,
    pub token: String,
    pub log: Arc<Mutex<Vec<String>>>,
    pub dir: PathBuf,
}

/// A bridge's config against DGPhone at `port`, on 127.0.0.1:0, its token
/// in a fresh folder, its log kept in `log`.
pub fn config(port: u16, log: &Arc<Mutex<Vec<String>>>) -> (Config, PathBuf) {
    let dir = temp_dir();
    let log = log.clone();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        token_file: dir.join("token"),
        log: Some(Arc::new(move |line: &str| log.lock().unwrap().push(line.to_string()))),
        ..Config::new("127.0.0.1", port, USER)
    };
    (config, dir)
}

impl Rig {
    /// A simulator and a bridge logged in to it.
    pub async fn start() -> Rig {
        Rig::start_with(SimConfig::default(), |_| {}).await
    }

    pub async fn start_with(sim_config: SimConfig, tune: impl FnOnce(&mut Config)) -> Rig {
        let sim = Simulator::start("127.0.0.1:0", sim_config).unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (mut config, dir) = config(sim.port(), &log);
        tune(&mut config);
        let bridge = Bridge::start(config).await.unwrap();
        let (addr, token) = (bridge.local_addr(), bridge.token().to_string());
        let rig = Rig { sim: Some(sim), bridge, addr, token, log, dir };
        rig.wait_online().await;
        // The bridge asks for Status once logged in: wait until it has, so
        // tests count their own commands only.
        rig.wait_for_command("Status").await;
        rig
    }

    /// A bridge whose DGPhone is not there (nothing listens on its port).
    pub async fn without_dgphone() -> Rig {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (config, dir) = config(port, &log);
        let bridge = Bridge::start(config).await.unwrap();
        let (addr, token) = (bridge.local_addr(), bridge.token().to_string());
        Rig { sim: None, bridge, addr, token, log, dir }
    }

    pub fn sim(&self) -> &Simulator {
        self.sim.as_ref().expect("a simulator")
    }

    /// Until the bridge reports itself logged in (and has the line states).
    pub async fn wait_online(&self) {
        let deadline = Instant::now() + WAIT;
        loop {
            let (status, body) = self.get("/v1/state").await;
            assert_eq!(status, 200, "{body}");
            if body["connection"]["logged_in"] == true {
                return;
            }
            assert!(Instant::now() < deadline, "the bridge never logged in: {body}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response =
            http(self.addr, "GET", path, &[("Host", &self.host()), ("Authorization", &self.auth())], None).await;
        (response.status, response.json())
    }

    pub async fn post(&self, path: &str, body: &str) -> (u16, Value) {
        let response = http(
            self.addr,
            "POST",
            path,
            &[("Host", &self.host()), ("Authorization", &self.auth()), ("Content-Type", "application/json")],
            Some(body.as_bytes()),
        )
        .await;
        (response.status, response.json())
    }

    /// The event socket, with the token as a browser sends it.
    pub async fn subscribe(&self) -> Socket {
        let (socket, _) = ws(
            self.addr,
            "/v1/events",
            &[("Sec-WebSocket-Protocol", &format!("dgphone.v1, dgphone-token.{}", self.token))],
        )
        .await
        .expect("the event socket opens");
        Socket { inner: socket }
    }

    /// The number of commands the simulator has received so far.
    pub fn commands(&self) -> usize {
        self.sim().commands().len()
    }

    /// Waits on a blocking simulator call off the async threads.
    pub async fn wait_for_command(&self, name: &'static str) -> dgphone::wire::Packet {
        let sim: &Simulator = self.sim();
        // The simulator's wait blocks; with a multi-threaded runtime it only
        // holds this test's thread.
        tokio::task::block_in_place(|| sim.wait_for_command(name, WAIT))
            .unwrap_or_else(|| panic!("no {name} reached DGPhone"))
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request, written as given (no Host added), read to the end.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    if let Some(body) = body {
        // The server may answer (413) and close before it read it all.
        let _ = stream.write_all(body).await;
    }
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut raw)).await.expect("an answer in time");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a whole response head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(at) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..at]).unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[at + 2..at + 2 + size]);
            rest = &rest[at + 4 + size..];
        }
        body = out;
    }
    Response { status, headers, body }
}

/// A WebSocket handshake to `path` with these extra headers (Host is the
/// address unless given).
pub async fn ws(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(WebSocketStream<TcpStream>, u16), tokio_tungstenite::tungstenite::Error> {
    let stream = TcpStream::connect(addr).await.unwrap();
    ws_on(stream, addr, path, headers).await
}

pub async fn ws_on(
    stream: TcpStream,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(WebSocketStream<TcpStream>, u16), tokio_tungstenite::tungstenite::Error> {
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    for (k, v) in headers {
        let name: tokio_tungstenite::tungstenite::http::HeaderName = k.parse().unwrap();
        request.headers_mut().insert(name, HeaderValue::from_str(v).unwrap());
    }
    let (socket, response) = tokio_tungstenite::client_async(request, stream).await?;
    Ok((socket, response.status().as_u16()))
}

/// The subprotocol the bridge chose in its handshake answer.
pub async fn ws_protocol(addr: SocketAddr, headers: &[(&str, &str)]) -> Option<String> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!("ws://{addr}/v1/events").into_client_request().unwrap();
    for (k, v) in headers {
        let name: tokio_tungstenite::tungstenite::http::HeaderName = k.parse().unwrap();
        request.headers_mut().insert(name, HeaderValue::from_str(v).unwrap());
    }
    let (_, response) = tokio_tungstenite::client_async(request, stream).await.unwrap();
    response.headers().get("sec-websocket-protocol").map(|v| v.to_str().unwrap().to_string())
}

/// The status a refused WebSocket handshake got.
pub fn refused_status(error: tokio_tungstenite::tungstenite::Error) -> u16 {
    match error {
        tokio_tungstenite::tungstenite::Error::Http(response) => response.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other:?}"),
    }
}

pub struct Socket {
    pub inner: WebSocketStream<TcpStream>,
}

impl Socket {
    /// The next JSON item, within the wait.
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.inner.next())
                .await
                .expect("an event in time")
                .expect("the socket stays open")
                .expect("a good frame");
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).unwrap();
            }
        }
    }

    /// The next item for which `test` holds (skipping others).
    pub async fn until(&mut self, what: &str, test: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            assert!(Instant::now() < deadline, "no {what} in time");
            let item = self.next().await;
            if test(&item) {
                return item;
            }
        }
    }

    /// The next DGPhone event of this kind.
    pub async fn event(&mut self, kind: &str) -> Value {
        self.until(kind, |v| v["type"] == "event" && v["kind"] == kind).await
    }
}

/// A line's state in a state object.
pub fn line_state(state: &Value, line: usize) -> String {
    state["lines"][line - 1]["state"].as_str().unwrap_or("?").to_string()
}
