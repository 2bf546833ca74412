// The .NET binding's tests: against the real libdgphone and the real
// simulator (libdgphone_sim) started on port 0. Ends "N passed, M failed".
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DGPhone;

static class Tests
{
    static readonly TimeSpan Wait = T.Wait;

    static DGPhoneClient LoggedIn(DGPhoneSimulator sim, DGPhoneOptions options = null, string user = "201")
    {
        var c = new DGPhoneClient(options);
        c.Connect("127.0.0.1", sim.Port);
        c.Login(user);
        return c;
    }

    /// <summary>Settles the session (a Status answered on every line) and
    /// empties the queue, so the next event is the test's own.</summary>
    static void Quiet(DGPhoneClient c)
    {
        c.RefreshLines(Wait);
        while (c.GetEvents(TimeSpan.FromMilliseconds(100)).Count > 0) { }
    }

    static int Main(string[] args)
    {
        var only = args.Length > 0 ? args[0] : null;
        var tests = new List<KeyValuePair<string, Action>>
        {
            P("version", Version),
            P("call flow, pull", CallFlowPull),
            P("call flow helpers and agent login", CallFlowHelpers),
            P("state", State),
            P("headers and big events", Headers),
            P("batch pull", BatchPull),
            P("error paths: arguments (nothing sent)", ArgumentErrors),
            P("error paths: connection and login", ConnectionErrors),
            P("error paths: commands", CommandErrors),
            P("error paths: timeout, cancel, connection lost", WaitErrors),
            P("error paths: simulator", SimulatorErrors),
            P("events on the delivery thread without a context", DeliveryThread),
            P("events on the captured context", CapturedContext),
            P("handler exceptions are reported, not unwound", HandlerExceptions),
            P("blocking calls from a handler", BlockingFromHandler),
            P("Dispose from inside a handler", DisposeFromHandler),
            P("Dispose while events flood", DisposeWhileFlooding),
            P("GC.Collect while callbacks run", GcWhileCallbacks),
            P("NextEventAsync and cancellation", NextEventAsync),
            P("notification descriptor and handle", Notification),
            P("forgotten clients are freed by the finalizer", Finalizer),
        };
        foreach (var t in tests)
            if (only == null || t.Key.Contains(only)) T.Run(t.Key, t.Value);
        Console.WriteLine(T.Passed + " passed, " + T.Failed + " failed");
        return T.Failed == 0 ? 0 : 1;
    }

    static KeyValuePair<string, Action> P(string name, Action a) => new KeyValuePair<string, Action>(name, a);

    static void Version()
    {
        string v = DGPhoneLibrary.NativeVersion;
        T.Check(!string.IsNullOrEmpty(v), "dgp_version gives text");
        uint n = DGPhoneLibrary.NativeVersionNumber;
        T.Equal((int)(n >> 16), DGPhoneLibrary.AbiMajor, "the loaded library's major version");
        T.Equal(v, (n >> 16) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff), "version text and number agree");
        T.Equal(DGPhoneLibrary.ResultDescription(ResultCode.Ok).Length > 0, true, "dgp_result_str decoded");
    }

    static void CallFlowPull()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = new DGPhoneClient())
        {
            T.Check(!c.IsConnected, "not connected at first");
            c.Connect("127.0.0.1", sim.Port);
            T.Check(c.IsConnected, "connected");
            var connected = T.PullUntil(c, EventKind.Connected);
            T.Check(connected != null && connected.Detail.Contains("127.0.0.1"), "Connected event with the peer in its detail");
            c.Login("201");
            T.Check(c.IsLoggedIn, "logged in");
            T.Check(sim.WaitForLogins(1, Wait), "the simulator saw the login");
            var loggedIn = T.PullUntil(c, EventKind.LoggedIn);
            T.Equal(loggedIn?.Detail, "201", "LoggedIn names the user");

            sim.IncomingCall(1, "5551234");
            var ring = T.PullUntil(c, EventKind.ReceivingCall);
            T.Equal(ring?.Line, 1, "ReceivingCall on line 1");
            T.Equal(ring?.Number, "5551234", "the caller's number");
            T.Equal(c.GetLineState(1), LineState.Offering, "line 1 offering");
            c.Answer(1, Wait);
            T.Equal(c.GetLineState(1), LineState.Connected, "answered");
            T.Equal(c.GetLineNumber(1), "5551234", "line 1's number");
            c.Hangup(1, Wait);
            T.Check(T.PullUntil(c, EventKind.Hangup) != null, "Hangup event");

            c.LineSelect(2, Wait);
            T.Equal(c.SelectedLine, 2, "line 2 selected");
            c.Dial("1002", Wait);
            T.Check(T.Until(() => c.GetLineState(2) == LineState.Connected), "the far end answered on line 2");
            c.Hold(true, Wait);
            T.Equal(c.GetLineState(2), LineState.OnHold, "held");
            c.Hold(false, Wait);
            T.Equal(c.GetLineState(2), LineState.Connected, "resumed");
            c.Hold(null, Wait);
            T.Equal(c.GetLineState(2), LineState.OnHold, "toggled on");
            c.Hold(null, Wait);
            T.Equal(c.GetLineState(2), LineState.Connected, "toggled off");
            c.SendDtmf("12#");
            T.Check(sim.WaitForCommand("SendDtmf", Wait), "the simulator got SendDtmf");
            sim.DtmfReceived(2, '7');
            var dtmf = T.PullUntil(c, EventKind.DtmfReceived);
            T.Equal(dtmf?.Header("Digit"), "7", "the far end's digit");
            c.Hangup(0, Wait);
            T.Check(T.Until(() => c.GetLineState(2) == LineState.Idle || c.GetLineState(2) == LineState.Disconnected), "line 2 hung up");

            c.Status();
            T.Check(sim.WaitForCommand("Status", Wait), "Status sent");
            c.SendCommand("Status", new[] { new KeyValuePair<string, string>("Line", "3") });
            T.Check(sim.WaitForCommand("Status", Wait), "a generic command sent");
            c.QueueStatus(null, Wait);
            T.Check(sim.WaitForCommand("QueueStatus", Wait), "QueueStatus sent and completed");
            c.AgentPause("7001", true, "lunch", Wait);
            T.Check(sim.WaitForCommand("AgentPause", Wait), "AgentPause sent and confirmed");

            c.Logoff();
            var gone = T.PullUntil(c, EventKind.Disconnected);
            T.Equal(gone?.DisconnectReason, DisconnectReason.LoggedOff, "logged off: the connection ends");
            T.Check(T.Until(() => !c.IsConnected), "not connected after logoff");
        }
    }

    static void CallFlowHelpers()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            c.RefreshLines(Wait);
            T.Check(c.Lines.All(l => l.State == LineState.Idle), "six idle lines after RefreshLines");
            var t = Task.Run(() => c.AnswerCall(0, Wait, Wait));
            T.Check(sim.WaitForLogins(1, Wait), "logged in");
            T.Check(T.Until(() => { sim.IncomingCall(3, "5550003"); return t.Wait(50); }), "AnswerCall took the call that rang");
            T.Equal(c.GetLineState(3), LineState.Connected, "line 3 connected");
            c.EndCall(3, Wait);
            c.PlaceCall("1002", 4, Wait);
            T.Equal(c.SelectedLine, 4, "PlaceCall selected line 4");
            T.Check(T.Until(() => c.GetLineState(4) == LineState.Connected), "line 4 connected");
            c.HoldCall(HoldMode.On, 4, Wait);
            T.Equal(c.GetLineState(4), LineState.OnHold, "HoldCall On");
            c.HoldCall(HoldMode.Off, 4, Wait);
            T.Equal(c.GetLineState(4), LineState.Connected, "HoldCall Off");
            c.HoldCall(HoldMode.Toggle, 0, Wait);
            T.Equal(c.GetLineState(4), LineState.OnHold, "HoldCall Toggle on the call in progress");
            c.HoldCall(HoldMode.Toggle, 0, Wait);
            c.SendCallDtmf("5*", 4, Wait);
            T.Check(sim.WaitForCommand("SendDtmf", Wait), "SendCallDtmf sent");
            c.EndCall(0, Wait);
            T.Check(T.Until(() => c.GetLineState(4) != LineState.Connected), "EndCall ended the call in progress");

            c.LoginAgent("7001", "1234", 1, Wait);
            T.Equal(c.AgentState, AgentState.Available, "agent logged in by feature code");
        }
    }

    static void State()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            var lines = c.Lines;
            T.Equal(lines.Count, 6, "six lines");
            T.Equal(lines[5].Line, 6, "numbered 1-6");
            T.Equal(c.AgentState, AgentState.LoggedOut, "no agent");
            sim.IncomingCall(5, "caf\u00e9 5");
            T.Check(T.Until(() => c.GetLineState(5) == LineState.Offering), "line 5 offering");
            T.Equal(c.Lines[4].Number, "caf\u00e9 5", "a non-ASCII number, UTF-8 both ways");
            T.Equal(c.DroppedEvents, 0UL, "nothing dropped");
        }
    }

    static void Headers()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            sim.SendRaw("Event: DGPhoneEvent\r\nLine: 4\r\nStatus: Ringing\r\nNumber: 5511\r\nX-Keep: caf\u00e9\r\nX-Keep: second\r\nX-Empty:\r\n\r\n");
            DGPhoneEvent e = null;
            T.Until(() => c.TryGetEvent(TimeSpan.FromMilliseconds(100), out e) && e.Header("X-Keep") != null);
            T.Check(e != null && e.Header("X-Keep") != null, "the raw packet is an event");
            if (e == null) return;
            var want = new[] { "Event=DGPhoneEvent", "Line=4", "Status=Ringing", "Number=5511", "X-Keep=caf\u00e9", "X-Keep=second", "X-Empty=" };
            T.Equal(string.Join("|", e.Headers.Select(h => h.Key + "=" + h.Value)), string.Join("|", want), "every header, in order");
            T.Equal(e.Header("x-keep"), "caf\u00e9", "first of repeated keys, case ignored");
            T.Equal(e.Header("Nope"), null, "absent header");
            T.Equal(e.Line, 4, "line");
            T.Equal(e.Status, "Ringing", "status");

            // Bigger than the reused 1 KiB buffer: the copy is retried at its size.
            string big = new string('x', 5000);
            sim.SendRaw("Event: DGPhoneEvent\r\nStatus: Ringing\r\nLine: 2\r\nNumber: 1\r\nX-Big: " + big + "\r\n\r\n");
            DGPhoneEvent b = null;
            T.Until(() => c.TryGetEvent(TimeSpan.FromMilliseconds(100), out b) && b.Header("X-Big") != null);
            T.Check(b?.Header("X-Big") == big, "a 5000-byte value (pull), got " + b?.Header("X-Big")?.Length + " bytes");
        }
        using (var sim = new DGPhoneSimulator())
        using (var c = new DGPhoneClient())
        {
            var r = new Recorder();
            c.EventReceived += (s, e) => r.Add(e);
            c.Connect("127.0.0.1", sim.Port);
            c.Login("201");
            string big = new string('y', 3000);
            sim.SendRaw("Event: DGPhoneEvent\r\nStatus: Ringing\r\nLine: 2\r\nNumber: 1\r\nX-Big: " + big + "\r\n\r\n");
            var b = r.WaitFor(e => e.Header("X-Big") != null);
            T.Check(b?.Header("X-Big") == big, "a 3000-byte value (callback), got " + b?.Header("X-Big")?.Length + " bytes");
        }
    }

    static void BatchPull()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            Quiet(c);
            for (int i = 1; i <= 5; i++) sim.SendRaw("Event: X-Batch\r\nN: " + i + "\r\n\r\n");
            var got = new List<DGPhoneEvent>();
            bool bounded = true;
            T.Until(() =>
            {
                var some = c.GetEvents(3, TimeSpan.FromMilliseconds(100));
                bounded &= some.Count <= 3;
                got.AddRange(some.Where(e => e.Header("N") != null));
                return got.Count >= 5;
            });
            T.Check(bounded, "never more than max");
            T.Equal(string.Join(",", got.Select(e => e.Header("N"))), "1,2,3,4,5", "five events, in order");
            T.Equal(c.GetEvents(8, TimeSpan.FromMilliseconds(20)).Count(e => e.Header("N") != null), 0, "no more of them, no error");
            T.Throws<DGPhoneInvalidArgumentException>(() => c.GetEvents(0, TimeSpan.Zero), "max 0", ResultCode.InvalidArgument);

            // dgp_next_records: a burst in one call, records 8-byte aligned.
            for (int i = 1; i <= 200; i++) sim.SendRaw("Event: X-Batch\r\nN: " + i + "\r\nPad: " + new string('p', i % 13) + "\r\n\r\n");
            got.Clear();
            int calls = 0;
            T.Until(() => { calls++; got.AddRange(c.GetEvents(TimeSpan.FromMilliseconds(100)).Where(e => e.Header("N") != null)); return got.Count >= 200; });
            T.Equal(string.Join(",", got.Select(e => e.Header("N"))), string.Join(",", Enumerable.Range(1, 200)), "200 records, in order, every one decoded");
            T.Check(got.All(e => e.Header("Pad").Length == int.Parse(e.Header("N")) % 13), "each record's own headers");
            T.Check(calls < 200, "fewer calls than events: " + calls);
            T.Equal(c.GetEvents(TimeSpan.FromMilliseconds(20)).Count(e => e.Header("N") != null), 0, "records: no more of them");
            string big = new string('z', 100000);
            var c2opts = new DGPhoneOptions { MaxPacket = 200000 };
            using (var c2 = new DGPhoneClient(c2opts))
            {
                c2.Connect("127.0.0.1", sim.Port);
                c2.Login("202");
                while (c2.GetEvents(TimeSpan.FromMilliseconds(50)).Count > 0) { }
                sim.SendRaw("Event: X-Huge\r\nV: " + big + "\r\n\r\n");
                DGPhoneEvent huge = null;
                T.Until(() => (huge = c2.GetEvents(TimeSpan.FromMilliseconds(100)).FirstOrDefault(e => e.Header("V") != null)) != null);
                T.Check(huge?.Header("V") == big, "a record bigger than the 64 KiB buffer: the buffer grows to it");
            }
        }
    }

    static void ArgumentErrors()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            // Every packet before a Status answered has been counted (TCP keeps the order).
            c.Status();
            T.Check(sim.WaitForCommand("Status", Wait), "a Status first, so the count is settled");
            int before = sim.CommandCount;
            var e = T.Throws<DGPhoneInvalidArgumentException>(() => c.LineSelect(9), "line 9", ResultCode.InvalidArgument);
            T.Check(e != null && e.Detail.Length > 0 && e.Message.Contains(e.Detail), "the library's message is carried");
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Answer(7, Wait), "answer line 7", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Hangup(-1), "hangup line -1", ResultCode.InvalidArgument);
            e = T.Throws<DGPhoneInvalidArgumentException>(() => c.SendDtmf("12x"), "DTMF digit x", ResultCode.InvalidArgument);
            T.Check(e != null && e.Detail.Contains("x"), "the message names the bad digit: " + e?.Detail);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Dial("1002\r\nAction: Logoff"), "CR LF in a number", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Dial("10\u000702"), "a control character", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Dial("10\u000002"), "a NUL (refused by the binding)", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Dial("\ud800"), "an unpaired surrogate", ResultCode.NotUtf8);
            e = T.Throws<DGPhoneInvalidArgumentException>(() => c.Dial(null), "a null number", ResultCode.NullPointer);
            T.Check(e != null && e.Detail.Length > 0, "NULL: the library's message " + e?.Detail);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Dial(new string('1', 65)), "a number over 64 bytes", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Dial("1002", TimeSpan.FromSeconds(-1)), "a negative wait", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.SendCommand("Dial", new[] { new KeyValuePair<string, string>("Action", "Logoff") }), "an Action header", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.SendCommand("Dial", new[] { new KeyValuePair<string, string>("Bad Key", "1") }), "a key with a blank", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.SendCommand("Dial", new[] { new KeyValuePair<string, string>("Number", "1\n2") }), "LF in a header value", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.SendCommand(null), "no command name", ResultCode.NullPointer);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.AgentPause("7001", true, new string('r', 300)), "a reason over 256 bytes", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.LoginAgent("70x1", "1", 1, Wait), "an agent code with a letter", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.PlaceCall("1002", 8, Wait), "PlaceCall on line 8", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.SendCallDtmf("%", 1, Wait), "SendCallDtmf %", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.HoldCall((HoldMode)9, 1, Wait), "hold mode 9", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.GetLineState(0), "line state of line 0", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.GetLineNumber(7), "number of line 7", ResultCode.InvalidArgument);
            c.Status();
            T.Check(sim.WaitForCommand("Status", Wait), "a Status after them");
            T.Equal(sim.CommandCount, before + 1, "nothing was sent for any of them, only that Status");
            T.Throws<DGPhoneInvalidArgumentException>(() => new DGPhoneClient(new DGPhoneOptions { ConnectTimeout = TimeSpan.Zero }), "a zero connect timeout", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => new DGPhoneClient(new DGPhoneOptions { CallbackStackSize = 1000 }), "a 1000-byte callback stack", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => new DGPhoneClient(new DGPhoneOptions { Reconnect = true, ReconnectInitialDelay = TimeSpan.FromSeconds(10), ReconnectMaxDelay = TimeSpan.FromSeconds(1) }), "options that disagree", ResultCode.InvalidArgument);
        }
    }

    static void ConnectionErrors()
    {
        int closedPort;
        using (var s = new DGPhoneSimulator()) closedPort = s.Port;
        using (var c = new DGPhoneClient(new DGPhoneOptions { ConnectTimeout = TimeSpan.FromSeconds(3) }))
        {
            var e = T.Throws<DGPhoneConnectException>(() => c.Connect("127.0.0.1", closedPort), "nobody listening", ResultCode.Connect);
            T.Check(e != null && e.Detail.Length > 0, "says why: " + e?.Detail);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Connect("127.0.0.1", 70000), "port 70000", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => c.Connect(null, 5038), "no host", ResultCode.NullPointer);
            T.Throws<DGPhoneException>(() => c.Login("201"), "login before connect", ResultCode.NotConnected);
            T.Throws<DGPhoneException>(() => c.Dial("1"), "dial before connect", ResultCode.NotConnected);
        }
        using (var sim = new DGPhoneSimulator(new DGPhoneSimulatorOptions { Login = SimulatorLogin.Reject, LoginMessage = "Invalid user" }))
        using (var c = new DGPhoneClient())
        {
            c.Connect("127.0.0.1", sim.Port);
            var e = T.Throws<DGPhoneLoginRejectedException>(() => c.Login("999"), "login rejected", ResultCode.LoginRejected);
            T.Check(e != null && e.Detail.Contains("Invalid user"), "DGPhone's words: " + e?.Detail);
            T.Check(!c.IsLoggedIn, "not logged in");
            T.Throws<DGPhoneException>(() => c.Connect("127.0.0.1", sim.Port), "connect twice", ResultCode.AlreadyConnected);
        }
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            T.Throws<DGPhoneException>(() => c.Login("201"), "login twice", ResultCode.AlreadyLoggedIn);
        }
        using (var sim = new DGPhoneSimulator())
        using (var c = new DGPhoneClient())
        {
            c.Connect("127.0.0.1", sim.Port);
            int before = sim.CommandCount;
            T.Throws<DGPhoneException>(() => c.Dial("1002"), "a command before login", ResultCode.NotLoggedIn);
            T.Equal(sim.CommandCount, before, "nothing sent before login");
        }
    }

    static void CommandErrors()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            var e = T.Throws<DGPhoneCommandFailedException>(() => c.Answer(1, Wait), "answer a line that does not ring", ResultCode.CommandFailed);
            T.Check(e != null && e.Detail.Length > 0, "with DGPhone's message: " + e?.Detail);
            T.Throws<DGPhoneCommandFailedException>(() => c.Hangup(3, Wait), "hang up an idle line", ResultCode.CommandFailed);
            c.Status();
            T.Check(sim.WaitForCommand("Status", Wait), "and a good command goes through after them");
        }
    }

    static void WaitErrors()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            sim.SetSilent(true);
            T.Throws<DGPhoneTimeoutException>(() => c.Dial("1002", TimeSpan.FromMilliseconds(300)), "no Dialing in time", ResultCode.Timeout);

            var cancelled = Task.Run(() => c.Dial("1003", Wait));
            T.Until(() => { c.Cancel(); return ((IAsyncResult)cancelled).AsyncWaitHandle.WaitOne(20); });
            var ce = cancelled.Exception?.InnerException as DGPhoneException;
            T.Equal(ce?.Code, ResultCode.Cancelled, "Cancel() ends a confirmation wait");
            T.Check(ce is DGPhoneCancelledException, "as DGPhoneCancelledException");

            var lost = Task.Run(() => c.Dial("1004", Wait));
            T.Check(sim.WaitForCommand("Dial", Wait) && sim.WaitForCommand("Dial", Wait) && sim.WaitForCommand("Dial", Wait), "three dials reached the simulator");
            sim.DisconnectAll();
            try { lost.Wait(Wait); } catch (AggregateException) { }
            T.Check(lost.Exception?.InnerException is DGPhoneConnectionLostException, "the connection ended during the wait: " + lost.Exception?.InnerException?.Message);
        }
        using (var sim = new DGPhoneSimulator(new DGPhoneSimulatorOptions { Login = SimulatorLogin.Ignore }))
        using (var c = new DGPhoneClient(new DGPhoneOptions { CommandTimeout = TimeSpan.FromMilliseconds(300) }))
        {
            c.Connect("127.0.0.1", sim.Port);
            T.Throws<DGPhoneTimeoutException>(() => c.Login("201"), "no login answer", ResultCode.Timeout);
        }
        // Dispose while another thread waits for a login answer that never comes.
        using (var sim = new DGPhoneSimulator(new DGPhoneSimulatorOptions { Login = SimulatorLogin.Ignore }))
        {
            var c = new DGPhoneClient(new DGPhoneOptions { CommandTimeout = TimeSpan.FromSeconds(30) });
            c.Connect("127.0.0.1", sim.Port);
            var login = Task.Run(() => c.Login("201"));
            T.Check(sim.WaitForCommand("Login", Wait), "the login is waiting");
            var sw = Stopwatch.StartNew();
            c.Dispose();
            T.Check(sw.Elapsed < TimeSpan.FromSeconds(5), "Dispose cancelled the wait and returned in " + sw.ElapsedMilliseconds + " ms");
            try { login.Wait(Wait); } catch (AggregateException) { }
            T.Check(login.Exception?.InnerException is DGPhoneCancelledException, "the login ended cancelled: " + login.Exception?.InnerException?.GetType().Name);
        }
    }

    static void SimulatorErrors()
    {
        using (var sim = new DGPhoneSimulator())
        {
            var e = T.Throws<DGPhoneInvalidArgumentException>(() => sim.SetFault("bogus"), "an unknown fault", ResultCode.InvalidArgument);
            T.Check(e != null && e.Detail.Contains("flood"), "the simulator's message lists the forms: " + e?.Detail);
            T.Throws<DGPhoneInvalidArgumentException>(() => sim.Perform("dance"), "an unknown action", ResultCode.InvalidArgument);
            T.Throws<DGPhoneInvalidArgumentException>(() => new DGPhoneSimulator(new DGPhoneSimulatorOptions { Profile = "nope" }), "an unknown profile", ResultCode.InvalidArgument);
            T.Check(!sim.WaitForLogins(1, TimeSpan.FromMilliseconds(50)), "no login: false, no throw");
        }
    }

    static void DeliveryThread()
    {
        SynchronizationContext.SetSynchronizationContext(null);
        using (var sim = new DGPhoneSimulator())
        using (var c = new DGPhoneClient())
        {
            T.Check(c.SynchronizationContext == null, "no context captured");
            var r = new Recorder();
            bool pool = false;
            c.EventReceived += (s, e) => { pool |= Thread.CurrentThread.IsThreadPoolThread; T.Check(s == c, "sender is the client"); r.Add(e); };
            c.Connect("127.0.0.1", sim.Port);
            c.Login("201");
            sim.IncomingCall(1, "5551234");
            T.Check(r.WaitFor(EventKind.ReceivingCall) != null, "the handler got the call");
            lock (r) { }
            T.Equal(r.Threads.Count, 1, "every event on one thread");
            T.Check(!r.Threads.Contains(Thread.CurrentThread.ManagedThreadId), "not the caller's thread");
            T.Check(!pool, "not a thread-pool thread: the library's delivery thread");
            T.Throws<InvalidOperationException>(() => c.TryGetEvent(TimeSpan.Zero, out DGPhoneEvent _), "pull while handlers take the events");
        }
        // Both, when asked.
        using (var sim = new DGPhoneSimulator())
        using (var c = new DGPhoneClient(new DGPhoneOptions { QueueWithCallback = true }))
        {
            var r = new Recorder();
            c.EventReceived += (s, e) => r.Add(e);
            c.Connect("127.0.0.1", sim.Port);
            c.Login("201");
            sim.IncomingCall(2, "5552");
            T.Check(r.WaitFor(EventKind.ReceivingCall) != null, "handler, with QueueWithCallback");
            T.Check(T.PullUntil(c, EventKind.ReceivingCall) != null, "and the queue");
        }
    }

    static void CapturedContext()
    {
        using (var ctx = new RecordingContext())
        {
            var r = new Recorder();
            DGPhoneSimulator sim = new DGPhoneSimulator();
            DGPhoneClient c = ctx.Invoke(() => new DGPhoneClient()); // created on the context's thread
            try
            {
                T.Check(c.SynchronizationContext == ctx, "the creating thread's context is captured");
                int disposes = 0;
                c.EventReceived += (s, e) =>
                {
                    r.Add(e);
                    if (e.Kind == EventKind.Hangup)
                    {
                        // Not the delivery thread: Dispose works here (and returns).
                        c.Dispose();
                        disposes++;
                    }
                };
                c.Connect("127.0.0.1", sim.Port);
                c.Login("201");
                sim.IncomingCall(1, "5551234");
                T.Check(r.WaitFor(EventKind.ReceivingCall) != null, "the handler got the call");
                T.Equal(r.Threads.Count, 1, "one thread");
                T.Check(r.Threads.Contains(ctx.ThreadId), "the context's thread");
                T.Check(ctx.Posts >= r.Count, "every event was posted (" + ctx.Posts + " posts)");
                T.Equal(ctx.Sends, 0, "Send never used");
                c.Answer(1, Wait);
                sim.FarEndHangup(1);
                T.Check(r.WaitFor(EventKind.Hangup) != null, "Hangup handled");
                T.Check(T.Until(() => disposes == 1), "Dispose from a handler on the context thread returned");
            }
            finally
            {
                c.Dispose();
                sim.Dispose();
            }
        }
    }

    static void HandlerExceptions()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = new DGPhoneClient())
        {
            var errors = new List<DGPhoneHandlerErrorEventArgs>();
            var r = new Recorder();
            c.HandlerFailed += (s, e) => { lock (errors) errors.Add(e); };
            c.EventReceived += (s, e) => { if (e.Kind == EventKind.ReceivingCall) throw new ApplicationException("boom"); };
            c.EventReceived += (s, e) => r.Add(e);
            c.Connect("127.0.0.1", sim.Port);
            c.Login("201");
            sim.IncomingCall(1, "5551234");
            T.Check(r.WaitFor(EventKind.ReceivingCall) != null, "the second handler still ran");
            T.Check(T.Until(() => { lock (errors) return errors.Count == 1; }), "HandlerFailed raised once");
            lock (errors)
            {
                T.Check(errors.Count > 0 && errors[0].Exception.Message == "boom", "with the exception");
                T.Check(errors.Count > 0 && errors[0].Event?.Kind == EventKind.ReceivingCall, "and the event");
            }
            sim.IncomingCall(2, "5552");
            T.Check(r.WaitFor(e => e.Kind == EventKind.ReceivingCall && e.Line == 2) != null, "delivery goes on after a throw");
            T.Check(c.IsConnected, "still connected");
        }
    }

    static void BlockingFromHandler()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = new DGPhoneClient())
        {
            Exception answerError = null, dial = null;
            bool answered = false;
            var r = new Recorder();
            c.EventReceived += (s, e) =>
            {
                if (e.Kind == EventKind.ReceivingCall)
                {
                    try { c.Dial("1", Wait); } catch (Exception x) { dial = x; }
                    try { c.Answer(e.Line); answered = true; } catch (Exception x) { answerError = x; }
                }
                r.Add(e);
            };
            c.Connect("127.0.0.1", sim.Port);
            c.Login("201");
            sim.IncomingCall(1, "5551234");
            T.Check(r.WaitFor(EventKind.Answer) != null, "a command without a wait works in the handler");
            T.Check(answered && answerError == null, "Answer(line) from the handler");
            T.Check(dial is DGPhoneWouldDeadlockException, "a confirmed command is refused there: " + dial?.Message);
        }
    }

    static void DisposeFromHandler()
    {
        using (var sim = new DGPhoneSimulator())
        {
            var c = new DGPhoneClient();
            Exception refused = null;
            var done = new ManualResetEventSlim();
            c.EventReceived += (s, e) =>
            {
                if (e.Kind != EventKind.ReceivingCall) return;
                try { c.Dispose(); } catch (Exception x) { refused = x; }
                done.Set();
            };
            c.Connect("127.0.0.1", sim.Port);
            c.Login("201");
            sim.IncomingCall(1, "5551234");
            T.Check(done.Wait(Wait), "the handler's Dispose returned (no deadlock)");
            var d = refused as DGPhoneWouldDeadlockException;
            T.Check(d != null, "refused with DGPhoneWouldDeadlockException: " + refused);
            T.Check(d != null && d.Code == ResultCode.WouldDeadlock && d.Message.Contains("callback") && d.Message.Contains("Dispose"),
                "the library's message and what to do: " + d?.Message);
            T.Check(c.IsConnected, "the client stays usable");
            c.Answer(1, Wait);
            T.Equal(c.GetLineState(1), LineState.Connected, "a command after the refused Dispose");
            c.Dispose();
            T.Throws<ObjectDisposedException>(() => { var x = c.IsConnected; }, "disposed for real from this thread");
            c.Dispose(); // twice is fine
        }
    }

    /// <summary>Counts flood events by their Seq header; checks none comes after Dispose returned.</summary>
    sealed class FloodCounter
    {
        public int Events, Late, LastSeq;
        public volatile bool Disposed;
        public void On(object s, DGPhoneEvent e)
        {
            if (Disposed) Interlocked.Increment(ref Late);
            if (e.Kind != EventKind.DtmfReceived) return;
            Interlocked.Increment(ref Events);
            int seq;
            if (int.TryParse(e.Header("Seq"), out seq)) LastSeq = seq;
        }
    }

    static void DisposeWhileFlooding()
    {
        foreach (var withContext in new[] { false, true })
        {
            var ctx = withContext ? new RecordingContext() : null;
            using (var sim = new DGPhoneSimulator())
            {
                var c = ctx == null ? new DGPhoneClient() : ctx.Invoke(() => new DGPhoneClient());
                var counter = new FloodCounter();
                c.EventReceived += counter.On;
                c.Connect("127.0.0.1", sim.Port);
                c.Login("201");
                var flood = Task.Run(() => { try { sim.SetFault("flood=20000"); } catch (DGPhoneException) { } });
                T.Check(T.Until(() => Volatile.Read(ref counter.Events) > 200), "the flood is on" + (withContext ? " (context)" : ""));
                var sw = Stopwatch.StartNew();
                c.Dispose();
                counter.Disposed = true;
                T.Check(sw.Elapsed < TimeSpan.FromSeconds(5), "Dispose returned in " + sw.ElapsedMilliseconds + " ms");
                T.Check(flood.Wait(Wait), "the flood ended");
                if (ctx != null) ctx.Invoke(() => 0); // drain what was posted before Dispose
                T.Equal(Volatile.Read(ref counter.Late), 0, "no handler ran after Dispose returned" + (withContext ? " (context)" : ""));
                T.Throws<ObjectDisposedException>(() => c.Status(), "commands after Dispose");
            }
            ctx?.Dispose();
        }
        // Pull mode: a thread blocked in NextEventAsync while the client is disposed.
        using (var sim = new DGPhoneSimulator())
        {
            var c = LoggedIn(sim);
            var flood = Task.Run(() => { try { sim.SetFault("flood=20000"); } catch (DGPhoneException) { } });
            int pulled = 0;
            var puller = Task.Run(() =>
            {
                try { for (;;) { c.NextEventAsync().Wait(); pulled++; } }
                catch (Exception) { }
            });
            T.Check(T.Until(() => pulled > 200), "pulling the flood");
            c.Dispose();
            T.Check(puller.Wait(Wait), "the puller ended with the Dispose");
            T.Check(flood.Wait(Wait), "flood ended");
        }
    }

    static void GcWhileCallbacks()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = new DGPhoneClient(new DGPhoneOptions { OverflowPolicy = OverflowPolicy.Block }))
        {
            var counter = new FloodCounter();
            c.EventReceived += counter.On;
            // A handler that allocates, so collections move things around it.
            var garbage = new List<byte[]>();
            c.EventReceived += (s, e) => { garbage.Add(new byte[256]); if (garbage.Count > 1000) garbage.Clear(); };
            c.Connect("127.0.0.1", sim.Port);
            c.Login("201");
            var flood = Task.Run(() => sim.SetFault("flood=20000"));
            int collections = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (counter.LastSeq < 20000 && DateTime.UtcNow < deadline)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
            T.Check(flood.Wait(Wait), "flood written");
            T.Equal(counter.LastSeq, 20000, "the last event arrived");
            T.Equal(counter.Events, 20000, "every event, in spite of " + collections + " collections");
            T.Check(collections > 10, collections + " forced collections while callbacks ran");
            T.Check(c.IsConnected, "alive");
        }
    }

    static void NextEventAsync()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            Quiet(c);
            var cts = new CancellationTokenSource();
            var pending = c.NextEventAsync(cts.Token);
            T.Check(!pending.IsCompleted, "nothing queued: pending");
            var sw = Stopwatch.StartNew();
            cts.Cancel();
            try { pending.Wait(Wait); } catch (AggregateException) { }
            T.Check(pending.IsCanceled, "cancelled: the task is cancelled (" + pending.Status + ")");
            T.Check(sw.Elapsed < TimeSpan.FromSeconds(2), "promptly: " + sw.ElapsedMilliseconds + " ms");

            var next = c.NextEventAsync();
            sim.IncomingCall(1, "5551234");
            T.Check(next.Wait(Wait), "an event completes the task");
            T.Equal(next.Result.Kind, EventKind.ReceivingCall, "the ring");
            T.Check(c.NextEventAsync(new CancellationToken(true)).IsCanceled, "an already-cancelled token");

            // Cancelling a pull must not cancel another thread's blocking call.
            sim.SetSilent(true);
            var dial = Task.Run(() => c.Dial("1002", TimeSpan.FromMilliseconds(1500)));
            T.Check(sim.WaitForCommand("Dial", Wait), "the dial is waiting");
            var cts2 = new CancellationTokenSource();
            var pull2 = c.NextEventAsync(cts2.Token);
            cts2.Cancel();
            try { dial.Wait(Wait); } catch (AggregateException) { }
            T.Check(dial.Exception?.InnerException is DGPhoneTimeoutException, "the dial timed out as it would have, not cancelled: " + dial.Exception?.InnerException?.GetType().Name);
            try { pull2.Wait(Wait); } catch (AggregateException) { }
            T.Check(pull2.IsCanceled, "the pull was cancelled once the dial returned");
            sim.SetSilent(false);

            // A TryGetEvent on another thread outlives a pull's cancellation.
            var sw2 = Stopwatch.StartNew();
            var waiting = Task.Run(() => { DGPhoneEvent x; return c.TryGetEvent(TimeSpan.FromMilliseconds(800), out x); });
            T.Check(T.Until(() => sw2.ElapsedMilliseconds > 100), "the TryGetEvent has started");
            var cts4 = new CancellationTokenSource();
            var pull4 = c.NextEventAsync(cts4.Token);
            cts4.Cancel();
            T.Check(waiting.Wait(Wait) && !waiting.Result, "the TryGetEvent timed out, not cancelled");
            T.Check(sw2.ElapsedMilliseconds >= 750, "after its own 800 ms: " + sw2.ElapsedMilliseconds + " ms");
            try { pull4.Wait(Wait); } catch (AggregateException) { }
            T.Check(pull4.IsCanceled, "and the other pull was cancelled");

            // Two pulls, one cancelled: the other goes on and gets the event.
            var keep = c.NextEventAsync();
            var cts3 = new CancellationTokenSource();
            var drop = c.NextEventAsync(cts3.Token);
            cts3.Cancel();
            try { drop.Wait(Wait); } catch (AggregateException) { }
            T.Check(drop.IsCanceled, "the cancelled pull");
            T.Check(!keep.IsCompleted, "the other is still waiting");
            sim.IncomingCall(2, "5552");
            T.Check(keep.Wait(Wait) && keep.Result.Kind != EventKind.None, "and gets the next event");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd { public int fd; public short events; public short revents; }

    [DllImport("libc", SetLastError = true)]
    static extern int poll([In, Out] PollFd[] fds, uint nfds, int timeout);

    static void Notification()
    {
        using (var sim = new DGPhoneSimulator())
        using (var c = LoggedIn(sim))
        {
            Quiet(c);
            int fd = c.NotificationFileDescriptor;
            T.Check(fd >= 0, "a descriptor on Linux: " + fd);
            var fds = new[] { new PollFd { fd = fd, events = 1 } };
            T.Equal(poll(fds, 1, 0), 0, "not readable while the queue is empty");
            sim.IncomingCall(1, "5551234");
            T.Equal(poll(fds, 1, 10000), 1, "readable once an event is queued");
            T.Throws<PlatformNotSupportedException>(() => { var h = c.NotificationWaitHandle; }, "no WaitHandle off Windows");
        }
    }

    static void MakeAndForget(DGPhoneSimulator sim)
    {
        var c = new DGPhoneClient();
        c.EventReceived += (s, e) => { };
        c.Connect("127.0.0.1", sim.Port);
        c.Login("201");
    }

    static void Finalizer()
    {
        using (var sim = new DGPhoneSimulator())
        {
            for (int i = 0; i < 20; i++) MakeAndForget(sim);
            T.Check(sim.WaitForLogins(20, Wait), "twenty clients logged in");
            for (int i = 0; i < 3; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
            // Freed clients disconnect: the simulator's logged-in count drops to
            // zero, seen as a new login being the only one.
            var c = LoggedIn(sim);
            T.Check(T.Until(() => { GC.Collect(); GC.WaitForPendingFinalizers(); return sim.WaitForLogins(1, TimeSpan.Zero) && !sim.WaitForLogins(2, TimeSpan.Zero); }),
                "the forgotten clients were freed and disconnected");
            c.Dispose();
        }
    }
}
