//! Connections that hold memory and do nothing: an I/O wrapper that notes
//! when bytes last moved, so the server can close a connection that has
//! been silent too long (a TLS handshake and then nothing, an HTTP/2
//! preface and then nothing), and a cap on open connections.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// When a connection's bytes last moved, and how many of its requests are
/// being answered (a connection with one is never silent: a review may
/// wait for the in-flight budget or be judged without a byte moving).
#[derive(Clone, Debug)]
pub struct Activity {
    epoch: Instant,
    /// Milliseconds after `epoch`.
    last: Arc<AtomicU64>,
    busy: Arc<AtomicU64>,
}

impl Activity {
    /// Activity that starts now.
    pub fn new() -> Activity {
        Activity {
            epoch: Instant::now(),
            last: Arc::new(AtomicU64::new(0)),
            busy: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }

    /// How long nothing has moved (zero while a request is answered).
    pub fn silent_for(&self) -> Duration {
        if self.busy.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }

    /// Whether a request on the connection is being answered.
    pub fn busy(&self) -> bool {
        self.busy.load(Ordering::Relaxed) > 0
    }

    /// Marks a request being answered until the guard is dropped.
    fn begin(&self) -> Busy {
        self.busy.fetch_add(1, Ordering::Relaxed);
        Busy(self.clone())
    }
}

/// A request being answered on a connection.
struct Busy(Activity);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A connection's service that counts the requests it is answering in the
/// connection's [`Activity`].
#[derive(Clone, Debug)]
pub struct Counted<S> {
    inner: S,
    activity: Activity,
}

impl<S> Counted<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, activity: Activity) -> Counted<S> {
        Counted { inner, activity }
    }
}

impl<S, R> hyper::service::Service<R> for Counted<S>
where
    S: hyper::service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn call(&self, req: R) -> Self::Future {
        let busy = self.activity.begin();
        let answer = self.inner.call(req);
        Box::pin(async move {
            let r = answer.await;
            drop(busy);
            r
        })
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

/// How long a connection closed for silence or to make room has to finish
/// its graceful close (an HTTP/2 GOAWAY, an HTTP/1.1 close) before it is
/// dropped, unless a request on it is still being answered.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// How long bytes must have stopped moving before a closing connection is
/// dropped: an answer made just now is still being written.
const SETTLE: Duration = Duration::from_millis(100);

/// Drives `conn` (a connection being served) until it ends. When nothing
/// has moved on it for `idle`, when `evict` is notified, or when `stop`
/// turns true, it is asked to close gracefully (`close`: hyper sends an
/// HTTP/2 GOAWAY, so a client whose request crossed it knows to send it
/// again, and an HTTP/1.1 connection closes after its answer). Whatever
/// the reason, it is dropped after a short grace if it has not finished by
/// then and no request on it is being answered. Returns false when it was
/// closed for silence, to make room or for shutdown.
pub async fn drive<C: std::future::Future>(
    conn: C,
    close: impl Fn(Pin<&mut C>),
    activity: &Activity,
    idle: Duration,
    evict: &Notify,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    tokio::pin!(conn);
    let mut closing: Option<Instant> = None;
    let mut stopping = *stop.borrow();
    if stopping {
        close(conn.as_mut());
        closing = Some(Instant::now());
    }
    loop {
        let wait = match closing {
            Some(since) => CLOSE_GRACE.saturating_sub(since.elapsed()),
            None => idle.saturating_sub(activity.silent_for()),
        }
        .max(Duration::from_millis(10));
        tokio::select! {
            _ = &mut conn => return closing.is_none(),
            () = evict.notified(), if closing.is_none() => {
                close(conn.as_mut());
                closing = Some(Instant::now());
            }
            changed = stop.changed(), if !stopping => {
                if changed.is_err() || *stop.borrow() {
                    stopping = true;
                    close(conn.as_mut());
                    // Dropped after the grace unless a request is being
                    // answered: an HTTP/2 peer that never acknowledges the
                    // GOAWAY's ping, or half a request's headers, would
                    // otherwise hold the drain to its end.
                    closing.get_or_insert_with(Instant::now);
                }
            }
            () = tokio::time::sleep(wait) => match closing {
                // Busy means a request crossed the close: it is answered,
                // and its answer written (bytes stop moving) before the
                // connection is dropped.
                Some(since)
                    if since.elapsed() >= CLOSE_GRACE
                        && !activity.busy()
                        && activity.silent_for() >= SETTLE =>
                {
                    return false
                }
                Some(_) => {}
                None if activity.silent_for() >= idle => {
                    close(conn.as_mut());
                    closing = Some(Instant::now());
                }
                None => {}
            },
        }
    }
}

/// The open connections of one listener, so that when the cap is reached
/// the one that has been silent longest makes room for a new one: a flood
/// of connections that send nothing cannot keep out a client that speaks
/// (the kubelet's probes, the API server).
#[derive(Debug, Default)]
pub struct Registry {
    next: AtomicU64,
    open: Mutex<HashMap<u64, (Activity, Arc<Notify>)>>,
}

impl Registry {
    /// Records a connection; returns its id and what evicts it.
    pub fn register(&self, activity: Activity) -> (u64, Arc<Notify>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let evict = Arc::new(Notify::new());
        if let Ok(mut open) = self.open.lock() {
            open.insert(id, (activity, evict.clone()));
        }
        (id, evict)
    }

    /// Forgets a connection that ended.
    pub fn remove(&self, id: u64) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(&id);
        }
    }

    /// Evicts the connection silent longest, if it has been silent for at
    /// least `min`; true when one was.
    pub fn evict_most_silent(&self, min: Duration) -> bool {
        let Ok(mut open) = self.open.lock() else {
            return false;
        };
        let quietest = open
            .iter()
            .map(|(id, (a, _))| (*id, a.silent_for()))
            .filter(|(_, silent)| *silent >= min)
            .max_by_key(|(_, silent)| *silent);
        match quietest.and_then(|(id, _)| open.remove(&id)) {
            Some((_, evict)) => {
                evict.notify_one();
                true
            }
            None => false,
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
        let (_tx, mut stop) = tokio::sync::watch::channel(false);
        let evict = Notify::new();
        // A connection that never finishes is asked to close once silent,
        // and dropped after the grace.
        let asked = std::sync::atomic::AtomicUsize::new(0);
        let close = |_: Pin<&mut std::future::Pending<()>>| {
            asked.fetch_add(1, Ordering::Relaxed);
        };
        let started = Instant::now();
        let idle = Duration::from_millis(300);
        assert!(
            !drive(
                std::future::pending::<()>(),
                close,
                &a,
                idle,
                &evict,
                &mut stop
            )
            .await
        );
        assert!(started.elapsed() >= Duration::from_millis(200) + CLOSE_GRACE);
        assert_eq!(asked.load(Ordering::Relaxed), 1);
        // One that ends is not.
        let done = |_: Pin<&mut std::future::Ready<()>>| {};
        assert!(drive(std::future::ready(()), done, &a, idle, &evict, &mut stop).await);
        // The registry evicts the connection silent longest, and only one
        // silent long enough.
        let r = Registry::default();
        let (_, old_evict) = r.register(Activity::new());
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (_, young_evict) = r.register(Activity::new());
        assert!(r.evict_most_silent(Duration::from_millis(20)));
        let forever = std::future::pending::<()>();
        let long = Duration::from_secs(60);
        assert!(!drive(forever, close, &a, long, &old_evict, &mut stop).await);
        assert!(!r.evict_most_silent(Duration::from_secs(5)));
        drop(young_evict);
    }
}
