//! Request bodies at the edge: a client that stops sending in the middle of its body is cut
//! off after [`IDLE_TIMEOUT`] instead of holding a connection and a task forever (S3 closes
//! a connection idle for 20 s with `RequestTimeout`). Headers have their own timeout, set
//! on the connection in `listener.rs`.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
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
}

impl<B> IdleTimeout<B> {
    pub fn new(inner: B) -> Self {
        Self {
            inner,
            deadline: None,
        }
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
