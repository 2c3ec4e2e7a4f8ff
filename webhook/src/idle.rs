//! Connections that hold memory and do nothing: an I/O wrapper that notes
//! when bytes last moved, so the server can close a connection that has
//! been silent too long (a TLS handshake and then nothing, an HTTP/2
//! preface and then nothing), and a cap on open connections.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// When a connection's bytes last moved.
#[derive(Clone, Debug)]
pub struct Activity {
    epoch: Instant,
    /// Milliseconds after `epoch`.
    last: Arc<AtomicU64>,
}

impl Activity {
    /// Activity that starts now.
    pub fn new() -> Activity {
        Activity {
            epoch: Instant::now(),
            last: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }

    /// How long nothing has moved.
    pub fn silent_for(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }
}

impl Default for Activity {
    fn default() -> Self {
        Activity::new()
    }
}

/// An I/O stream that records its activity.
#[derive(Debug)]
pub struct Watched<S> {
    inner: S,
    activity: Activity,
}

impl<S> Watched<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, activity: Activity) -> Watched<S> {
        Watched { inner, activity }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Runs `conn` (a connection being served) until it ends or nothing has
/// moved on it for `idle`; then it is dropped, which closes the socket.
/// Returns false when it was closed for silence.
pub async fn until_idle<F: std::future::Future>(
    conn: F,
    activity: &Activity,
    idle: Duration,
) -> bool {
    tokio::pin!(conn);
    loop {
        let wait = idle
            .saturating_sub(activity.silent_for())
            .max(Duration::from_millis(10));
        tokio::select! {
            _ = &mut conn => return true,
            () = tokio::time::sleep(wait) => {
                if activity.silent_for() >= idle {
                    return false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(flavor = "current_thread")]
    async fn silence_is_measured_from_the_last_byte() {
        let a = Activity::new();
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(a.silent_for() >= Duration::from_millis(150));
        let (mut client, server) = tokio::io::duplex(64);
        let mut w = Watched::new(server, a.clone());
        client.write_all(b"hi").await.unwrap();
        let mut buf = [0u8; 2];
        w.read_exact(&mut buf).await.unwrap();
        assert!(a.silent_for() < Duration::from_millis(100));
        // A connection that never finishes is dropped once silent.
        let started = Instant::now();
        assert!(!until_idle(std::future::pending::<()>(), &a, Duration::from_millis(300)).await);
        assert!(started.elapsed() >= Duration::from_millis(200));
        // One that ends is not.
        assert!(until_idle(async {}, &a, Duration::from_millis(300)).await);
    }
}
