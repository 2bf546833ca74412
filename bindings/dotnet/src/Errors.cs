using System;

namespace DGPhone
{
    /// <summary>The library's result codes (dgp_result; append-only).</summary>
    public enum ResultCode : uint
    {
        Ok = 0,
        InvalidArgument = 1,
        NullPointer = 2,
        NotUtf8 = 3,
        NotConnected = 4,
        AlreadyConnected = 5,
        Connect = 6,
        LoginRejected = 7,
        CommandFailed = 8,
        Timeout = 9,
        ConnectionLost = 10,
        WouldDeadlock = 11,
        NoConfirmation = 12,
        BufferTooSmall = 13,
        Internal = 14,
        Resource = 15,
        ScenarioFailed = 16,
        NotLoggedIn = 17,
        AlreadyLoggedIn = 18,
        Cancelled = 19,
    }

    /// <summary>A failed library call: the library's code and its message
    /// (dgp_last_error of the thread that failed; DGPhone's own words for a
    /// rejected login).</summary>
    public class DGPhoneException : Exception
    {
        public ResultCode Code { get; }
        /// <summary>The library's detailed message, without the code's description.</summary>
        public string Detail { get; }

        public DGPhoneException(ResultCode code, string detail)
            : base(Describe(code, detail))
        {
            Code = code;
            Detail = detail ?? string.Empty;
        }

        private static string Describe(ResultCode code, string detail)
        {
            string what = code.ToString();
            try { what = DGPhoneLibrary.ResultDescription(code); } catch (Exception) { }
            return string.IsNullOrEmpty(detail) ? what : what + ": " + detail;
        }

        /// <summary>The exception for <paramref name="code"/>, with this thread's message.</summary>
        internal static DGPhoneException From(uint code, string detail)
        {
            var c = (ResultCode)code;
            switch (c)
            {
                case ResultCode.InvalidArgument:
                case ResultCode.NullPointer:
                case ResultCode.NotUtf8:
                    return new DGPhoneInvalidArgumentException(c, detail);
                case ResultCode.LoginRejected: return new DGPhoneLoginRejectedException(detail);
                case ResultCode.Timeout: return new DGPhoneTimeoutException(detail);
                case ResultCode.ConnectionLost: return new DGPhoneConnectionLostException(detail);
                case ResultCode.Connect: return new DGPhoneConnectException(detail);
                case ResultCode.CommandFailed: return new DGPhoneCommandFailedException(detail);
                case ResultCode.WouldDeadlock: return new DGPhoneWouldDeadlockException(detail);
                case ResultCode.Cancelled: return new DGPhoneCancelledException(detail);
                default: return new DGPhoneException(c, detail);
            }
        }
    }

    /// <summary>Bad input (a line outside 1-6, a bad DTMF digit, a control
    /// character, a value too long, a missing value): nothing was sent.</summary>
    public class DGPhoneInvalidArgumentException : DGPhoneException
    {
        public DGPhoneInvalidArgumentException(ResultCode code, string detail) : base(code, detail) { }
    }

    /// <summary>DGPhone refused the login; <see cref="DGPhoneException.Detail"/> is its message.</summary>
    public class DGPhoneLoginRejectedException : DGPhoneException
    {
        public DGPhoneLoginRejectedException(string detail) : base(ResultCode.LoginRejected, detail) { }
    }

    /// <summary>No answer, confirmation or event came in time.</summary>
    public class DGPhoneTimeoutException : DGPhoneException
    {
        public DGPhoneTimeoutException(string detail) : base(ResultCode.Timeout, detail) { }
    }

    /// <summary>The connection ended during the call.</summary>
    public class DGPhoneConnectionLostException : DGPhoneException
    {
        public DGPhoneConnectionLostException(string detail) : base(ResultCode.ConnectionLost, detail) { }
    }

    /// <summary>The TCP connection could not be opened.</summary>
    public class DGPhoneConnectException : DGPhoneException
    {
        public DGPhoneConnectException(string detail) : base(ResultCode.Connect, detail) { }
    }

    /// <summary>DGPhone answered the command with an Error or Busy status.</summary>
    public class DGPhoneCommandFailedException : DGPhoneException
    {
        public DGPhoneCommandFailedException(string detail) : base(ResultCode.CommandFailed, detail) { }
    }

    /// <summary>A blocking call (Login, a confirmed command, Connect, Dispose)
    /// made from an event handler running on the library's delivery thread.
    /// Make it from another thread, or give the client a SynchronizationContext.</summary>
    public class DGPhoneWouldDeadlockException : DGPhoneException
    {
        public DGPhoneWouldDeadlockException(string detail) : base(ResultCode.WouldDeadlock, detail) { }
    }

    /// <summary>The blocking call was cancelled (<see cref="DGPhoneClient.Cancel"/>).</summary>
    public class DGPhoneCancelledException : DGPhoneException
    {
        public DGPhoneCancelledException(string detail) : base(ResultCode.Cancelled, detail) { }
    }
}
