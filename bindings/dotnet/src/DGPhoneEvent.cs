using System;
using System.Collections.Generic;
using System.Text;

namespace DGPhone
{
    /// <summary>An event from DGPhone or about the connection: its kind, line,
    /// the lifecycle numbers and every raw header in arrival order. It owns a
    /// copy of the library's record (dgp_event_copy), so it is valid on any
    /// thread for as long as it is kept; strings are decoded on first use.</summary>
    public sealed class DGPhoneEvent : EventArgs
    {
        // Offsets of dgp_event_record (docs/c-api.md).
        private const int OffKind = 4, OffLine = 8, OffReason = 12, OffAttempt = 16, OffDelay = 20,
            OffDropped = 24, OffHeaderCount = 32, OffHeadersOffset = 36, OffDetailOffset = 40, OffDetailLen = 44;
        internal const int FixedSize = 48;

        private readonly byte[] record;
        private KeyValuePair<string, string>[] headers;
        private string detail;

        public EventKind Kind { get; }
        /// <summary>The line, 1-6; 0 when the event names none.</summary>
        public int Line { get; }
        public DisconnectReason DisconnectReason { get; }
        /// <summary>The attempt number (Reconnecting) or failed attempts (ReconnectFailed).</summary>
        public uint Attempt { get; }
        /// <summary>The delay before a reconnection attempt.</summary>
        public TimeSpan Delay { get; }
        /// <summary>Events lost, on an Overflow event.</summary>
        public ulong Dropped { get; }
        public int HeaderCount { get; }
        internal int RecordSize => record.Length;

        /// <summary>Decodes the record at the start of <paramref name="buffer"/>
        /// (the buffer is copied: it may be reused at once).</summary>
        internal DGPhoneEvent(byte[] buffer, int offset)
        {
            int size = (int)BitConverter.ToUInt32(buffer, offset);
            if (size < FixedSize || offset + size > buffer.Length)
                throw new DGPhoneException(ResultCode.Internal, "event record of " + size + " bytes does not fit its buffer");
            record = new byte[size];
            Buffer.BlockCopy(buffer, offset, record, 0, size);
            Kind = (EventKind)BitConverter.ToUInt32(record, OffKind);
            Line = BitConverter.ToInt32(record, OffLine);
            DisconnectReason = (DisconnectReason)BitConverter.ToUInt32(record, OffReason);
            Attempt = BitConverter.ToUInt32(record, OffAttempt);
            Delay = TimeSpan.FromMilliseconds(BitConverter.ToUInt32(record, OffDelay));
            Dropped = BitConverter.ToUInt64(record, OffDropped);
            HeaderCount = (int)BitConverter.ToUInt32(record, OffHeaderCount);
        }

        /// <summary>Every raw header, in arrival order (original spelling; a
        /// line without a colon has an empty key; repeated keys repeat).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Headers
        {
            get
            {
                var h = headers;
                if (h == null)
                {
                    h = new KeyValuePair<string, string>[HeaderCount];
                    int at = (int)BitConverter.ToUInt32(record, OffHeadersOffset);
                    for (int i = 0; i < h.Length; i++, at += 16)
                    {
                        int ko = (int)BitConverter.ToUInt32(record, at), kl = (int)BitConverter.ToUInt32(record, at + 4);
                        int vo = (int)BitConverter.ToUInt32(record, at + 8), vl = (int)BitConverter.ToUInt32(record, at + 12);
                        h[i] = new KeyValuePair<string, string>(Key(record, ko, kl), Utf8.Decode(record, vo, vl));
                    }
                    headers = h;
                }
                return h;
            }
        }

        // DGPhone's header names, decoded once: most keys of most events are these.
        private static readonly string[] KnownKeys =
        {
            "Event", "Status", "Line", "Number", "User", "Digit", "Seq", "Hold", "Agent", "Uniqueid",
            "Message", "Queue", "Response", "Command", "Time", "Timestamp", "Paused", "Reason",
        };
        private static readonly byte[][] KnownKeyBytes = Array.ConvertAll(KnownKeys, k => Encoding.ASCII.GetBytes(k));

        private static string Key(byte[] b, int offset, int length)
        {
            for (int k = 0; k < KnownKeyBytes.Length; k++)
            {
                var known = KnownKeyBytes[k];
                if (known.Length != length) continue;
                int j = 0;
                while (j < length && b[offset + j] == known[j]) j++;
                if (j == length) return KnownKeys[k];
            }
            return Utf8.Decode(b, offset, length);
        }

        /// <summary>Text about a lifecycle event (greeting, protocol error,
        /// disconnection, logged-in user); empty for DGPhone's events.</summary>
        public string Detail
        {
            get
            {
                if (detail == null)
                    detail = Utf8.Decode(record, (int)BitConverter.ToUInt32(record, OffDetailOffset),
                        (int)BitConverter.ToUInt32(record, OffDetailLen));
                return detail;
            }
        }

        /// <summary>The value of the first header named <paramref name="key"/>
        /// (ASCII case ignored, as dgp_event_header), or null.</summary>
        public string Header(string key)
        {
            if (key == null) return null;
            var h = Headers;
            for (int i = 0; i < h.Count; i++)
                if (AsciiEqualsIgnoreCase(h[i].Key, key)) return h[i].Value;
            return null;
        }

        /// <summary>`Number:`, the other party; null when absent.</summary>
        public string Number => Header("Number");
        /// <summary>`User:`, the extension; null when absent.</summary>
        public string User => Header("User");
        /// <summary>`Agent:` on agent events; null when absent.</summary>
        public string Agent => Header("Agent");
        /// <summary>`Uniqueid:` on agent events; null when absent.</summary>
        public string Uniqueid => Header("Uniqueid");
        /// <summary>`Message:` on responses and errors; null when absent.</summary>
        public string Message => Header("Message");
        /// <summary>`Status:` as received; null when absent.</summary>
        public string Status => Header("Status");
        /// <summary>`Queue:` on queue events; null when absent.</summary>
        public string Queue => Header("Queue");

        private static bool AsciiEqualsIgnoreCase(string a, string b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++)
            {
                char x = a[i], y = b[i];
                if (x == y) continue;
                if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
                if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
                if (x != y) return false;
            }
            return true;
        }

        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append(Kind);
            if (Line != 0) sb.Append(" line ").Append(Line);
            string n = Number;
            if (n != null) sb.Append(" number ").Append(n);
            if (Detail.Length > 0) sb.Append(" (").Append(Detail).Append(')');
            return sb.ToString();
        }
    }

    /// <summary>An exception thrown by an event handler: caught by the client
    /// (it never unwinds into the library) and reported here.</summary>
    public sealed class DGPhoneHandlerErrorEventArgs : EventArgs
    {
        public Exception Exception { get; }
        /// <summary>The event whose handler threw; null if decoding it failed.</summary>
        public DGPhoneEvent Event { get; }

        internal DGPhoneHandlerErrorEventArgs(Exception exception, DGPhoneEvent ev)
        {
            Exception = exception;
            Event = ev;
        }
    }
}
