using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;

namespace DGPhone
{
    /// <summary>A connection to one DGPhone, over the C library (libdgphone /
    /// dgphone.dll). Every method may be called from any thread.
    ///
    /// Events: handlers of <see cref="EventReceived"/> run on the
    /// SynchronizationContext that was current when the client was created
    /// (posted, never sent: a WinForms/WPF handler runs on the UI thread), or,
    /// without one, on the library's delivery thread, in order. Or pull them:
    /// <see cref="TryGetEvent"/>, <see cref="NextEventAsync"/>, the
    /// notification handle/descriptor. With a handler attached, events go to
    /// the handlers only, unless <see cref="DGPhoneOptions.QueueWithCallback"/>.</summary>
    public sealed class DGPhoneClient : IDisposable
    {
        // One delegate for every client, in a static field: never collected
        // while any native client may call it. The instance field keeps the
        // rule visible per handle as well.
        private static readonly NativeEventCallback Trampoline = OnNativeEvent;
        private readonly NativeEventCallback callback = Trampoline;

        private readonly ClientHandle handle;
        private readonly EventSink sink;
        private readonly bool queueWithCallback;
        private readonly object gate = new object();
        private volatile bool callbackSet;
        private volatile bool disposed;
        private WaitHandle notifyWaitHandle;

        // Cancellation of pulls by dgp_cancel without cancelling other
        // blocking calls (dgp_cancel reaches every blocking call in progress):
        // it is issued only while no other blocking call of this client runs,
        // else deferred until the last one returns.
        private readonly object cancelGate = new object();
        private int blockingCalls;
        private bool pendingPullCancel;
        private int userCancels;

        [ThreadStatic] private static byte[] pullBuffer;

        /// <summary>Creates a client (not connected) capturing
        /// SynchronizationContext.Current for its events.</summary>
        public DGPhoneClient(DGPhoneOptions options = null)
        {
            options = options ?? new DGPhoneOptions();
            queueWithCallback = options.QueueWithCallback ?? false;
            sink = new EventSink(this, SynchronizationContext.Current);
            handle = new ClientHandle();
            IntPtr nativeOptions = options.ToNative();
            try
            {
                IntPtr client;
                uint rc = NativeMethods.dgp_client_new(nativeOptions, out client);
                DGPhoneLibrary.Check(rc);
                handle.Attach(client, GCHandle.ToIntPtr(GCHandle.Alloc(sink)));
            }
            finally
            {
                NativeMethods.dgp_options_free(nativeOptions);
            }
        }

        /// <summary>The context the handlers run on; null: the delivery thread.</summary>
        public SynchronizationContext SynchronizationContext => sink.Context;

        /// <summary>Every event, as a typed DGPhoneEvent. The first handler
        /// starts the library's callback (attach before Connect to miss none).</summary>
        public event EventHandler<DGPhoneEvent> EventReceived
        {
            add
            {
                lock (gate)
                {
                    ThrowIfDisposed();
                    var before = sink.Handlers;
                    sink.Handlers = (EventHandler<DGPhoneEvent>)Delegate.Combine(before, value);
                    if (!callbackSet && value != null)
                    {
                        uint rc = NativeMethods.dgp_set_event_callback(handle, callback, sink.UserData(handle));
                        if (rc != 0)
                        {
                            // e.g. DGP_ERR_WOULD_DEADLOCK when attached from inside a handler of this client
                            sink.Handlers = before;
                            DGPhoneLibrary.Check(rc);
                        }
                        callbackSet = true;
                    }
                }
            }
            remove
            {
                lock (gate) sink.Handlers = (EventHandler<DGPhoneEvent>)Delegate.Remove(sink.Handlers, value);
            }
        }

        /// <summary>An exception thrown by an EventReceived handler (caught:
        /// it never unwinds into the library). Raised where the handler ran.</summary>
        public event EventHandler<DGPhoneHandlerErrorEventArgs> HandlerFailed
        {
            add { lock (gate) sink.ErrorHandlers = (EventHandler<DGPhoneHandlerErrorEventArgs>)Delegate.Combine(sink.ErrorHandlers, value); }
            remove { lock (gate) sink.ErrorHandlers = (EventHandler<DGPhoneHandlerErrorEventArgs>)Delegate.Remove(sink.ErrorHandlers, value); }
        }

        // ---- connection ----------------------------------------------------

        public void Connect(string host, int port)
        {
            if (port < 0 || port > 65535)
                throw new DGPhoneInvalidArgumentException(ResultCode.InvalidArgument, "port " + port + " is not 0-65535; nothing was done");
            var h = Utf8.Encode(host, "host");
            Blocking(() => NativeMethods.dgp_connect(handle, h, (ushort)port));
        }

        /// <summary>Ends the connection (no reconnection); waits for the reader.</summary>
        public void Disconnect() => Blocking(() => NativeMethods.dgp_disconnect(handle));

        /// <summary>Logs the extension in and waits for DGPhone's answer
        /// (DGPhoneLoginRejectedException carries DGPhone's words).</summary>
        public void Login(string user)
        {
            var u = Utf8.Encode(user, "user");
            Blocking(() => NativeMethods.dgp_login(handle, u));
        }

        /// <summary>Logs off; DGPhone closes the connection.</summary>
        public void Logoff() => Blocking(() => NativeMethods.dgp_logoff(handle));

        /// <summary>Makes every blocking call in progress on this client, on any
        /// thread, return with DGPhoneCancelledException (pulls included).</summary>
        public void Cancel()
        {
            Interlocked.Increment(ref userCancels);
            DGPhoneLibrary.Check(NativeMethods.dgp_cancel(handle));
        }

        // ---- commands (wait: TimeSpan.Zero returns once written) ------------

        public void Status() => Blocking(() => NativeMethods.dgp_status(handle));

        public void LineSelect(int line, TimeSpan wait = default(TimeSpan))
        {
            uint ms = DGPhoneOptions.Ms(wait, "wait");
            Blocking(() => NativeMethods.dgp_line_select(handle, line, ms));
        }

        /// <summary>Dials on the selected line; with a wait, until Dialing.</summary>
        public void Dial(string number, TimeSpan wait = default(TimeSpan))
        {
            var n = Utf8.Encode(number, "number");
            uint ms = DGPhoneOptions.Ms(wait, "wait");
            Blocking(() => NativeMethods.dgp_dial(handle, n, ms));
        }

        /// <summary>Answers <paramref name="line"/> (0: the selected line).</summary>
        public void Answer(int line = 0, TimeSpan wait = default(TimeSpan))
        {
            uint ms = DGPhoneOptions.Ms(wait, "wait");
            Blocking(() => NativeMethods.dgp_answer(handle, line, ms));
        }

        /// <summary>Holds (true), resumes (false) or toggles (null) the selected line.</summary>
        public void Hold(bool? hold, TimeSpan wait = default(TimeSpan))
        {
            uint ms = DGPhoneOptions.Ms(wait, "wait");
            int h = hold.HasValue ? (hold.Value ? 1 : 0) : -1;
            Blocking(() => NativeMethods.dgp_hold(handle, h, ms));
        }

        /// <summary>Sends DTMF (0-9 * # A-D) on the selected line.</summary>
        public void SendDtmf(string digits)
        {
            var d = Utf8.Encode(digits, "digits");
            Blocking(() => NativeMethods.dgp_send_dtmf(handle, d));
        }

        /// <summary>Ends the call on <paramref name="line"/> (0: the selected line).</summary>
        public void Hangup(int line = 0, TimeSpan wait = default(TimeSpan))
        {
            uint ms = DGPhoneOptions.Ms(wait, "wait");
            Blocking(() => NativeMethods.dgp_hangup(handle, line, ms));
        }

        /// <summary>Field-seen QueueStatus (null: every queue).</summary>
        public void QueueStatus(string queue = null, TimeSpan wait = default(TimeSpan))
        {
            var q = Utf8.Encode(queue, "queue");
            uint ms = DGPhoneOptions.Ms(wait, "wait");
            Blocking(() => NativeMethods.dgp_queue_status(handle, q, ms));
        }

        /// <summary>Field-seen AgentPause.</summary>
        public void AgentPause(string agent, bool paused, string reason = null, TimeSpan wait = default(TimeSpan))
        {
            var a = Utf8.Encode(agent, "agent");
            var r = Utf8.Encode(reason, "reason");
            uint ms = DGPhoneOptions.Ms(wait, "wait");
            Blocking(() => NativeMethods.dgp_agent_pause(handle, a, paused ? 1 : 0, r, ms));
        }

        /// <summary>Any command, validated like the typed ones (header keys:
        /// letters, digits, '-', '_'; no Action/Command; no control characters).</summary>
        public void SendCommand(string name, IEnumerable<KeyValuePair<string, string>> headers = null)
        {
            var n = Utf8.Encode(name, "name");
            var list = headers == null ? new List<KeyValuePair<string, string>>() : new List<KeyValuePair<string, string>>(headers);
            var pins = new List<GCHandle>(list.Count * 2);
            var keys = new IntPtr[list.Count];
            var values = new IntPtr[list.Count];
            try
            {
                for (int i = 0; i < list.Count; i++)
                {
                    keys[i] = Pin(Utf8.Encode(list[i].Key, "header key"), pins);
                    values[i] = Pin(Utf8.Encode(list[i].Value, "header value"), pins);
                }
                Blocking(() => NativeMethods.dgp_send_command(handle, n, list.Count == 0 ? null : keys, list.Count == 0 ? null : values, (uint)list.Count));
            }
            finally
            {
                foreach (var p in pins) p.Free();
            }
        }

        private static IntPtr Pin(byte[] bytes, List<GCHandle> pins)
        {
            if (bytes == null) return IntPtr.Zero;
            var h = GCHandle.Alloc(bytes, GCHandleType.Pinned);
            pins.Add(h);
            return h.AddrOfPinnedObject();
        }

        /// <summary>Logs a call-centre agent in by feature code (null: "*9800")
        /// on <paramref name="line"/>; each step waits up to <paramref name="stepTimeout"/>.</summary>
        public void LoginAgent(string agent, string password, int line, TimeSpan stepTimeout, string featureCode = null)
        {
            var f = Utf8.Encode(featureCode, "featureCode");
            var a = Utf8.Encode(agent, "agent");
            var p = Utf8.Encode(password, "password");
            uint ms = DGPhoneOptions.Ms(stepTimeout, "stepTimeout");
            Blocking(() => NativeMethods.dgp_login_agent(handle, f, a, p, line, ms));
        }

        // ---- call flows (each waits for DGPhone's confirmation) ------------

        /// <summary>Asks for Status and waits for the six lines' answers.</summary>
        public void RefreshLines(TimeSpan timeout)
        {
            uint ms = DGPhoneOptions.Ms(timeout, "timeout");
            Blocking(() => NativeMethods.dgp_refresh_lines(handle, ms));
        }

        /// <summary>Selects <paramref name="line"/> (unless 0), dials, waits for Dialing.</summary>
        public void PlaceCall(string number, int line, TimeSpan timeout)
        {
            var n = Utf8.Encode(number, "number");
            uint ms = DGPhoneOptions.Ms(timeout, "timeout");
            Blocking(() => NativeMethods.dgp_place_call(handle, n, line, ms));
        }

        /// <summary>Answers <paramref name="line"/>, or (0) the ringing line,
        /// waiting up to <paramref name="ringWait"/> for one to ring.</summary>
        public void AnswerCall(int line, TimeSpan ringWait, TimeSpan timeout)
        {
            uint rw = DGPhoneOptions.Ms(ringWait, "ringWait"), ms = DGPhoneOptions.Ms(timeout, "timeout");
            Blocking(() => NativeMethods.dgp_answer_call(handle, line, rw, ms));
        }

        /// <summary>Hangs up <paramref name="line"/> (0: the call in progress).</summary>
        public void EndCall(int line, TimeSpan timeout)
        {
            uint ms = DGPhoneOptions.Ms(timeout, "timeout");
            Blocking(() => NativeMethods.dgp_end_call(handle, line, ms));
        }

        /// <summary>Holds, resumes or toggles <paramref name="line"/> (0: the call in progress).</summary>
        public void HoldCall(HoldMode mode, int line, TimeSpan timeout)
        {
            uint ms = DGPhoneOptions.Ms(timeout, "timeout");
            Blocking(() => NativeMethods.dgp_hold_call(handle, (uint)mode, line, ms));
        }

        /// <summary>Sends DTMF on <paramref name="line"/> (0: the call in
        /// progress) and waits until DGPhone took it or refused it.</summary>
        public void SendCallDtmf(string digits, int line, TimeSpan timeout)
        {
            var d = Utf8.Encode(digits, "digits");
            // Workaround: dgp_send_call_dtmf selects a non-zero line before it
            // checks the digits, so a bad digit would still send LineSelect.
            // The digit set (0-9 * # A-D, a-d) is checked here first so that
            // nothing is sent; every other check stays the library's.
            if (digits != null)
                foreach (char ch in digits)
                    if (!IsDtmf(ch))
                        throw new DGPhoneInvalidArgumentException(ResultCode.InvalidArgument,
                            "invalid digits: '" + ch + "' is not a DTMF digit (0-9, *, #, A-D); nothing was sent");
            uint ms = DGPhoneOptions.Ms(timeout, "timeout");
            Blocking(() => NativeMethods.dgp_send_call_dtmf(handle, d, line, ms));
        }

        private static bool IsDtmf(char c)
        {
            c = char.ToUpperInvariant(c);
            return (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D');
        }

        // ---- state (never touches the network) ----------------------------

        public bool IsConnected => NativeMethods.dgp_is_connected(handle) != 0;
        public bool IsLoggedIn => NativeMethods.dgp_is_logged_in(handle) != 0;
        /// <summary>The selected line (1-6), 0 while DGPhone has not reported one.</summary>
        public int SelectedLine => NativeMethods.dgp_selected_line(handle);
        public AgentState AgentState => (AgentState)NativeMethods.dgp_agent_state(handle);
        /// <summary>Events lost to overflow, in all.</summary>
        public ulong DroppedEvents => NativeMethods.dgp_dropped_events(handle);

        public LineState GetLineState(int line)
        {
            uint state;
            DGPhoneLibrary.Check(NativeMethods.dgp_line_state(handle, line, out state));
            return (LineState)state;
        }

        /// <summary>The other party's number on <paramref name="line"/>; empty when none.</summary>
        public string GetLineNumber(int line)
        {
            uint rc;
            string s = Utf8.CopyOutString((byte[] b, uint n, out uint len) => NativeMethods.dgp_line_number(handle, line, b, n, out len), out rc);
            DGPhoneLibrary.Check(rc);
            return s;
        }

        /// <summary>The six lines.</summary>
        public IReadOnlyList<LineInfo> Lines
        {
            get
            {
                var lines = new LineInfo[6];
                for (int i = 0; i < 6; i++) lines[i] = new LineInfo(i + 1, GetLineState(i + 1), GetLineNumber(i + 1));
                return lines;
            }
        }

        // ---- pull ----------------------------------------------------------

        /// <summary>Takes the next queued event, waiting up to
        /// <paramref name="timeout"/>; false when none came.</summary>
        public bool TryGetEvent(TimeSpan timeout, out DGPhoneEvent ev)
        {
            CheckPull();
            uint ms = DGPhoneOptions.Ms(timeout, "timeout");
            int cancels = Volatile.Read(ref userCancels);
            var started = System.Diagnostics.Stopwatch.StartNew();
            uint total = ms;
            for (;;)
            {
                IntPtr native;
                uint rc = NativeMethods.dgp_next_event(handle, ms, out native);
                if (rc == 0)
                {
                    ev = TakeOwned(native);
                    return true;
                }
                if (rc == (uint)ResultCode.Timeout)
                {
                    ev = null;
                    return false;
                }
                if (rc == (uint)ResultCode.Cancelled && cancels == Volatile.Read(ref userCancels) && !disposed)
                {
                    // Another pull's cancellation reached this one: go on waiting.
                    if (total != uint.MaxValue)
                    {
                        long left = total - started.ElapsedMilliseconds;
                        if (left <= 0) { ev = null; return false; }
                        ms = (uint)left;
                    }
                    continue;
                }
                throw DGPhoneException.From(rc, DGPhoneLibrary.LastError());
            }
        }

        /// <summary>Takes the queued events in one call (dgp_next_records:
        /// one crossing for the whole burst, packed into a 64 KiB buffer of
        /// this thread), waiting up to <paramref name="timeout"/> for the
        /// first; empty when none came.</summary>
        public IList<DGPhoneEvent> GetEvents(TimeSpan timeout)
        {
            CheckPull();
            uint ms = DGPhoneOptions.Ms(timeout, "timeout");
            var buf = recordsBuffer ?? (recordsBuffer = new byte[64 * 1024]);
            int cancels = Volatile.Read(ref userCancels);
            var started = System.Diagnostics.Stopwatch.StartNew();
            uint total = ms;
            for (;;)
            {
                uint count, used;
                uint rc = NextRecords(buf, ms, out count, out used);
                if (rc == (uint)ResultCode.BufferTooSmall)
                {
                    // One event bigger than the buffer: grow to it (it stays queued).
                    buf = recordsBuffer = new byte[Math.Max(used, (uint)buf.Length * 2)];
                    continue;
                }
                if (rc == (uint)ResultCode.Timeout) return new List<DGPhoneEvent>();
                if (rc == (uint)ResultCode.Cancelled && cancels == Volatile.Read(ref userCancels) && !disposed)
                {
                    // Another pull's cancellation reached this one: go on waiting.
                    if (total != uint.MaxValue)
                    {
                        long left = total - started.ElapsedMilliseconds;
                        if (left <= 0) return new List<DGPhoneEvent>();
                        ms = (uint)left;
                    }
                    continue;
                }
                if (rc != 0) throw DGPhoneException.From(rc, DGPhoneLibrary.LastError());
                var result = new List<DGPhoneEvent>((int)count);
                int at = 0;
                for (uint i = 0; i < count; i++)
                {
                    var e = new DGPhoneEvent(buf, at);
                    result.Add(e);
                    at = (at + e.RecordSize + 7) & ~7;
                }
                return result;
            }
        }

        private unsafe uint NextRecords(byte[] buf, uint ms, out uint count, out uint used)
        {
            fixed (byte* p = buf)
                return NativeMethods.dgp_next_records(handle, (IntPtr)p, (uint)buf.Length, ms, out count, out used);
        }

        [ThreadStatic] private static byte[] recordsBuffer;

        /// <summary>Takes up to <paramref name="max"/> queued events in one
        /// call, waiting up to <paramref name="timeout"/> for the first.</summary>
        public IList<DGPhoneEvent> GetEvents(int max, TimeSpan timeout)
        {
            CheckPull();
            if (max <= 0) throw new DGPhoneInvalidArgumentException(ResultCode.InvalidArgument, "max must be at least 1");
            uint ms = DGPhoneOptions.Ms(timeout, "timeout");
            var natives = new IntPtr[max];
            uint count;
            uint rc = NativeMethods.dgp_next_events(handle, natives, (uint)max, ms, out count);
            var result = new List<DGPhoneEvent>((int)count);
            for (int i = 0; i < count; i++) result.Add(TakeOwned(natives[i]));
            if (rc != 0 && rc != (uint)ResultCode.Timeout) throw DGPhoneException.From(rc, DGPhoneLibrary.LastError());
            return result;
        }

        /// <summary>The next event. The pull runs on a thread of its own while
        /// none is queued; cancelling the token ends it (through dgp_cancel,
        /// issued when no other blocking call of this client is in progress),
        /// and the task is then cancelled.</summary>
        public Task<DGPhoneEvent> NextEventAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            CheckPull();
            if (cancellationToken.IsCancellationRequested)
                return FromCancelled(cancellationToken);
            DGPhoneEvent ready;
            if (TryGetEvent(TimeSpan.Zero, out ready)) return Task.FromResult(ready);
            var tcs = new TaskCompletionSource<DGPhoneEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() => PullUntil(tcs, cancellationToken)) { IsBackground = true, Name = "DGPhone NextEventAsync" };
            thread.Start();
            return tcs.Task;
        }

        private static Task<DGPhoneEvent> FromCancelled(CancellationToken token)
        {
            var t = new TaskCompletionSource<DGPhoneEvent>();
            t.SetCanceled();
            return t.Task;
        }

        private void PullUntil(TaskCompletionSource<DGPhoneEvent> tcs, CancellationToken token)
        {
            CancellationTokenRegistration reg = default(CancellationTokenRegistration);
            try
            {
                int cancels = Volatile.Read(ref userCancels);
                reg = token.Register(() =>
                {
                    RequestPullCancel();
                    // The token may fire just before this thread enters its
                    // native wait, which a cancel does not reach: repeat
                    // until the pull has ended.
                    Timer repeat = null;
                    repeat = new Timer(_ => { if (!tcs.Task.IsCompleted) RequestPullCancel(); }, null, 20, 20);
                    tcs.Task.ContinueWith(_ => repeat.Dispose(), TaskContinuationOptions.ExecuteSynchronously);
                });
                for (;;)
                {
                    if (token.IsCancellationRequested) { tcs.TrySetCanceled(); return; }
                    IntPtr native;
                    uint rc = NativeMethods.dgp_next_event(handle, 60000, out native);
                    if (rc == 0) { tcs.TrySetResult(TakeOwned(native)); return; }
                    if (rc == (uint)ResultCode.Timeout) continue;
                    if (rc == (uint)ResultCode.Cancelled)
                    {
                        if (token.IsCancellationRequested) { tcs.TrySetCanceled(); return; }
                        if (disposed) { tcs.TrySetException(new ObjectDisposedException(nameof(DGPhoneClient))); return; }
                        if (cancels == Volatile.Read(ref userCancels)) continue; // another pull's cancellation
                    }
                    tcs.TrySetException(DGPhoneException.From(rc, DGPhoneLibrary.LastError()));
                    return;
                }
            }
            catch (Exception e)
            {
                tcs.TrySetException(e);
            }
            finally
            {
                reg.Dispose();
            }
        }

        private void RequestPullCancel()
        {
            lock (cancelGate)
            {
                if (blockingCalls == 0) TryNativeCancel();
                else pendingPullCancel = true;
            }
        }

        private void TryNativeCancel()
        {
            try { NativeMethods.dgp_cancel(handle); }
            catch (ObjectDisposedException) { }
        }

        /// <summary>On Windows: a WaitHandle signalled while events are queued
        /// (dgp_notify_handle; owned by the client, valid until Dispose). On
        /// Linux and macOS (Mono, .NET) there is no HANDLE: this throws
        /// PlatformNotSupportedException; use <see cref="NotificationFileDescriptor"/>.</summary>
        public WaitHandle NotificationWaitHandle
        {
            get
            {
                if (Environment.OSVersion.Platform != PlatformID.Win32NT)
                    throw new PlatformNotSupportedException("the notification is a file descriptor here: use NotificationFileDescriptor (poll/select/epoll)");
                lock (gate)
                {
                    ThrowIfDisposed();
                    if (notifyWaitHandle == null)
                    {
                        IntPtr h = NativeMethods.dgp_notify_handle(handle);
                        if (h == IntPtr.Zero) throw new DGPhoneException(ResultCode.Resource, "dgp_notify_handle returned NULL");
                        notifyWaitHandle = new NotifyWaitHandle(h); // does not own it: the library closes it
                    }
                    return notifyWaitHandle;
                }
            }
        }

        /// <summary>A file descriptor readable while events are queued (Linux,
        /// macOS; poll it, never read, write or close it); -1 on Windows.</summary>
        public int NotificationFileDescriptor => NativeMethods.dgp_notify_fd(handle);

        private sealed class NotifyWaitHandle : WaitHandle
        {
            internal NotifyWaitHandle(IntPtr h) { SafeWaitHandle = new SafeWaitHandle(h, false); }
        }

        private void CheckPull()
        {
            ThrowIfDisposed();
            if (callbackSet && !queueWithCallback)
                throw new InvalidOperationException("events go to the EventReceived handlers; set DGPhoneOptions.QueueWithCallback to pull them as well");
        }

        private static DGPhoneEvent TakeOwned(IntPtr native)
        {
            try
            {
                var buf = pullBuffer ?? (pullBuffer = new byte[1024]);
                var e = EventSink.Decode(native, ref buf);
                pullBuffer = buf;
                return e;
            }
            finally
            {
                NativeMethods.dgp_event_free(native);
            }
        }

        // ---- calls ---------------------------------------------------------

        private void Blocking(Func<uint> call)
        {
            lock (cancelGate) blockingCalls++;
            uint rc;
            try
            {
                rc = call();
            }
            finally
            {
                lock (cancelGate)
                {
                    if (--blockingCalls == 0 && pendingPullCancel)
                    {
                        pendingPullCancel = false;
                        TryNativeCancel();
                    }
                }
            }
            DGPhoneLibrary.Check(rc);
        }

        private void ThrowIfDisposed()
        {
            if (disposed) throw new ObjectDisposedException(nameof(DGPhoneClient));
        }

        /// <summary>Disconnects and frees the client; after it returns no
        /// handler is called (events already posted to the context are dropped).
        /// From a handler running on the library's delivery thread it is
        /// refused with DGPhoneWouldDeadlockException and the client stays
        /// usable: dispose it from another thread (or use a SynchronizationContext).</summary>
        public void Dispose()
        {
            if (sink.IsDeliveringOnThisThread && !handle.IsClosed)
            {
                // Ask the library, which refuses on its callback thread and
                // leaves the client valid: its code and message are the error.
                uint rc = NativeMethods.dgp_client_free(handle.DangerousGetHandle());
                if (rc != 0)
                    throw new DGPhoneWouldDeadlockException(DGPhoneLibrary.LastError()
                        + " (Dispose was called from an EventReceived handler on the library's delivery thread; dispose from another thread)");
                handle.SetHandleAsInvalid(); // not expected: the library freed it
            }
            lock (gate)
            {
                if (disposed) return;
                disposed = true;
            }
            sink.Disposed = true;
            TryNativeCancel(); // blocking calls on other threads return promptly
            handle.Dispose();
            handle.CancelUntilFreed();
        }

        // ---- the callback ----------------------------------------------------

        private static void OnNativeEvent(IntPtr userData, IntPtr nativeEvent)
        {
            try
            {
                var s = GCHandle.FromIntPtr(userData).Target as EventSink;
                if (s != null) s.Deliver(nativeEvent);
            }
            catch
            {
                // Never unwind into the library.
            }
        }

        /// <summary>What the library's callback reaches through its GCHandle:
        /// the handlers, the context, the reused record buffer. It holds the
        /// client weakly, so a client nobody disposed can still be collected
        /// (its SafeHandle then frees the native client).</summary>
        internal sealed class EventSink
        {
            // The library's callback thread of this client, and whether a
            // callback is running on it: Dispose must not free from there.
            // (No [ThreadStatic]: a TLS look-up per event cost throughput.)
            private Thread callbackThread;
            private volatile int delivering;

            internal bool IsDeliveringOnThisThread => delivering != 0 && callbackThread == Thread.CurrentThread;

            internal readonly SynchronizationContext Context;
            private readonly WeakReference<DGPhoneClient> owner;
            private readonly SendOrPostCallback posted;
            private byte[] buffer = new byte[1024]; // the delivery thread's only
            private EventHandler<DGPhoneEvent> handlers;
            // Copy-on-write, so delivery reads it without a lock or an allocation.
            internal volatile EventHandler<DGPhoneEvent>[] HandlerList = new EventHandler<DGPhoneEvent>[0];

            internal EventHandler<DGPhoneEvent> Handlers
            {
                get { return handlers; }
                set
                {
                    handlers = value;
                    HandlerList = value == null ? new EventHandler<DGPhoneEvent>[0]
                        : Array.ConvertAll(value.GetInvocationList(), d => (EventHandler<DGPhoneEvent>)d);
                }
            }
            internal volatile EventHandler<DGPhoneHandlerErrorEventArgs> ErrorHandlers;
            internal volatile bool Disposed;

            internal EventSink(DGPhoneClient client, SynchronizationContext context)
            {
                owner = new WeakReference<DGPhoneClient>(client);
                Context = context;
                posted = state => Raise((DGPhoneEvent)state);
            }

            internal IntPtr UserData(ClientHandle h)
            {
                // The GCHandle made at construction is the ClientHandle's;
                // it is found again through the handle's field.
                return h.UserDataForCallback;
            }

            internal static DGPhoneEvent Decode(IntPtr native, ref byte[] buf)
            {
                uint needed;
                uint rc = Copy(native, buf, out needed);
                if (rc == (uint)ResultCode.BufferTooSmall)
                {
                    buf = new byte[Math.Max(needed, (uint)buf.Length * 2)];
                    rc = Copy(native, buf, out needed);
                }
                if (rc != 0) throw DGPhoneException.From(rc, DGPhoneLibrary.LastError());
                return new DGPhoneEvent(buf, 0);
            }

            private static unsafe uint Copy(IntPtr native, byte[] buf, out uint needed)
            {
                // The record lands in place (8-byte aligned enough: the
                // fields are read with BitConverter, not through pointers).
                fixed (byte* p = buf)
                    return NativeMethods.dgp_event_copy(native, (IntPtr)p, (uint)buf.Length, out needed);
            }

            internal void Deliver(IntPtr native)
            {
                if (Disposed) return;
                if (callbackThread == null) callbackThread = Thread.CurrentThread;
                delivering++;
                try
                {
                    DGPhoneEvent e;
                    try
                    {
                        e = Decode(native, ref buffer);
                    }
                    catch (Exception x)
                    {
                        ReportError(x, null);
                        return;
                    }
                    var ctx = Context;
                    if (ctx != null)
                    {
                        try { ctx.Post(posted, e); }
                        catch (Exception x) { ReportError(x, e); }
                    }
                    else
                    {
                        Raise(e);
                    }
                }
                finally
                {
                    delivering--;
                }
            }

            private void Raise(DGPhoneEvent e)
            {
                if (Disposed) return;
                var handlers = HandlerList;
                if (handlers.Length == 0) return;
                DGPhoneClient sender;
                owner.TryGetTarget(out sender);
                // Each handler apart, so one that throws does not silence the rest.
                for (int i = 0; i < handlers.Length; i++)
                {
                    try { handlers[i](sender, e); }
                    catch (Exception x) { ReportError(x, e); }
                }
            }

            private void ReportError(Exception x, DGPhoneEvent e)
            {
                var handlers = ErrorHandlers;
                if (handlers == null) return;
                DGPhoneClient sender;
                owner.TryGetTarget(out sender);
                try { handlers(sender, new DGPhoneHandlerErrorEventArgs(x, e)); }
                catch { /* a failing error handler has nowhere left to report */ }
            }
        }
    }
}
