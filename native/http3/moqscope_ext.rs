// moqscope's additions to the web-transport-node crate (the native part of @moq/web-transport),
// compiled into it as a child module of its lib.rs so it can reach the wrapped handles. The stock
// binding answers every session request without a subprotocol, has no statistics, and hands over
// one packet's worth of stream data per read; a relay needs to select the moq-lite version the
// client offered, the probe graph wants QUIC's own round-trip time and congestion window, and
// throughput wants fewer, larger reads.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use tokio::sync::Mutex;

use super::{NapiRecvStream, NapiRequest, NapiSession};

/// Connection statistics from quinn, as plain numbers (JavaScript has no u64).
#[napi(object)]
pub struct MoqscopeQuicStats {
    /// Smoothed round-trip time, milliseconds.
    pub rtt_ms: f64,
    /// Congestion window, bytes.
    pub cwnd: f64,
    /// The congestion controller's pacing rate in bits per second, when it has one.
    pub pacing_rate: Option<f64>,
    pub bytes_sent: f64,
    pub bytes_received: f64,
    pub packets_sent: f64,
    pub packets_lost: f64,
}

#[napi]
impl NapiRequest {
    /// The subprotocols the client offered (WT-Available-Protocols), in its order.
    #[napi(getter)]
    pub async fn moqscope_protocols(&self) -> Result<Vec<String>> {
        let inner = self.inner.clone();
        let guard = inner.lock().await;
        let request = guard
            .as_ref()
            .ok_or_else(|| Error::from_reason("request already consumed"))?;
        Ok(request.protocols.clone())
    }

    /// The client's address, "ip:port".
    #[napi(getter)]
    pub async fn moqscope_remote(&self) -> Result<String> {
        let inner = self.inner.clone();
        let guard = inner.lock().await;
        let request = guard
            .as_ref()
            .ok_or_else(|| Error::from_reason("request already consumed"))?;
        Ok(request.conn().remote_address().to_string())
    }

    /// Accept the session with 200 OK, selecting `protocol` (one the client offered) if given.
    #[napi]
    pub async fn moqscope_accept(&self, protocol: Option<String>) -> Result<NapiSession> {
        let inner = self.inner.clone();
        let request = inner
            .lock()
            .await
            .take()
            .ok_or_else(|| Error::from_reason("request already consumed"))?;
        let mut response = web_transport_quinn::proto::ConnectResponse::OK;
        if let Some(protocol) = protocol {
            response = response.with_protocol(protocol);
        }
        let session = request
            .respond(response)
            .await
            .map_err(|e| Error::from_reason(e.to_string()))?;
        Ok(NapiSession {
            inner: session,
            closed: Arc::new(Mutex::new(None)),
        })
    }
}

#[napi]
impl NapiSession {
    /// What quinn knows about the connection right now.
    #[napi]
    pub fn moqscope_stats(&self) -> MoqscopeQuicStats {
        let conn: &web_transport_quinn::quinn::Connection = &self.inner;
        let stats = conn.stats();
        let congestion = conn.congestion_state();
        MoqscopeQuicStats {
            rtt_ms: conn.rtt().as_secs_f64() * 1000.0,
            cwnd: congestion.window() as f64,
            pacing_rate: congestion.metrics().pacing_rate.map(|r| r as f64),
            bytes_sent: stats.udp_tx.bytes as f64,
            bytes_received: stats.udp_rx.bytes as f64,
            packets_sent: stats.path.sent_packets as f64,
            packets_lost: stats.path.lost_packets as f64,
        }
    }
}

#[napi]
impl NapiRecvStream {
    /// Everything already received, up to `max_size` bytes, in one call (quinn's read() gathers
    /// every chunk that has arrived); waits only when nothing has. Null at FIN.
    #[napi]
    pub async fn moqscope_read(&self, max_size: u32) -> Result<Option<Buffer>> {
        let inner = self.inner.clone();
        let mut stream = inner.lock().await;
        let mut buf = vec![0u8; max_size as usize];
        match stream
            .read(&mut buf)
            .await
            .map_err(|e| Error::from_reason(e.to_string()))?
        {
            None => Ok(None),
            Some(n) => {
                buf.truncate(n);
                Ok(Some(Buffer::from(buf)))
            }
        }
    }
}
