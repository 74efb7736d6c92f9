//! The group-commit writer: one thread that runs write closures in arrival order and makes
//! each group durable with a single fsync before acknowledging any of it.
//!
//! Loop: block for one closure, then take whatever else is already queued (up to
//! [`MAX_GROUP`]). Run each closure against its own [`WriteTxn`] and apply its batch at once
//! (visible, not yet durable), so later closures of the group read it. Then persist once and
//! only then reply to every closure. Under load, groups form by themselves; when idle a write
//! costs one fsync of its own.
//!
//! Failure: a closure returning `Err` (or panicking) writes nothing. While the disk has less
//! than [`MIN_FREE_SPACE`] free, closures are refused with [`StorageError::NoSpace`] before they
//! run (so whatever state they keep outside the store stays untouched), and the store stays
//! usable. A backend failure (or panic) while applying or persisting fails every closure of the
//! group with that error and poisons the writer: every later write gets
//! [`StorageError::Poisoned`], because what reached the disk is unknown until the journal is
//! recovered by reopening.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc,
    },
    thread,
};

use tokio::sync::oneshot;

use crate::{StorageError, WriteTxn, backend::Backend};

/// Most closures committed under one fsync; bounds the latency a group adds to its first write.
pub const MAX_GROUP: usize = 512;

/// Writes are refused ([`StorageError::NoSpace`]) while the disk holding the store has less than
/// this free. fjall poisons its database when a journal write fails for lack of space, and only
/// reopening it recovers (see [`crate::fjall_backend`]); keeping this reserve means no batch
/// smaller than it ever gets there, so a full disk fails writes cleanly and they succeed again,
/// without a restart, once space is freed or added. Bulk writers sharing the disk (object
/// files) stop at a larger reserve, so that they leave this one to the store.
pub const MIN_FREE_SPACE: u64 = 8 * 1024 * 1024;

/// What a closure produced: its result, or the payload of its panic.
pub(crate) type Outcome<T, E> = thread::Result<Result<T, E>>;

/// Counters of the writer since the store was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Groups made durable with one fsync each.
    pub groups_committed: u64,
    /// Closures that returned `Ok` and were acknowledged (read-only ones included).
    pub writes_committed: u64,
    /// The most closures ever handled in one group.
    pub largest_group: u64,
}

/// State shared by the writer thread and the store handles.
#[derive(Default)]
struct Shared {
    poisoned: AtomicBool,
    groups_committed: AtomicU64,
    writes_committed: AtomicU64,
    largest_group: AtomicU64,
}

/// The handle to the writer thread. Dropping it lets the thread finish the queue, then joins it.
pub(crate) struct Writer {
    /// `None` only while dropping, to close the channel before joining.
    queue: Option<mpsc::Sender<Box<dyn Job>>>,
    thread: Option<thread::JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl Writer {
    pub(crate) fn spawn(backend: Arc<dyn Backend>) -> Result<Self, StorageError> {
        let (queue, jobs) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let thread = thread::Builder::new()
            .name("strata-storage-writer".into())
            .spawn({
                let shared = shared.clone();
                move || run(&*backend, &jobs, &shared)
            })?;
        Ok(Self {
            queue: Some(queue),
            thread: Some(thread),
            shared,
        })
    }

    /// Queues `f`; the receiver yields its outcome once its group is durable.
    pub(crate) fn submit<T, E, F>(
        &self,
        f: F,
    ) -> Result<oneshot::Receiver<Outcome<T, E>>, StorageError>
    where
        F: FnOnce(&mut WriteTxn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        if self.is_poisoned() {
            return Err(StorageError::Poisoned);
        }
        let (reply, outcome) = oneshot::channel();
        let job = Box::new(Request {
            f: Some(f),
            outcome: None,
            wrote: false,
            reply,
        });
        self.queue
            .as_ref()
            .ok_or(StorageError::WriterStopped)?
            .send(job)
            .map_err(|_| StorageError::WriterStopped)?;
        Ok(outcome)
    }

    pub(crate) fn is_poisoned(&self) -> bool {
        self.shared.poisoned.load(Ordering::Acquire)
    }

    pub(crate) fn stats(&self) -> StoreStats {
        StoreStats {
            groups_committed: self.shared.groups_committed.load(Ordering::Relaxed),
            writes_committed: self.shared.writes_committed.load(Ordering::Relaxed),
            largest_group: self.shared.largest_group.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            // The last store handle may be dropped by a closure running on the writer thread
            // itself; that thread then exits on its own once the queue is empty.
            if thread.thread().id() != thread::current().id() {
                // A panic of the writer thread was already reported by the panic hook.
                let _ = thread.join();
            }
        }
    }
}

fn run(backend: &dyn Backend, jobs: &mpsc::Receiver<Box<dyn Job>>, shared: &Shared) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Ok(first) = jobs.recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(backend, shared, &mut group);
    }
}

fn commit_group(backend: &dyn Backend, shared: &Shared, group: &mut Vec<Box<dyn Job>>) {
    let mut failure = shared
        .poisoned
        .load(Ordering::Acquire)
        .then_some(StorageError::Poisoned);
    let mut wrote = false;
    let mut room = Room::default();
    for job in group.iter_mut() {
        if failure.is_some() {
            break;
        }
        match job.run(backend, &mut room) {
            Ok(job_wrote) => wrote |= job_wrote,
            Err(err) => failure = Some(err),
        }
    }
    if failure.is_none() && wrote {
        failure = guarded(|| backend.persist()).err();
    }

    if failure.is_some() {
        shared.poisoned.store(true, Ordering::Release);
    } else {
        let acked = group.iter().filter(|job| job.succeeded()).count() as u64;
        if wrote {
            shared.groups_committed.fetch_add(1, Ordering::Relaxed);
        }
        shared.writes_committed.fetch_add(acked, Ordering::Relaxed);
        shared
            .largest_group
            .fetch_max(group.len() as u64, Ordering::Relaxed);
    }
    for job in group.drain(..) {
        job.finish(failure.as_ref());
    }
}

/// The free disk space a group may still use: read once per group (one `statvfs`), then
/// reduced by each batch applied, whose journal bytes reach the disk only at the fsync.
#[derive(Default)]
struct Room {
    /// `None` until read; then the backend's answer (`None`: it cannot tell).
    free: Option<Option<u64>>,
}

impl Room {
    /// Refuses the next closure if the disk has less than [`MIN_FREE_SPACE`] left.
    fn check(&mut self, backend: &dyn Backend) -> Result<(), StorageError> {
        match *self.free.get_or_insert_with(|| backend.free_space()) {
            Some(available) if available < MIN_FREE_SPACE => {
                Err(StorageError::NoSpace { available })
            }
            _ => Ok(()),
        }
    }

    /// Counts a batch just applied.
    fn take(&mut self, bytes: u64) {
        if let Some(Some(free)) = &mut self.free {
            *free = free.saturating_sub(bytes);
        }
    }
}

/// A queued closure with its reply channel, with `T`, `E` and `F` erased.
trait Job: Send {
    /// Runs the closure, unless the disk has no room left, and applies its batch if it returned
    /// `Ok`. Returns whether it wrote anything; `Err` is a backend failure while applying.
    fn run(&mut self, backend: &dyn Backend, room: &mut Room) -> Result<bool, StorageError>;

    /// Whether the closure returned `Ok` (meaningful after `run`).
    fn succeeded(&self) -> bool;

    /// Replies to the caller: with `failure` if the group failed, else with the outcome.
    fn finish(self: Box<Self>, failure: Option<&StorageError>);
}

struct Request<T, E, F> {
    f: Option<F>,
    outcome: Option<Outcome<T, E>>,
    wrote: bool,
    reply: oneshot::Sender<Outcome<T, E>>,
}

impl<T, E, F> Job for Request<T, E, F>
where
    F: FnOnce(&mut WriteTxn) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StorageError> + Send + 'static,
{
    fn run(&mut self, backend: &dyn Backend, room: &mut Room) -> Result<bool, StorageError> {
        let Some(f) = self.f.take() else {
            return Ok(self.wrote);
        };
        if let Err(full) = room.check(backend) {
            self.outcome = Some(Ok(Err(E::from(full))));
            return Ok(false);
        }
        let mut txn = WriteTxn::new(backend);
        // A panicking closure must not take the writer (and every later write) down with it;
        // its transaction is dropped unapplied and the panic resumes in the caller.
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&mut txn)));
        let outcome = match outcome {
            Ok(Ok(value)) => match txn.into_batch() {
                Err(invalid) => Ok(Err(E::from(invalid))),
                Ok(batch) if batch.entries.is_empty() => Ok(Ok(value)),
                Ok(batch) => {
                    let size = batch.journal_size();
                    guarded(|| backend.apply(batch))?;
                    room.take(size);
                    self.wrote = true;
                    Ok(Ok(value))
                }
            },
            closure_err_or_panic => closure_err_or_panic,
        };
        self.outcome = Some(outcome);
        Ok(self.wrote)
    }

    fn succeeded(&self) -> bool {
        matches!(self.outcome, Some(Ok(Ok(_))))
    }

    fn finish(self: Box<Self>, failure: Option<&StorageError>) {
        let outcome = match (failure, self.outcome) {
            (None, Some(outcome)) => outcome,
            (Some(err), _) => Ok(Err(E::from(err.clone()))),
            (None, None) => Ok(Err(E::from(StorageError::WriterStopped))),
        };
        // The caller may have stopped waiting; the write stands regardless.
        let _ = self.reply.send(outcome);
    }
}

/// Runs a backend call, turning a panic into an error (which poisons the store: the backend
/// state is unknown) instead of killing the writer thread.
fn guarded(call: impl FnOnce() -> Result<(), StorageError>) -> Result<(), StorageError> {
    catch_unwind(AssertUnwindSafe(call)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(StorageError::BackendPanicked(message))
    })
}

/// Turns what the writer replied into the caller's result, resuming a closure's panic.
pub(crate) fn unwrap_outcome<T, E: From<StorageError>>(
    reply: Result<Outcome<T, E>, oneshot::error::RecvError>,
) -> Result<T, E> {
    match reply {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => Err(E::from(StorageError::WriterStopped)),
    }
}
