using System;
using System.Collections.Generic;
using System.Text;

namespace DGPhone
{
    /// <summary>How the simulator answers a Login.</summary>
    public enum SimulatorLogin : uint
    {
        Accept = 0,
        Reject = 1,
        Ignore = 2,
    }

    /// <summary>What the simulator answers to Hangup on an idle line.</summary>
    public enum SimulatorIdleHangup : uint
    {
        Refuse = 0,
        Ready = 1,
    }

    /// <summary>The simulator's configuration, chosen before it starts.
    /// Null properties keep the simulator's defaults (docs/simulator.md).</summary>
    public sealed class DGPhoneSimulatorOptions
    {
        public SimulatorLogin Login { get; set; } = SimulatorLogin.Accept;
        /// <summary>DGPhone's words for a rejected login.</summary>
        public string LoginMessage { get; set; }
        /// <summary>The greeting; set <see cref="NoGreeting"/> to send none.</summary>
        public string Greeting { get; set; }
        public bool NoGreeting { get; set; }
        public TimeSpan? TimestampInterval { get; set; }
        public bool? AutoAnswer { get; set; }
        public TimeSpan? AnswerDelay { get; set; }
        public SimulatorIdleHangup? IdleHangup { get; set; }
        /// <summary>"classic" or "field-2013", applied before the other settings.</summary>
        public string Profile { get; set; }
        /// <summary>Faults every connection starts with ("delay=200ms", "flood=1000"...).</summary>
        public IList<string> Faults { get; } = new List<string>();
        /// <summary>A built-in scenario name or a scenario file path.</summary>
        public string Scenario { get; set; }
    }

    /// <summary>A simulated DGPhone in this process (libdgphone_sim /
    /// dgphone_sim.dll), for an application's own tests. Production
    /// applications never ship it.</summary>
    public sealed class DGPhoneSimulator : IDisposable
    {
        private readonly SimHandle handle = new SimHandle();

        /// <summary>Starts a simulator on 127.0.0.1 and a free port (see <see cref="Port"/>).</summary>
        public DGPhoneSimulator(DGPhoneSimulatorOptions options = null, string host = null, int port = 0)
        {
            options = options ?? new DGPhoneSimulatorOptions();
            if (port < 0 || port > 65535)
                throw new DGPhoneInvalidArgumentException(ResultCode.InvalidArgument, "port " + port + " is not 0-65535");
            IntPtr config = SimNativeMethods.dgp_sim_config_new();
            if (config == IntPtr.Zero) throw new OutOfMemoryException("dgp_sim_config_new");
            try
            {
                if (options.Profile != null) Check(SimNativeMethods.dgp_sim_config_set_profile(config, Utf8.Encode(options.Profile, "profile")));
                if (options.Login != SimulatorLogin.Accept || options.LoginMessage != null)
                    Check(SimNativeMethods.dgp_sim_config_set_login(config, (uint)options.Login, Utf8.Encode(options.LoginMessage, "login message")));
                if (options.NoGreeting) Check(SimNativeMethods.dgp_sim_config_set_greeting(config, null));
                else if (options.Greeting != null) Check(SimNativeMethods.dgp_sim_config_set_greeting(config, Utf8.Encode(options.Greeting, "greeting")));
                if (options.TimestampInterval.HasValue)
                    Check(SimNativeMethods.dgp_sim_config_set_timestamp_ms(config, DGPhoneOptions.Ms(options.TimestampInterval.Value, "TimestampInterval")));
                if (options.AutoAnswer.HasValue) Check(SimNativeMethods.dgp_sim_config_set_auto_answer(config, options.AutoAnswer.Value ? 1 : 0));
                if (options.AnswerDelay.HasValue)
                    Check(SimNativeMethods.dgp_sim_config_set_answer_delay_ms(config, DGPhoneOptions.Ms(options.AnswerDelay.Value, "AnswerDelay")));
                if (options.IdleHangup.HasValue) Check(SimNativeMethods.dgp_sim_config_set_idle_hangup(config, (uint)options.IdleHangup.Value));
                foreach (var f in options.Faults) Check(SimNativeMethods.dgp_sim_config_add_fault(config, Utf8.Encode(f, "fault")));
                if (options.Scenario != null) Check(SimNativeMethods.dgp_sim_config_set_scenario(config, Utf8.Encode(options.Scenario, "scenario")));
                IntPtr sim;
                Check(SimNativeMethods.dgp_sim_start(config, Utf8.Encode(host, "host"), (ushort)port, out sim));
                handle.Attach(sim);
            }
            finally
            {
                SimNativeMethods.dgp_sim_config_free(config);
            }
        }

        /// <summary>The port it listens on.</summary>
        public int Port => SimNativeMethods.dgp_sim_port(handle);

        /// <summary>A call from <paramref name="number"/> rings on <paramref name="line"/> of every logged-in client.</summary>
        public void IncomingCall(int line, string number) => Check(SimNativeMethods.dgp_sim_incoming_call(handle, line, Utf8.Encode(number, "number")));
        public void FarEndAnswer(int line) => Check(SimNativeMethods.dgp_sim_far_end_answer(handle, line));
        public void FarEndHangup(int line) => Check(SimNativeMethods.dgp_sim_far_end_hangup(handle, line));
        /// <summary>The far end sends DTMF <paramref name="digit"/> (0-9 * # A-D).</summary>
        public void DtmfReceived(int line, char digit) => Check(SimNativeMethods.dgp_sim_dtmf_received(handle, line, digit));
        public void AgentEvent(EventKind kind, string agent, string uniqueid = null) =>
            Check(SimNativeMethods.dgp_sim_agent_event(handle, (uint)kind, Utf8.Encode(agent, "agent"), Utf8.Encode(uniqueid, "uniqueid")));

        /// <summary>Sends bytes as they are to every connected client.</summary>
        public void SendRaw(byte[] bytes)
        {
            if (bytes == null) throw new ArgumentNullException(nameof(bytes));
            Check(SimNativeMethods.dgp_sim_send_raw(handle, bytes, (uint)bytes.Length));
        }

        /// <summary>Sends text (UTF-8, as it is: write the CRLFs) to every connected client.</summary>
        public void SendRaw(string text) => SendRaw(Utf8.Lenient.GetBytes(text));

        public void SetSilent(bool silent) => Check(SimNativeMethods.dgp_sim_set_silent(handle, silent ? 1 : 0));
        public void DisconnectAll() => Check(SimNativeMethods.dgp_sim_disconnect_all(handle));

        /// <summary>True once at least <paramref name="count"/> clients are logged in; false after the timeout.</summary>
        public bool WaitForLogins(int count, TimeSpan timeout) => Wait(SimNativeMethods.dgp_sim_wait_for_logins(handle, (uint)count, DGPhoneOptions.Ms(timeout, "timeout")));

        /// <summary>True when a command named <paramref name="name"/> (not returned before) came and was answered.</summary>
        public bool WaitForCommand(string name, TimeSpan timeout) =>
            Wait(SimNativeMethods.dgp_sim_wait_for_command(handle, Utf8.Encode(name, "name"), DGPhoneOptions.Ms(timeout, "timeout")));

        /// <summary>Packets received from all clients so far.</summary>
        public int CommandCount => (int)SimNativeMethods.dgp_sim_command_count(handle);

        /// <summary>A fault now ("flood=20000", "silent", "close-mid-packet"...).</summary>
        public void SetFault(string spec) => Check(SimNativeMethods.dgp_sim_set_fault(handle, Utf8.Encode(spec, "fault")));
        public void ClearFaults() => Check(SimNativeMethods.dgp_sim_clear_faults(handle));
        public void Restart(TimeSpan down) => Check(SimNativeMethods.dgp_sim_restart(handle, DGPhoneOptions.Ms(down, "down")));
        /// <summary>A scenario step now ("ring 1 5551234", "hangup-far", "logoff"...).</summary>
        public void Perform(string action) => Check(SimNativeMethods.dgp_sim_perform(handle, Utf8.Encode(action, "action")));

        public void Dispose() => handle.Dispose();

        private static bool Wait(uint rc)
        {
            if (rc == (uint)ResultCode.Timeout) return false;
            Check(rc);
            return true;
        }

        internal static void Check(uint rc)
        {
            if (rc == 0) return;
            uint ignored;
            string message = Utf8.CopyOutString(SimNativeMethods.dgp_sim_last_error, out ignored) ?? string.Empty;
            throw DGPhoneException.From(rc, message);
        }
    }
}
