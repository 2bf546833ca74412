//! Each protection, shown by the attack it stops failing: a token file
//! others could read, requests without (or with a wrong) token, a token in
//! the query string, a cross-origin page, a DNS-rebinding Host, an
//! oversize body, DTMF in the log, framing of the panel.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{http, refused_status, ws, Rig};
use dgphone::Line;
use dgphone_bridge::security::load_or_create_token;

const PATHS: [(&str, &str); 12] = [
    ("GET", "/v1/state"),
    ("POST", "/v1/status"),
    ("POST", "/v1/dial"),
    ("POST", "/v1/answer"),
    ("POST", "/v1/hangup"),
    ("POST", "/v1/hold"),
    ("POST", "/v1/dtmf"),
    ("POST", "/v1/select"),
    ("POST", "/v1/agent/login"),
    ("POST", "/v1/agent/pause"),
    ("POST", "/v1/agent/logoff"),
    ("GET", "/v1/events"),
];

#[test]
fn the_token_file_is_the_owners_alone() {
    let dir = common::temp_dir();
    let path = dir.join("sub").join("token");
    let token = load_or_create_token(&path).unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    // The next start reads the same token.
    assert_eq!(load_or_create_token(&path).unwrap(), token);
    // Another token file gets another token.
    assert_ne!(load_or_create_token(&dir.join("other")).unwrap(), token);
    // A file others can read is refused: the token may have leaked.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let error = load_or_create_token(&path).unwrap_err();
    assert!(error.to_string().contains("chmod 600"), "{error}");
    // A file that holds no token is refused too.
    let junk = dir.join("junk");
    std::fs::write(&junk, "x\n").unwrap();
    std::fs::set_permissions(&junk, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(load_or_create_token(&junk).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_token_nothing_is_done() {
    let rig = Rig::start().await;
    let before = rig.commands();
    let host = rig.host();
    for bad in [None, Some("Bearer 0000"), Some("Basic abc"), Some(&format!("Bearer {}x", rig.token) as &str)] {
        for (method, path) in PATHS {
            let mut headers = vec![("Host", host.as_str()), ("Content-Type", "application/json")];
            if let Some(bad) = bad {
                headers.push(("Authorization", bad));
            }
            let response = http(rig.addr, method, path, &headers, Some(br#"{"number":"1002"}"#)).await;
            assert_eq!(response.status, 401, "{method} {path} with {bad:?}: {}", response.text());
            assert_eq!(response.json()["error"]["code"], "unauthorized");
        }
    }
    // The event socket: no token, a wrong one in the subprotocol.
    let no_token = ws(rig.addr, "/v1/events", &[]).await.unwrap_err();
    assert_eq!(refused_status(no_token), 401);
    let wrong =
        ws(rig.addr, "/v1/events", &[("Sec-WebSocket-Protocol", "dgphone.v1, dgphone-token.0000")]).await.unwrap_err();
    assert_eq!(refused_status(wrong), 401);
    // The answer names dgphone.v1 only: the token is never echoed.
    let offered = format!("dgphone.v1, dgphone-token.{}", rig.token);
    let chosen = common::ws_protocol(rig.addr, &[("Sec-WebSocket-Protocol", &offered)]).await;
    assert_eq!(chosen.as_deref(), Some("dgphone.v1"));
    // The header works on the socket too (non-browser clients).
    let auth = rig.auth();
    let (_, status) = ws(rig.addr, "/v1/events", &[("Authorization", &auth)]).await.unwrap();
    assert_eq!(status, 101);
    assert_eq!(rig.commands(), before, "nothing reached DGPhone");
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_in_the_query_string_is_refused() {
    let rig = Rig::start().await;
    let host = rig.host();
    let good = format!("/v1/state?token={}", rig.token);
    // Refused even with a good header: the URL has leaked the token to logs.
    let auth = rig.auth();
    for path in [good.as_str(), "/v1/state?access_token=abc", "/?token=abc"] {
        let response = http(rig.addr, "GET", path, &[("Host", &host), ("Authorization", &auth)], None).await;
        assert_eq!(response.status, 400, "{path}");
        assert_eq!(response.json()["error"]["code"], "token_in_query");
    }
    let before = rig.commands();
    let dial = format!("/v1/dial?token={}", rig.token);
    let response = http(rig.addr, "POST", &dial, &[("Host", &host)], Some(br#"{"number":"1002"}"#)).await;
    assert_eq!(response.status, 400);
    assert_eq!(rig.commands(), before, "nothing was dialled");
    let socket = ws(rig.addr, &format!("/v1/events?token={}", rig.token), &[]).await.unwrap_err();
    assert_eq!(refused_status(socket), 400);
    // The log never shows the query, so never the token.
    assert!(rig.log.lock().unwrap().iter().all(|line| !line.contains(&rig.token)));
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_pages_are_refused_unless_allowed() {
    let crm = "https://crm.example.com";
    let rig = Rig::start_with(Default::default(), |c| c.allow_origins = vec![crm.into()]).await;
    let host = rig.host();
    let auth = rig.auth();
    let before = rig.commands();
    let evil = [("Host", host.as_str()), ("Origin", "https://evil.example"), ("Content-Type", "text/plain")];
    // A page of another site posting without the token (a "simple"
    // request, which browsers send without a preflight).
    let response = http(rig.addr, "POST", "/v1/dial", &evil, Some(br#"{"number":"1900"}"#)).await;
    assert_eq!(response.status, 403, "{}", response.text());
    assert_eq!(response.json()["error"]["code"], "origin_not_allowed");
    assert!(response.header("access-control-allow-origin").is_none());
    // Even holding the token, the origin is refused.
    let mut with_token = evil.to_vec();
    with_token.push(("Authorization", &auth));
    assert_eq!(http(rig.addr, "POST", "/v1/dial", &with_token, Some(br#"{"number":"1900"}"#)).await.status, 403);
    // Its preflight gets no CORS grant.
    let preflight = [
        ("Host", host.as_str()),
        ("Origin", "https://evil.example"),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "authorization"),
    ];
    let response = http(rig.addr, "OPTIONS", "/v1/dial", &preflight, None).await;
    assert_eq!(response.status, 403);
    assert!(response.header("access-control-allow-origin").is_none());
    // Its WebSocket (CORS does not cover those; the Origin check does).
    let protocol = format!("dgphone.v1, dgphone-token.{}", rig.token);
    let socket =
        ws(rig.addr, "/v1/events", &[("Origin", "https://evil.example"), ("Sec-WebSocket-Protocol", &protocol)])
            .await
            .unwrap_err();
    assert_eq!(refused_status(socket), 403);
    assert_eq!(rig.commands(), before, "nothing reached DGPhone");

    // The allowed CRM: its preflight is granted, its call needs the token.
    let preflight = [("Host", host.as_str()), ("Origin", crm), ("Access-Control-Request-Method", "POST")];
    let response = http(rig.addr, "OPTIONS", "/v1/select", &preflight, None).await;
    assert_eq!(response.status, 204);
    assert_eq!(response.header("access-control-allow-origin"), Some(crm));
    assert!(response.header("access-control-allow-headers").unwrap().contains("authorization"));
    let crm_headers = [("Host", host.as_str()), ("Origin", crm)];
    let response = http(rig.addr, "POST", "/v1/select", &crm_headers, Some(br#"{"line":2}"#)).await;
    assert_eq!(response.status, 401);
    let mut crm_with_token = crm_headers.to_vec();
    crm_with_token.push(("Authorization", &auth));
    let response = http(rig.addr, "POST", "/v1/select", &crm_with_token, Some(br#"{"line":2}"#)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("access-control-allow-origin"), Some(crm));
    let (_, status) =
        ws(rig.addr, "/v1/events", &[("Origin", crm), ("Sec-WebSocket-Protocol", &protocol)]).await.unwrap();
    assert_eq!(status, 101);
    // The bridge's own panel is its own origin.
    let own = format!("http://{}", rig.addr);
    let response =
        http(rig.addr, "GET", "/v1/state", &[("Host", &host), ("Origin", &own), ("Authorization", &auth)], None).await;
    assert_eq!(response.status, 200);
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebinding_host_gets_nothing() {
    let rig = Rig::start().await;
    let auth = rig.auth();
    let before = rig.commands();
    let port = rig.addr.port();
    let rebound = format!("attacker.example:{port}");
    // DNS rebinding: the attacker's name now points at 127.0.0.1, so the
    // browser sends the attacker's Host (and calls it same-origin).
    for (method, path) in
        [("GET", "/"), ("GET", "/panel.js"), ("GET", "/v1/state"), ("POST", "/v1/dial"), ("GET", "/v1/openapi.json")]
    {
        let response = http(
            rig.addr,
            method,
            path,
            &[("Host", &rebound), ("Authorization", &auth)],
            Some(br#"{"number":"1900"}"#),
        )
        .await;
        assert_eq!(response.status, 421, "{method} {path}");
        assert_eq!(response.json()["error"]["code"], "bad_host");
    }
    // No Host, another port on loopback: refused too.
    assert_eq!(http(rig.addr, "GET", "/v1/state", &[("Authorization", &auth)], None).await.status, 421);
    let other_port = format!("127.0.0.1:{}", port.wrapping_add(1));
    assert_eq!(
        http(rig.addr, "GET", "/v1/state", &[("Host", &other_port), ("Authorization", &auth)], None).await.status,
        421
    );
    let socket = ws(rig.addr, "/v1/events", &[("Host", &rebound), ("Authorization", &auth)]).await.unwrap_err();
    assert_eq!(refused_status(socket), 421);
    assert_eq!(rig.commands(), before);
    // The names it answers to.
    for name in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
        let response = http(rig.addr, "GET", "/v1/state", &[("Host", &name), ("Authorization", &auth)], None).await;
        assert_eq!(response.status, 200, "{name}");
    }
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_body_is_refused_before_parsing() {
    let rig = Rig::start().await;
    let before = rig.commands();
    let number = "1".repeat(20 * 1024);
    let body = format!(r#"{{"number":"{number}"}}"#);
    let (status, error) = rig.post("/v1/dial", &body).await;
    assert_eq!(status, 413, "{error}");
    assert_eq!(error["error"]["code"], "body_too_large");
    assert_eq!(rig.commands(), before, "nothing was dialled");
    // Just under the limit is read (and refused as a bad number, 400).
    let (status, _) = rig.post("/v1/dial", &format!(r#"{{"number":"{}"}}"#, "1".repeat(15 * 1024))).await;
    assert_eq!(status, 400);
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dtmf_never_reaches_the_log() {
    let rig = Rig::start().await;
    rig.sim().incoming_call(Line::new(1).unwrap(), "5511");
    let mut events = rig.subscribe().await;
    events.until("a ringing line", |v| common::line_state(v, 1) == "offering").await;
    let (status, _) = rig.post("/v1/answer", "").await;
    assert_eq!(status, 200);
    let (status, done) = rig.post("/v1/dtmf", r#"{"digits":"739146"}"#).await;
    assert_eq!(status, 200, "{done}");
    let (status, _) = rig.post("/v1/dtmf", r#"{"digits":"73914X"}"#).await;
    assert_eq!(status, 400);
    let log = rig.log.lock().unwrap().clone();
    assert!(log.iter().any(|line| line == "POST /v1/dtmf 200"), "{log:?}");
    assert!(log.iter().all(|line| !line.contains("739146") && !line.contains("73914X")), "{log:?}");
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_cannot_be_framed_and_runs_only_its_own_scripts() {
    let rig = Rig::start().await;
    let host = rig.host();
    let response = http(rig.addr, "GET", "/", &[("Host", &host)], None).await;
    assert_eq!(response.status, 200);
    assert!(response.text().contains("id=\"banner\""));
    assert_eq!(response.header("x-frame-options"), Some("DENY"));
    let csp = response.header("content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{csp}");
    // The panel holds no token: it comes in the address's fragment.
    assert!(!response.text().contains(&rig.token));
    rig.bridge.stop().await;
}
