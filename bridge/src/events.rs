//! The event socket, `GET /v1/events` (WebSocket): the state snapshot
//! first (`"type": "snapshot"`), then every item of the library's event
//! stream as `dgphone monitor --json` writes it (plus `connection`).
//!
//! Each subscriber reads its own position in the bounded broadcast. One
//! that falls behind by more than the buffer (a stalled or slow tab) loses
//! the oldest items: it gets `{"type": "overflow", "scope": "subscriber",
//! "dropped": N}` and a fresh snapshot, and goes on. The library's
//! callback never waits for it, nor do the other tabs. A tab whose socket
//! takes no data for the write timeout is closed.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::security::PROTOCOL;
use crate::{json, Shared};

/// Live events: a WebSocket that sends the state snapshot, then every event.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "events",
    responses(
        (status = 101, description = "WebSocket: a `snapshot` object, then one JSON object per event (the shape of `dgphone monitor --json`)"),
        (status = 401, description = "No valid token (Authorization header or the subprotocol `dgphone-token.TOKEN`)", body = crate::api::ErrorBody),
    ),
    security(("token" = []), ("subprotocol" = []))
)]
pub async fn events(State(shared): State<Arc<Shared>>, upgrade: WebSocketUpgrade) -> Response {
    // A browser offers [dgphone.v1, dgphone-token.TOKEN]; the answer names
    // only dgphone.v1, so the token is never echoed.
    upgrade
        .protocols([PROTOCOL])
        .max_message_size(64 * 1024)
        // Past this the socket is written to, and a full socket blocks the
        // writer (not memory): the tab then falls behind in the broadcast.
        .write_buffer_size(16 * 1024)
        .on_upgrade(move |socket| subscriber(shared, socket))
}

async fn subscriber(shared: Arc<Shared>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    // Subscribe before the snapshot, so nothing falls between them.
    let mut events = shared.phone.subscribe();
    let write_timeout = shared.write_timeout;
    let send = |text: String| Message::Text(Utf8Bytes::from(text));
    let snapshot = shared.phone.snapshot("snapshot").to_string();
    if !matches!(tokio::time::timeout(write_timeout, sink.send(send(snapshot))).await, Ok(Ok(()))) {
        return;
    }
    // The browser sends nothing we need; reading notices a close.
    let mut reader = tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    });
    loop {
        let item = tokio::select! {
            item = events.recv() => item,
            _ = &mut reader => break,
        };
        let messages = match item {
            Ok(text) => vec![send(text.to_string())],
            Err(RecvError::Lagged(dropped)) => {
                let overflow = json!({
                    "type": "overflow",
                    "scope": "subscriber",
                    "dropped": dropped,
                    "time_ms": json::unix_ms(SystemTime::now()),
                });
                vec![send(overflow.to_string()), send(shared.phone.snapshot("snapshot").to_string())]
            }
            Err(RecvError::Closed) => break,
        };
        // Written as they come, flushed when nothing more is waiting: a burst
        // goes out in few writes.
        for message in messages {
            if !write(&mut sink, message, write_timeout, events.is_empty()).await {
                reader.abort();
                return;
            }
        }
    }
    reader.abort();
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
}

/// Writes one message (flushing when asked) within the write timeout.
async fn write(
    sink: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    message: Message,
    timeout: Duration,
    flush: bool,
) -> bool {
    let written = async {
        sink.feed(message).await?;
        if flush {
            sink.flush().await?;
        }
        Ok::<_, axum::Error>(())
    };
    matches!(tokio::time::timeout(timeout, written).await, Ok(Ok(())))
}
