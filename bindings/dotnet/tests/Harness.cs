// A small counted-assertion harness: each Check counts, failures are
// printed with the caller's line, and the run ends "N passed, M failed".
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using DGPhone;

static class T
{
    static int passed, failed;
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static int Passed => passed;
    public static int Failed => failed;

    public static void Check(bool ok, string what, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (ok) Interlocked.Increment(ref passed);
        else
        {
            Interlocked.Increment(ref failed);
            Console.Error.WriteLine("FAIL " + System.IO.Path.GetFileName(file) + ":" + line + ": " + what);
        }
    }

    public static void Equal<U>(U got, U want, string what, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        Check(EqualityComparer<U>.Default.Equals(got, want), what + ": got <" + got + ">, expected <" + want + ">", file, line);
    }

    /// <summary>Checks that <paramref name="f"/> throws <typeparamref name="E"/>
    /// (with <paramref name="code"/> for a DGPhoneException) and returns it.</summary>
    public static E Throws<E>(Action f, string what, ResultCode? code = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) where E : Exception
    {
        try
        {
            f();
        }
        catch (E e)
        {
            var d = e as DGPhoneException;
            if (code.HasValue && (d == null || d.Code != code.Value))
                Check(false, what + ": code " + (d == null ? "none" : d.Code.ToString()) + ", expected " + code + " (" + e.Message + ")", file, line);
            else
                Check(true, what, file, line);
            return e;
        }
        catch (Exception e)
        {
            Check(false, what + ": threw " + e.GetType().Name + " (" + e.Message + "), expected " + typeof(E).Name, file, line);
            return null;
        }
        Check(false, what + ": did not throw, expected " + typeof(E).Name, file, line);
        return null;
    }

    public static void Run(string name, Action test)
    {
        Console.WriteLine("--- " + name);
        try { test(); }
        catch (Exception e)
        {
            Interlocked.Increment(ref failed);
            Console.Error.WriteLine("FAIL " + name + ": unexpected " + e);
        }
    }

    /// <summary>Waits (up to 10 s) until <paramref name="cond"/> holds, without sleeping on hope: polled every few ms.</summary>
    public static bool Until(Func<bool> cond, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Wait);
        while (!cond())
        {
            if (DateTime.UtcNow > deadline) return cond();
            Thread.Sleep(2);
        }
        return true;
    }

    /// <summary>Pulls until an event of <paramref name="kind"/> (10 s), or null.</summary>
    public static DGPhoneEvent PullUntil(DGPhoneClient c, EventKind kind)
    {
        var deadline = DateTime.UtcNow + Wait;
        DGPhoneEvent e;
        while (DateTime.UtcNow < deadline)
            if (c.TryGetEvent(TimeSpan.FromMilliseconds(200), out e) && e.Kind == kind) return e;
        return null;
    }
}

/// <summary>Events seen by a handler, thread-safe, with waits.</summary>
sealed class Recorder
{
    readonly object gate = new object();
    public readonly List<DGPhoneEvent> Events = new List<DGPhoneEvent>();
    public readonly HashSet<int> Threads = new HashSet<int>();

    public void Add(DGPhoneEvent e)
    {
        lock (gate)
        {
            Events.Add(e);
            Threads.Add(Thread.CurrentThread.ManagedThreadId);
            Monitor.PulseAll(gate);
        }
    }

    public DGPhoneEvent WaitFor(Func<DGPhoneEvent, bool> match)
    {
        var deadline = DateTime.UtcNow + T.Wait;
        lock (gate)
        {
            int seen = 0;
            for (;;)
            {
                for (; seen < Events.Count; seen++)
                    if (match(Events[seen])) return Events[seen];
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return null;
                Monitor.Wait(gate, left);
            }
        }
    }

    public DGPhoneEvent WaitFor(EventKind kind) => WaitFor(e => e.Kind == kind);

    public int Count { get { lock (gate) return Events.Count; } }
}

/// <summary>A SynchronizationContext with one thread of its own, like a UI
/// thread: runs what is posted, in order, and records that thread. Send is
/// counted (the client must never use it).</summary>
sealed class RecordingContext : SynchronizationContext, IDisposable
{
    readonly BlockingCollection<KeyValuePair<SendOrPostCallback, object>> work = new BlockingCollection<KeyValuePair<SendOrPostCallback, object>>();
    readonly Thread thread;
    public int Posts, Sends;
    public int ThreadId => thread.ManagedThreadId;

    public RecordingContext()
    {
        thread = new Thread(() =>
        {
            SetSynchronizationContext(this);
            foreach (var item in work.GetConsumingEnumerable()) item.Key(item.Value);
        }) { IsBackground = true, Name = "recording context" };
        thread.Start();
    }

    public override void Post(SendOrPostCallback d, object state)
    {
        Interlocked.Increment(ref Posts);
        work.Add(new KeyValuePair<SendOrPostCallback, object>(d, state));
    }

    public override void Send(SendOrPostCallback d, object state)
    {
        Interlocked.Increment(ref Sends);
        throw new InvalidOperationException("Send must not be used");
    }

    /// <summary>Runs <paramref name="f"/> on the context's thread and waits for it.</summary>
    public U Invoke<U>(Func<U> f)
    {
        U result = default(U);
        Exception error = null;
        using (var done = new ManualResetEventSlim())
        {
            work.Add(new KeyValuePair<SendOrPostCallback, object>(_ =>
            {
                try { result = f(); } catch (Exception e) { error = e; }
                done.Set();
            }, null));
            if (!done.Wait(T.Wait)) throw new TimeoutException("context thread did not run");
        }
        if (error != null) throw error;
        return result;
    }

    public void Dispose() => work.CompleteAdding();
}
