//! Request bodies at the edge: a client that stops sending in the middle of its body is cut
//! off after [`IDLE_TIMEOUT`] instead of holding a connection and a task forever (S3 closes
//! a connection idle for 20 s with `RequestTimeout`). Headers have their own timeout, set
//! on the connection in `listener.rs`.
//!
//! A body also tells whether it was read to its end ([`IdleTimeout::read_to_end`]): hyper
//! closes the connection after answering a request whose body it did not read (a refusal
//! before the body, an error part-way through), so that response must say `Connection: close`,
//! or the client may send its next request on a connection about to close.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// How long a body may wait for its next bytes.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);

/// The error of a body whose client sent nothing for [`IDLE_TIMEOUT`].
#[derive(Debug)]
pub struct TimedOut;

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the request body sent nothing for {} s",
            IDLE_TIMEOUT.as_secs()
        )
    }
}

impl Error for TimedOut {}

/// Whether `err`, or an error it wraps, is [`TimedOut`] (s3s wraps body errors in its own).
pub fn timed_out(err: &(dyn Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.is::<TimedOut>() || e.to_string().contains(&TimedOut.to_string()) {
            return true;
        }
        current = e.source();
    }
    false
}

/// A body that fails with [`TimedOut`] once it has been waiting for data, without a frame,
/// for [`IDLE_TIMEOUT`]. The clock runs only while the body is polled and pending, so a
/// server that is slow to read never blames the client.
pub struct IdleTimeout<B> {
    inner: B,
    /// Armed at the first pending poll since the last frame.
    deadline: Option<Pin<Box<Sleep>>>,
    /// Set once the body has been read to its end (at once for a request without one).
    ended: Arc<AtomicBool>,
}

impl<B: Body> IdleTimeout<B> {
    pub fn new(inner: B) -> Self {
        let ended = Arc::new(AtomicBool::new(inner.is_end_stream()));
        Self {
            inner,
            deadline: None,
            ended,
        }
    }

    /// A flag that is set once the body has been read to its end; kept by whoever answers the
    /// request after handing the body on.
    pub fn read_to_end(&self) -> Arc<AtomicBool> {
        self.ended.clone()
    }
}

impl<B> Body for IdleTimeout<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = Box<dyn Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            this.deadline = None;
            if frame.is_none() || this.inner.is_end_stream() {
                this.ended.store(true, Ordering::Release);
            }
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(IDLE_TIMEOUT)));
        ready!(deadline.as_mut().poll(cx));
        Poll::Ready(Some(Err(Box::new(TimedOut))))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Empty, Full};

    #[tokio::test]
    async fn a_body_tells_whether_it_was_read_to_its_end() {
        let none = IdleTimeout::new(Empty::<Bytes>::new());
        assert!(none.read_to_end().load(Ordering::Acquire));

        let mut body = IdleTimeout::new(Full::new(Bytes::from_static(b"abc")));
        let ended = body.read_to_end();
        assert!(!ended.load(Ordering::Acquire));
        let frame = body.frame().await.expect("a frame").expect("data");
        assert_eq!(frame.into_data().expect("data"), "abc");
        assert!(ended.load(Ordering::Acquire));
    }
}
