// P/Invoke declarations for libdgphone (include/dgphone.h).
//
// Rules kept here, so the code works on Mono, .NET Framework and CoreCLR:
// - cdecl on every import and on the callback delegate (the library's
//   DGP_CALL; 32-bit Windows would default to stdcall);
// - fixed-width types as the header has them: uint32_t -> uint,
//   int32_t -> int, uint16_t -> ushort, uint64_t -> ulong; no size_t, no bool;
// - every returned `const char *` is an IntPtr, decoded by Utf8.Decode (a
//   string return type would make the marshaller free the library's pointer);
// - strings in are NUL-terminated UTF-8 byte[] made by Utf8.Encode (never
//   CharSet.Ansi, which is the ANSI code page on Windows);
// - the library is named "dgphone" without an extension: "dgphone.dll" on
//   Windows, "libdgphone.so" on Linux (Mono and CoreCLR add the affixes),
//   found by the OS loader (the application's folder, LD_LIBRARY_PATH) or,
//   on .NET Core/.NET 8, from the package's runtimes/<rid>/native/.
using System;
using System.Runtime.InteropServices;

namespace DGPhone
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void NativeEventCallback(IntPtr userData, IntPtr nativeEvent);

    internal static class NativeMethods
    {
        internal const string Lib = "dgphone";
        private const CallingConvention Cc = CallingConvention.Cdecl;

        // Client life.
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_client_new(IntPtr options, out IntPtr client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_client_free(IntPtr client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_set_event_callback(ClientHandle client, NativeEventCallback callback, IntPtr userData);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_connect(ClientHandle client, byte[] host, ushort port);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_disconnect(ClientHandle client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_cancel(ClientHandle client);
        // On the raw pointer, for ClientHandle itself while Dispose waits (under its lock, before the free starts).
        [DllImport(Lib, CallingConvention = Cc, EntryPoint = "dgp_cancel")] internal static extern uint dgp_cancel_raw(IntPtr client);

        // Errors and version.
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_last_error(byte[] buf, uint bufLen, out uint outLen);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern IntPtr dgp_result_str(uint code);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_version_number();
        [DllImport(Lib, CallingConvention = Cc)] internal static extern IntPtr dgp_version();

        // Commands.
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_login(ClientHandle client, byte[] user);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_logoff(ClientHandle client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_status(ClientHandle client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_line_select(ClientHandle client, int line, uint waitMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_dial(ClientHandle client, byte[] number, uint waitMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_answer(ClientHandle client, int line, uint waitMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_hold(ClientHandle client, int hold, uint waitMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_send_dtmf(ClientHandle client, byte[] digits);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_hangup(ClientHandle client, int line, uint waitMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_queue_status(ClientHandle client, byte[] queue, uint waitMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_agent_pause(ClientHandle client, byte[] agent, int paused, byte[] reason, uint waitMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_send_command(ClientHandle client, byte[] name, IntPtr[] keys, IntPtr[] values, uint count);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_login_agent(ClientHandle client, byte[] featureCode, byte[] agent, byte[] password, int line, uint stepTimeoutMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_refresh_lines(ClientHandle client, uint timeoutMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_place_call(ClientHandle client, byte[] number, int line, uint timeoutMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_answer_call(ClientHandle client, int line, uint ringWaitMs, uint timeoutMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_end_call(ClientHandle client, int line, uint timeoutMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_hold_call(ClientHandle client, uint mode, int line, uint timeoutMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_send_call_dtmf(ClientHandle client, byte[] digits, int line, uint timeoutMs);

        // State.
        [DllImport(Lib, CallingConvention = Cc)] internal static extern int dgp_is_connected(ClientHandle client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern int dgp_is_logged_in(ClientHandle client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern int dgp_selected_line(ClientHandle client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_line_state(ClientHandle client, int line, out uint state);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_line_number(ClientHandle client, int line, byte[] buf, uint bufLen, out uint outLen);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_agent_state(ClientHandle client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern ulong dgp_dropped_events(ClientHandle client);

        // Pull.
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_next_event(ClientHandle client, uint timeoutMs, out IntPtr nativeEvent);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_next_events(ClientHandle client, [Out] IntPtr[] events, uint max, uint timeoutMs, out uint count);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_next_records(ClientHandle client, IntPtr buffer, uint capacity, uint timeoutMs, out uint count, out uint used);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern int dgp_notify_fd(ClientHandle client);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern IntPtr dgp_notify_handle(ClientHandle client);

        // Events: the record copy is the one crossing per event.
        // The buffer is a pointer (pinned with `fixed` by the caller): Mono's
        // byte[] marshalling cost more than the copy itself on this path.
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_event_copy(IntPtr nativeEvent, IntPtr buffer, uint capacity, out uint needed);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern void dgp_event_free(IntPtr nativeEvent);

        // Options.
        [DllImport(Lib, CallingConvention = Cc)] internal static extern IntPtr dgp_options_new();
        [DllImport(Lib, CallingConvention = Cc)] internal static extern void dgp_options_free(IntPtr options);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_connect_timeout_ms(IntPtr options, uint ms);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_command_timeout_ms(IntPtr options, uint ms);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_dead_peer_timeout_ms(IntPtr options, uint ms);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_tcp_keepalive_s(IntPtr options, uint seconds);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_reconnect(IntPtr options, int enabled);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_reconnect_initial_ms(IntPtr options, uint ms);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_reconnect_max_ms(IntPtr options, uint ms);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_reconnect_max_attempts(IntPtr options, uint attempts);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_queue_capacity(IntPtr options, uint capacity);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_overflow_policy(IntPtr options, uint policy);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_queue_with_callback(IntPtr options, int enabled);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_delivery_backlog(IntPtr options, uint events);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_callback_stack_size(IntPtr options, uint bytes);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_max_packet(IntPtr options, uint bytes);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_send_user(IntPtr options, int enabled);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_remote_mode(IntPtr options, int enabled);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_options_set_redact_dtmf(IntPtr options, int enabled);
    }

    /// <summary>The simulator's library, libdgphone_sim (include/dgphone_sim.h): for tests only.</summary>
    internal static class SimNativeMethods
    {
        internal const string Lib = "dgphone_sim";
        private const CallingConvention Cc = CallingConvention.Cdecl;

        [DllImport(Lib, CallingConvention = Cc)] internal static extern IntPtr dgp_sim_config_new();
        [DllImport(Lib, CallingConvention = Cc)] internal static extern void dgp_sim_config_free(IntPtr config);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_set_login(IntPtr config, uint policy, byte[] message);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_set_greeting(IntPtr config, byte[] greeting);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_set_timestamp_ms(IntPtr config, uint intervalMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_set_auto_answer(IntPtr config, int autoAnswer);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_set_answer_delay_ms(IntPtr config, uint delayMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_set_idle_hangup(IntPtr config, uint answer);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_set_profile(IntPtr config, byte[] name);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_add_fault(IntPtr config, byte[] spec);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_config_set_scenario(IntPtr config, byte[] scenario);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_start(IntPtr config, byte[] host, ushort port, out IntPtr sim);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern ushort dgp_sim_port(SimHandle sim);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern void dgp_sim_free(IntPtr sim);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_last_error(byte[] buf, uint bufLen, out uint outLen);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_incoming_call(SimHandle sim, int line, byte[] number);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_far_end_answer(SimHandle sim, int line);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_far_end_hangup(SimHandle sim, int line);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_dtmf_received(SimHandle sim, int line, int digit);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_agent_event(SimHandle sim, uint kind, byte[] agent, byte[] uniqueid);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_send_raw(SimHandle sim, byte[] bytes, uint len);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_set_silent(SimHandle sim, int silent);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_disconnect_all(SimHandle sim);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_wait_for_logins(SimHandle sim, uint count, uint timeoutMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_wait_for_command(SimHandle sim, byte[] name, uint timeoutMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_command_count(SimHandle sim);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_set_fault(SimHandle sim, byte[] spec);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_clear_faults(SimHandle sim);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_restart(SimHandle sim, uint downMs);
        [DllImport(Lib, CallingConvention = Cc)] internal static extern uint dgp_sim_perform(SimHandle sim, byte[] action);
    }
}
