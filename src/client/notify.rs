//! A waitable signal that is "on" while the event queue is not empty, for
//! hosts that wait in their own loop (poll/select/epoll, asyncio's
//! add_reader, WaitForSingleObject).
//!
//! On Unix: a non-blocking pipe whose read end is readable while on. On
//! Windows: a manual-reset event. The queue calls `set`/`clear` under its own
//! lock, so the signal never disagrees with the queue for long.

#[cfg(unix)]
mod imp {
    use std::io;
    use std::os::unix::io::RawFd;

    pub struct Notifier {
        read: RawFd,
        write: RawFd,
    }

    fn nonblocking_cloexec(fd: RawFd) -> io::Result<()> {
        // SAFETY: plain fcntl calls on a descriptor this module owns.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }

    impl Notifier {
        pub fn new() -> io::Result<Notifier> {
            let mut fds = [0 as RawFd; 2];
            // SAFETY: `fds` has room for the two descriptors pipe() writes.
            if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
                return Err(io::Error::last_os_error());
            }
            let notifier = Notifier { read: fds[0], write: fds[1] };
            nonblocking_cloexec(notifier.read)?;
            nonblocking_cloexec(notifier.write)?;
            Ok(notifier)
        }

        pub fn set(&self) {
            let byte = 1u8;
            // SAFETY: writes one byte from a valid buffer to our own pipe. A
            // full pipe (EAGAIN) already means "readable", so errors are moot.
            unsafe { libc::write(self.write, (&byte as *const u8).cast(), 1) };
        }

        pub fn clear(&self) {
            let mut buf = [0u8; 64];
            // SAFETY: reads into a valid buffer from our own non-blocking pipe
            // until it is empty.
            while unsafe { libc::read(self.read, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
        }

        pub fn fd(&self) -> RawFd {
            self.read
        }
    }

    impl Drop for Notifier {
        fn drop(&mut self) {
            // SAFETY: both descriptors are ours and closed once.
            unsafe {
                libc::close(self.read);
                libc::close(self.write);
            }
        }
    }
}

#[cfg(windows)]
mod imp {
    use std::io;
    use std::os::raw::c_void;

    // windows-sys 0.52 (the version socket2 uses, and one that builds with
    // rustc 1.63): HANDLE is an isize there.
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::Threading::{CreateEventW, ResetEvent, SetEvent};

    pub struct Notifier {
        event: HANDLE,
    }

    // SAFETY: a Win32 event handle may be used from any thread.
    unsafe impl Send for Notifier {}
    unsafe impl Sync for Notifier {}

    impl Notifier {
        pub fn new() -> io::Result<Notifier> {
            // SAFETY: an unnamed manual-reset event, initially off.
            let event = unsafe { CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) };
            if event == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Notifier { event })
        }

        pub fn set(&self) {
            // SAFETY: the handle is valid until drop.
            unsafe { SetEvent(self.event) };
        }

        pub fn clear(&self) {
            // SAFETY: the handle is valid until drop.
            unsafe { ResetEvent(self.event) };
        }

        pub fn handle(&self) -> *mut c_void {
            self.event as *mut c_void
        }
    }

    impl Drop for Notifier {
        fn drop(&mut self) {
            // SAFETY: closed once, by its owner.
            unsafe { CloseHandle(self.event) };
        }
    }
}

pub use imp::Notifier;
