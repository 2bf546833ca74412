using System;

namespace DGPhone
{
    /// <summary>Event kinds (DGP_EVENT_*; append-only: an unknown value may appear).</summary>
    public enum EventKind : uint
    {
        None = 0,
        Connected = 1,
        LoggedIn = 2,
        Disconnected = 3,
        Reconnecting = 4,
        Greeting = 5,
        ProtocolError = 6,
        Overflow = 7,
        ReconnectFailed = 8,
        LineSelected = 100,
        Dialing = 101,
        ReceivingCall = 102,
        Answer = 103,
        Hold = 104,
        Hangup = 105,
        Ready = 106,
        DtmfReceived = 107,
        UserLogoff = 108,
        AgentLogin = 109,
        AgentCalled = 110,
        AgentConnect = 111,
        AgentComplete = 112,
        AgentLogoff = 113,
        Error = 114,
        Busy = 115,
        AgentNoAnswer = 116,
        AgentPaused = 117,
        QueueEntry = 118,
        QueueJoin = 119,
        QueueLeave = 120,
        QueueAbandon = 121,
        QueueStatusComplete = 122,
        OtherStatus = 150,
        Response = 160,
        Timestamp = 161,
        Unknown = 199,
    }

    /// <summary>A line's state (DGP_LINE_*).</summary>
    public enum LineState : uint
    {
        Idle = 0,
        Offering = 1,
        Dialing = 2,
        Connected = 3,
        OnHold = 4,
        Disconnected = 5,
    }

    /// <summary>The agent's state (DGP_AGENT_*).</summary>
    public enum AgentState : uint
    {
        LoggedOut = 0,
        Available = 1,
        Offered = 2,
        InCall = 3,
        Paused = 4,
    }

    /// <summary>Why a connection ended (DGP_DISCONNECT_*).</summary>
    public enum DisconnectReason : uint
    {
        None = 0,
        Requested = 1,
        ClosedByPeer = 2,
        LoggedOff = 3,
        DeadPeer = 4,
        IoError = 5,
    }

    /// <summary>What <see cref="DGPhoneClient.HoldCall"/> does (DGP_HOLD_*).</summary>
    public enum HoldMode : uint
    {
        Toggle = 0,
        On = 1,
        Off = 2,
    }

    /// <summary>What a full queue or callback backlog does (DGP_OVERFLOW_*).</summary>
    public enum OverflowPolicy : uint
    {
        DropOldest = 0,
        DropNewest = 1,
        Block = 2,
    }

    /// <summary>One line of the phone, as the client knows it (no network).</summary>
    public struct LineInfo
    {
        public int Line { get; }
        public LineState State { get; }
        /// <summary>The other party's number; empty when none.</summary>
        public string Number { get; }

        public LineInfo(int line, LineState state, string number)
        {
            Line = line;
            State = state;
            Number = number ?? string.Empty;
        }

        public override string ToString() => "line " + Line + ": " + State + (Number.Length > 0 ? " " + Number : "");
    }

    /// <summary>Library-wide facts.</summary>
    public static class DGPhoneLibrary
    {
        /// <summary>The version of the native library actually loaded ("0.1.0").</summary>
        public static string NativeVersion => Utf8.Decode(NativeMethods.dgp_version());

        /// <summary>major &lt;&lt; 16 | minor &lt;&lt; 8 | patch of the loaded library.</summary>
        public static uint NativeVersionNumber => NativeMethods.dgp_version_number();

        /// <summary>The major version of the C ABI this binding was written for.</summary>
        public const int AbiMajor = 0;
        public const int AbiMinor = 1;

        /// <summary>The library's static English description of a code.</summary>
        public static string ResultDescription(ResultCode code) => Utf8.Decode(NativeMethods.dgp_result_str((uint)code));

        /// <summary>This thread's last library error message (dgp_last_error).</summary>
        internal static string LastError()
        {
            uint rc;
            return Utf8.CopyOutString(NativeMethods.dgp_last_error, out rc) ?? string.Empty;
        }

        /// <summary>Throws the exception for a failed call; does nothing for DGP_OK.</summary>
        internal static void Check(uint rc)
        {
            if (rc != 0) throw DGPhoneException.From(rc, LastError());
        }
    }
}
