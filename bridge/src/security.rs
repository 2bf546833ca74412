//! What keeps other web pages, and other users of the machine, from
//! driving the phone through the bridge (docs/bridge.md, "Security"):
//!
//! - the token: random, created on first start in a file only its owner
//!   can read (0600), required on every API call (`Authorization: Bearer`)
//!   and on the event socket (`Authorization`, or the WebSocket
//!   subprotocol `dgphone-token.TOKEN`, since a browser cannot set headers
//!   there); never in the query string, which ends up in logs and history:
//!   a request that carries one there is refused even with a good header;
//! - the `Host` check: only the names the bridge answers to (loopback
//!   names and `--allow-host` ones), so a DNS-rebinding page, whose
//!   requests carry its own host name, gets nothing;
//! - the `Origin` check and CORS: browsers' cross-origin requests (and
//!   WebSocket handshakes, which CORS does not cover) only from the
//!   bridge's own origin and the origins the user allowed;
//! - the body limit (a 413 before any parsing) and no DTMF in any log.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;

/// The subprotocol a browser offers with the token: `dgphone-token.` + token.
pub const TOKEN_PROTOCOL_PREFIX: &str = "dgphone-token.";
/// The subprotocol the bridge answers with.
pub const PROTOCOL: &str = "dgphone.v1";

/// The default token file: `$XDG_CONFIG_HOME/dgphone/bridge-token`, else
/// `~/.config/dgphone/bridge-token`.
pub fn default_token_file() -> PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("dgphone").join("bridge-token")
}

/// Reads the token from `path`, or creates it there (mode 0600, 32 random
/// bytes as hex). A file others can read or write is refused, as ssh does
/// with keys: the token may have leaked.
pub fn load_or_create_token(path: &Path) -> io::Result<String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
    }
    match OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(mut file) => {
            let token = new_token()?;
            file.write_all(token.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            Ok(token)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let mut file = fs::File::open(path)?;
            let mode = file.metadata()?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                        "{} is readable or writable by others (mode {:o}): run `chmod 600 {}` or delete it for a new token",
                        path.display(),
                        mode & 0o777,
                        path.display()
                    ),
                ));
            }
            let mut text = String::new();
            file.read_to_string(&mut text)?;
            let token = text.trim().to_string();
            if token.len() < 32 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{} does not hold a token (32 or more letters and digits); delete it for a new one",
                        path.display()
                    ),
                ));
            }
            Ok(token)
        }
        Err(e) => Err(e),
    }
}

fn new_token() -> io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| io::Error::other(format!("no random bytes: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Equal in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A refusal, in the API's error shape.
pub fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    (status, axum::Json(body)).into_response()
}

/// The host part of a `Host` header and its port, if any.
fn split_host(host: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8080
        return match rest.split_once(']') {
            Some((name, tail)) => (name, tail.strip_prefix(':')),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port)),
        _ => (host, None),
    }
}

impl Shared {
    /// Whether `Host` names this bridge: a name it answers to, and its
    /// port when one is given.
    fn host_allowed(&self, host: &str) -> bool {
        let (name, port) = split_host(host);
        let port_ok = port.map_or(true, |p| p == self.port.to_string());
        port_ok && self.hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(name))
    }

    /// The bridge's own origins (`http://127.0.0.1:PORT`...), and the ones
    /// the user allowed.
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        let own = self.hosts.iter().any(|h| {
            let h = if h.contains(':') { format!("[{h}]") } else { h.clone() };
            origin.eq_ignore_ascii_case(&format!("http://{h}:{}", self.port))
        });
        own || self.origins.iter().any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
    }

    /// The token from `Authorization: Bearer`, or from a WebSocket
    /// subprotocol, checked.
    pub(crate) fn token_ok(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.strip_prefix("Bearer "))
            .any(|t| same(t.trim().as_bytes(), self.token.as_bytes()));
        let protocol = headers
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|p| p.trim().strip_prefix(TOKEN_PROTOCOL_PREFIX))
            .any(|t| same(t.as_bytes(), self.token.as_bytes()));
        bearer || protocol
    }
}

/// A query string that carries something like a token.
fn token_in_query(query: &str) -> bool {
    query.split('&').any(|pair| {
        let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
        matches!(key.as_str(), "token" | "access_token" | "auth" | "authorization" | "key" | "api_key")
    })
}

/// The checks every request goes through, in order: Host, the token in
/// the query, Origin (with CORS preflight), then the token itself for the
/// API and the event socket (the panel's static pages and the OpenAPI
/// document hold no secret and need none).
pub async fn guard(State(shared): State<Arc<Shared>>, request: Request<Body>, next: Next) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !shared.host_allowed(host) {
        shared.log(&format!(
            "refused {} {}: Host {host:?} is not a name of this bridge",
            request.method(),
            request.uri().path()
        ));
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "bad_host",
            "this bridge does not answer to that Host (see --allow-host)",
        );
    }
    if request.uri().query().is_some_and(token_in_query) {
        // The path only: the query may hold the token, and logs must not.
        shared.log(&format!("refused {} {}: a token in the query string", request.method(), request.uri().path()));
        return refuse(
            StatusCode::BAD_REQUEST,
            "token_in_query",
            "a token in the URL's query string is refused (URLs end up in logs): send it in the Authorization header or the WebSocket subprotocol",
        );
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(origin) = &origin {
        if !shared.origin_allowed(origin) {
            shared.log(&format!(
                "refused {} {}: origin {origin:?} not allowed",
                request.method(),
                request.uri().path()
            ));
            return refuse(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "this origin is not allowed (see --allow-origin)",
            );
        }
    }
    let path = request.uri().path().to_string();
    let protected = path.starts_with("/v1/") && path != "/v1/openapi.json";
    if request.method() == Method::OPTIONS {
        // A CORS preflight from an allowed origin (checked above).
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Some(origin) = &origin {
            cors_headers(response.headers_mut(), origin, true);
        }
        return response;
    }
    if protected && !shared.token_ok(headers) {
        shared.log(&format!("refused {} {}: no valid token", request.method(), path));
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid token is required (Authorization: Bearer TOKEN, or the WebSocket subprotocol dgphone-token.TOKEN)",
        );
    }
    let method = request.method().clone();
    let mut response = next.run(request).await;
    if let Some(origin) = &origin {
        cors_headers(response.headers_mut(), origin, false);
    }
    // Never the body, never the query: DTMF digits and tokens stay out.
    shared.log(&format!("{method} {path} {}", response.status().as_u16()));
    response
}

fn cors_headers(headers: &mut HeaderMap, origin: &str, preflight: bool) {
    if let Ok(origin) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if preflight {
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_split_with_and_without_ports() {
        assert_eq!(split_host("127.0.0.1:8750"), ("127.0.0.1", Some("8750")));
        assert_eq!(split_host("localhost"), ("localhost", None));
        assert_eq!(split_host("[::1]:8750"), ("::1", Some("8750")));
        assert_eq!(split_host("evil.example:8750"), ("evil.example", Some("8750")));
    }

    #[test]
    fn tokens_in_the_query_are_recognised() {
        assert!(token_in_query("token=abc"));
        assert!(token_in_query("x=1&Access_Token=abc"));
        assert!(!token_in_query("line=2"));
    }

    #[test]
    fn comparison_is_exact() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
