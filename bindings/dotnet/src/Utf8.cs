using System;
using System.Runtime.InteropServices;
using System.Text;

namespace DGPhone
{
    /// <summary>UTF-8 in and out by hand: netstandard2.0 has no
    /// Marshal.PtrToStringUTF8, and CharSet.Ansi is not UTF-8 on Windows.</summary>
    internal static class Utf8
    {
        // Throws on an unpaired surrogate instead of sending U+FFFD.
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);
        internal static readonly UTF8Encoding Lenient = new UTF8Encoding(false, false);

        /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/>;
        /// null for null (the library then reports its own NULL-pointer error
        /// or takes its default). A NUL inside would cut the string short in C,
        /// so it is refused here, as the library refuses every control character.</summary>
        internal static byte[] Encode(string text, string what)
        {
            if (text == null) return null;
            if (text.IndexOf('\0') >= 0)
                throw new DGPhoneInvalidArgumentException(ResultCode.InvalidArgument,
                    what + " contains a NUL character (control characters are refused; nothing was sent)");
            byte[] bytes;
            try
            {
                int n = Strict.GetByteCount(text);
                bytes = new byte[n + 1];
                Strict.GetBytes(text, 0, text.Length, bytes, 0);
            }
            catch (EncoderFallbackException)
            {
                throw new DGPhoneInvalidArgumentException(ResultCode.NotUtf8,
                    what + " is not valid Unicode (an unpaired surrogate); nothing was sent");
            }
            return bytes;
        }

        /// <summary>The NUL-terminated UTF-8 string at <paramref name="p"/>, or null for NULL.</summary>
        internal static unsafe string Decode(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            byte* s = (byte*)p;
            int n = 0;
            while (s[n] != 0) n++;
            if (n == 0) return string.Empty;
            return Lenient.GetString(s, n);
        }

        /// <summary>Bytes [offset, offset+length) of a record, as UTF-8.</summary>
        internal static string Decode(byte[] buffer, int offset, int length)
        {
            if (length == 0) return string.Empty;
            return Lenient.GetString(buffer, offset, length);
        }

        /// <summary>Calls a copy-out function of the buffer convention
        /// (dgp_last_error, dgp_line_number): size first, then the text.</summary>
        internal delegate uint CopyOut(byte[] buf, uint len, out uint outLen);

        internal static string CopyOutString(CopyOut f, out uint rc)
        {
            var buf = new byte[256];
            uint len;
            rc = f(buf, (uint)buf.Length, out len);
            if (rc == (uint)ResultCode.BufferTooSmall)
            {
                buf = new byte[len + 1];
                rc = f(buf, (uint)buf.Length, out len);
            }
            if (rc != 0) return null;
            return Decode(buf, 0, (int)Math.Min(len, (uint)buf.Length));
        }
    }
}
