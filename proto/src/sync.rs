//! Poison-tolerant locking, one helper for the client and the simulator.
//! Every critical section of theirs leaves its data consistent, and a
//! panic in a host's callback is caught before it could poison anything;
//! so a poisoned lock is taken as it is rather than made unusable (which
//! would turn one caught panic into a dead connection).

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Locks `mutex`, poisoned or not.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Waits on `condvar` with `guard`, poisoned or not.
pub fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    condvar.wait(guard).unwrap_or_else(|e| e.into_inner())
}

/// Waits on `condvar` with `guard` for at most `timeout`, poisoned or not.
pub fn wait_timeout<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>, timeout: Duration) -> MutexGuard<'a, T> {
    condvar.wait_timeout(guard, timeout).unwrap_or_else(|e| e.into_inner()).0
}

/// Waits on `condvar` while `condition` holds, for at most `timeout`.
pub fn wait_timeout_while<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    timeout: Duration,
    condition: impl FnMut(&mut T) -> bool,
) -> MutexGuard<'a, T> {
    condvar.wait_timeout_while(guard, timeout, condition).unwrap_or_else(|e| e.into_inner()).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_poisoned_lock_is_still_usable() {
        let mutex = Arc::new(Mutex::new(1));
        let poisoner = mutex.clone();
        let _ = std::panic::catch_unwind(move || {
            let _guard = poisoner.lock().unwrap();
            panic!("poison it");
        });
        assert!(mutex.is_poisoned());
        *lock(&mutex) += 1;
        assert_eq!(*lock(&mutex), 2);
        let condvar = Condvar::new();
        let guard = wait_timeout(&condvar, lock(&mutex), Duration::from_millis(1));
        assert_eq!(*guard, 2);
        drop(guard);
        let guard = wait_timeout_while(&condvar, lock(&mutex), Duration::from_millis(1), |v| *v == 2);
        assert_eq!(*guard, 2);
    }
}
