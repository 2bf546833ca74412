//! The HTTP API over real HTTP against the in-process simulator: the whole
//! call flow, the agent, the OpenAPI document, and every error mapping
//! (400 with nothing sent, 409, 503, 504).

mod common;

use std::time::Duration;

use common::{line_state, Rig};
use dgphone::Line;
use dgphone_sim::SimConfig;

fn l(n: u32) -> Line {
    Line::new(n).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_flows_through_the_api_and_the_socket() {
    let rig = Rig::start().await;
    let mut events = rig.subscribe().await;
    let snapshot = events.next().await;
    assert_eq!(snapshot["type"], "snapshot");
    assert_eq!(snapshot["connection"]["state"], "online");

    // A call rings: the socket tells, the state shows it offering.
    rig.sim().incoming_call(l(2), "5511999990000");
    let ring = events.event("ReceivingCall").await;
    assert_eq!((ring["line"].as_u64(), ring["number"].as_str()), (Some(2), Some("5511999990000")));
    assert_eq!(line_state(&ring, 2), "offering");
    let (_, state) = rig.get("/v1/state").await;
    assert_eq!(line_state(&state, 2), "offering");

    // Answer (no line: the ringing one).
    let (status, done) = rig.post("/v1/answer", "").await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (done["confirmation"]["kind"].as_str(), done["confirmation"]["line"].as_u64()),
        (Some("Answer"), Some(2))
    );
    assert_eq!(line_state(&done["state"], 2), "connected");
    assert_eq!(rig.wait_for_command("Answer").await.get("Line"), Some("2"));

    // Hold and resume.
    let (status, done) = rig.post("/v1/hold", r#"{"mode":"on"}"#).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(line_state(&done["state"], 2), "on_hold");
    let (status, done) = rig.post("/v1/hold", r#"{"mode":"off","line":2}"#).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(line_state(&done["state"], 2), "connected");

    // DTMF on the call.
    let (status, done) = rig.post("/v1/dtmf", r#"{"digits":"12#"}"#).await;
    assert_eq!(status, 200, "{done}");
    rig.wait_for_command("SendDtmf").await;

    // Hang up: idle again, and the socket saw it.
    let (status, done) = rig.post("/v1/hangup", "{}").await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["confirmation"]["kind"], "Hangup");
    // Hangup leaves the line disconnected until DGPhone says Ready.
    assert!(["disconnected", "idle"].contains(&line_state(&done["state"], 2).as_str()), "{done}");
    let hung = events.event("Hangup").await;
    assert_eq!(hung["line"], 2);
    let ready = events.until("line 2 idle", |v| line_state(v, 2) == "idle").await;
    assert_eq!(ready["type"], "event");

    // Click-to-dial on line 3.
    let (status, done) = rig.post("/v1/dial", r#"{"number":"1002","line":3}"#).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (done["confirmation"]["kind"].as_str(), done["confirmation"]["line"].as_u64()),
        (Some("Dialing"), Some(3))
    );
    assert_eq!(rig.wait_for_command("Dial").await.get("Number"), Some("1002"));
    let answered = events.until("Answer on line 3", |v| v["kind"] == "Answer" && v["line"] == 3).await;
    assert_eq!(line_state(&answered, 3), "connected");
    let (status, _) = rig.post("/v1/hangup", r#"{"line":3}"#).await;
    assert_eq!(status, 200);

    // Select and Status.
    let (status, done) = rig.post("/v1/select", r#"{"line":4}"#).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"]["selected"], 4);
    let (status, done) = rig.post("/v1/status", "").await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"]["lines"].as_array().map(Vec::len), Some(6));
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_logs_in_and_pauses() {
    let rig = Rig::start().await;
    let (status, done) = rig.post("/v1/agent/login", r#"{"agent":"7001","password":"1234"}"#).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["confirmation"]["kind"], "AgentLogin");
    assert_eq!(done["state"]["agent"]["agent"], "7001");
    let (status, done) = rig.post("/v1/agent/pause", r#"{"agent":"7001","paused":true,"reason":"lunch"}"#).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["confirmation"]["kind"], "AgentPaused");
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_400_and_nothing_is_sent() {
    let rig = Rig::start().await;
    let before = rig.commands();
    let cases = [
        ("/v1/answer", r#"{"line":9}"#),
        ("/v1/hangup", r#"{"line":0}"#),
        ("/v1/select", r#"{"line":7}"#),
        ("/v1/dial", r#"{"number":""}"#),
        ("/v1/dial", r#"{"number":"1002","line":9}"#),
        ("/v1/dtmf", r#"{"digits":"12x"}"#),
        ("/v1/dtmf", r#"{"digits":"1","line":8}"#),
        ("/v1/hold", r#"{"mode":"sideways"}"#),
        ("/v1/agent/login", r#"{"agent":"70x1","password":"1"}"#),
        ("/v1/agent/logoff", r#"{"feature_code":"*98x"}"#),
        ("/v1/dial", r#"{"number":"1002","extra":1}"#),
        ("/v1/dial", "{not json"),
    ];
    for (path, body) in cases {
        let (status, error) = rig.post(path, body).await;
        assert_eq!(status, 400, "{path} {body}: {error}");
        assert_eq!(error["error"]["code"], "invalid_argument", "{path} {body}: {error}");
        assert_eq!(error["error"]["dgp_code"], 1, "{path} {body}");
        assert!(!error["error"]["message"].as_str().unwrap_or("").is_empty());
    }
    // A good command after them is the next thing DGPhone got.
    let (status, _) = rig.post("/v1/select", r#"{"line":2}"#).await;
    assert_eq!(status, 200);
    let commands = rig.sim().commands();
    assert_eq!(commands.len(), before + 1, "only the good command was sent: {commands:?}");
    assert_eq!(commands.last().unwrap().get("Command"), Some("LineSelect"));
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dgphone_refusing_is_409_with_its_message() {
    let rig = Rig::start().await;
    let (status, error) = rig.post("/v1/hangup", r#"{"line":1}"#).await;
    assert_eq!(status, 409, "{error}");
    assert_eq!(error["error"]["code"], "command_failed");
    assert_eq!(error["error"]["dgp_code"], 8);
    assert!(error["error"]["message"].as_str().unwrap().contains("Line 1 is idle"), "{error}");
    assert_eq!(error["error"]["doing"], "Hangup on line 1");
    let (status, error) = rig.post("/v1/answer", r#"{"line":3}"#).await;
    assert_eq!(status, 409, "{error}");
    assert!(error["error"]["message"].as_str().unwrap().contains("not ringing"), "{error}");
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_dgphone_is_503() {
    let rig = Rig::without_dgphone().await;
    let (status, state) = rig.get("/v1/state").await;
    assert_eq!(status, 200);
    assert_eq!(state["connection"]["state"], "offline");
    for (path, body) in
        [("/v1/dial", r#"{"number":"1002"}"#), ("/v1/answer", ""), ("/v1/status", ""), ("/v1/hangup", "")]
    {
        let (status, error) = rig.post(path, body).await;
        assert_eq!(status, 503, "{path}: {error}");
        assert_eq!(error["error"]["code"], "not_connected", "{path}: {error}");
        assert_eq!(error["error"]["dgp_code"], 4);
    }
    // Bad input is still 400, not 503.
    let (status, _) = rig.post("/v1/dial", r#"{"number":""}"#).await;
    assert_eq!(status, 400);
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_confirmation_in_time_is_504() {
    let rig = Rig::start_with(SimConfig::default(), |config| config.timeout = Duration::from_millis(300)).await;
    rig.sim().set_silent(true);
    let (status, error) = rig.post("/v1/dial", r#"{"number":"1002"}"#).await;
    assert_eq!(status, 504, "{error}");
    assert_eq!(error["error"]["code"], "timeout");
    assert_eq!(error["error"]["dgp_code"], 9);
    assert_eq!(rig.wait_for_command("Dial").await.get("Number"), Some("1002"));
    rig.sim().set_silent(false);
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_path() {
    let rig = Rig::start().await;
    // Served without the token: it holds no secret.
    let response = common::http(rig.addr, "GET", "/v1/openapi.json", &[("Host", &rig.host())], None).await;
    assert_eq!(response.status, 200);
    let doc = response.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    for path in [
        "/v1/state",
        "/v1/status",
        "/v1/dial",
        "/v1/answer",
        "/v1/hangup",
        "/v1/hold",
        "/v1/dtmf",
        "/v1/select",
        "/v1/agent/login",
        "/v1/agent/pause",
        "/v1/agent/logoff",
        "/v1/events",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is missing");
    }
    assert!(doc["components"]["securitySchemes"].get("token").is_some());
    assert!(doc["paths"]["/v1/dial"]["post"]["responses"].get("409").is_some());
    rig.bridge.stop().await;
}
