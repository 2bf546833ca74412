using System;

namespace DGPhone
{
    /// <summary>Connection options, copied into the client when it is made.
    /// A property left null keeps the library's default (see dgphone.h);
    /// the library checks every value and refuses bad ones with its message.</summary>
    public sealed class DGPhoneOptions
    {
        public TimeSpan? ConnectTimeout { get; set; }
        /// <summary>Time allowed for a write and for the login response.</summary>
        public TimeSpan? CommandTimeout { get; set; }
        /// <summary>Declares the connection dead when nothing arrives this long (default: never).</summary>
        public TimeSpan? DeadPeerTimeout { get; set; }
        public uint? TcpKeepAliveSeconds { get; set; }
        public bool? Reconnect { get; set; }
        public TimeSpan? ReconnectInitialDelay { get; set; }
        public TimeSpan? ReconnectMaxDelay { get; set; }
        public uint? ReconnectMaxAttempts { get; set; }
        /// <summary>Pull queue capacity in events (default 4096; 0 turns it off).</summary>
        public uint? QueueCapacity { get; set; }
        public OverflowPolicy? OverflowPolicy { get; set; }
        /// <summary>Keep queueing for the pull API while EventReceived has handlers (default false).</summary>
        public bool? QueueWithCallback { get; set; }
        /// <summary>Events that may wait for slow handlers (default 4096).</summary>
        public uint? DeliveryBacklog { get; set; }
        /// <summary>Stack of the library's delivery thread, which runs the
        /// handlers without a SynchronizationContext. The binding's default is
        /// 1 MiB (the library's 128 KiB is meant for C callbacks that hand the
        /// event on; .NET code runs there). Costs address space, not memory.</summary>
        public uint CallbackStackSize { get; set; } = 1024 * 1024;
        public uint? MaxPacket { get; set; }
        public bool? SendUser { get; set; }
        public bool? RemoteMode { get; set; }
        public bool? RedactDtmf { get; set; }

        internal static uint Ms(TimeSpan t, string what)
        {
            if (t == System.Threading.Timeout.InfiniteTimeSpan) return uint.MaxValue;
            if (t < TimeSpan.Zero)
                throw new DGPhoneInvalidArgumentException(ResultCode.InvalidArgument, what + " must not be negative (" + t + "); nothing was sent");
            double ms = Math.Ceiling(t.TotalMilliseconds);
            return ms >= uint.MaxValue ? uint.MaxValue : (uint)ms;
        }

        private static int B(bool b) => b ? 1 : 0;

        /// <summary>Makes a dgp_options with these values; the caller frees it.</summary>
        internal IntPtr ToNative()
        {
            IntPtr o = NativeMethods.dgp_options_new();
            if (o == IntPtr.Zero) throw new OutOfMemoryException("dgp_options_new");
            try
            {
                if (ConnectTimeout.HasValue) Set(NativeMethods.dgp_options_set_connect_timeout_ms(o, Ms(ConnectTimeout.Value, "ConnectTimeout")));
                if (CommandTimeout.HasValue) Set(NativeMethods.dgp_options_set_command_timeout_ms(o, Ms(CommandTimeout.Value, "CommandTimeout")));
                if (DeadPeerTimeout.HasValue) Set(NativeMethods.dgp_options_set_dead_peer_timeout_ms(o, Ms(DeadPeerTimeout.Value, "DeadPeerTimeout")));
                if (TcpKeepAliveSeconds.HasValue) Set(NativeMethods.dgp_options_set_tcp_keepalive_s(o, TcpKeepAliveSeconds.Value));
                if (Reconnect.HasValue) Set(NativeMethods.dgp_options_set_reconnect(o, B(Reconnect.Value)));
                if (ReconnectInitialDelay.HasValue) Set(NativeMethods.dgp_options_set_reconnect_initial_ms(o, Ms(ReconnectInitialDelay.Value, "ReconnectInitialDelay")));
                if (ReconnectMaxDelay.HasValue) Set(NativeMethods.dgp_options_set_reconnect_max_ms(o, Ms(ReconnectMaxDelay.Value, "ReconnectMaxDelay")));
                if (ReconnectMaxAttempts.HasValue) Set(NativeMethods.dgp_options_set_reconnect_max_attempts(o, ReconnectMaxAttempts.Value));
                if (QueueCapacity.HasValue) Set(NativeMethods.dgp_options_set_queue_capacity(o, QueueCapacity.Value));
                if (OverflowPolicy.HasValue) Set(NativeMethods.dgp_options_set_overflow_policy(o, (uint)OverflowPolicy.Value));
                if (QueueWithCallback.HasValue) Set(NativeMethods.dgp_options_set_queue_with_callback(o, B(QueueWithCallback.Value)));
                if (DeliveryBacklog.HasValue) Set(NativeMethods.dgp_options_set_delivery_backlog(o, DeliveryBacklog.Value));
                Set(NativeMethods.dgp_options_set_callback_stack_size(o, CallbackStackSize));
                if (MaxPacket.HasValue) Set(NativeMethods.dgp_options_set_max_packet(o, MaxPacket.Value));
                if (SendUser.HasValue) Set(NativeMethods.dgp_options_set_send_user(o, B(SendUser.Value)));
                if (RemoteMode.HasValue) Set(NativeMethods.dgp_options_set_remote_mode(o, B(RemoteMode.Value)));
                if (RedactDtmf.HasValue) Set(NativeMethods.dgp_options_set_redact_dtmf(o, B(RedactDtmf.Value)));
                return o;
            }
            catch
            {
                NativeMethods.dgp_options_free(o);
                throw;
            }
        }

        private static void Set(uint rc) => DGPhoneLibrary.Check(rc);
    }
}
