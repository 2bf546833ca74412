using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace DGPhone
{
    /// <summary>Owns a dgp_client. ReleaseHandle frees it (dgp_client_free),
    /// then frees the GCHandle the library passed to the callback: after the
    /// native free returns, no callback runs, so nothing can use it any more.
    /// The P/Invoke marshaller holds a reference during each call, so the free
    /// never races a call in progress on another thread.</summary>
    internal sealed class ClientHandle : SafeHandle
    {
        private IntPtr userData; // GCHandle.ToIntPtr of the event sink, or zero
        private readonly object freedGate = new object();
        private bool freed;
        private bool freeing;

        internal ClientHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        internal IntPtr UserDataForCallback => userData;

        internal void Attach(IntPtr client, IntPtr sinkHandle)
        {
            userData = sinkHandle;
            SetHandle(client);
        }

        protected override bool ReleaseHandle()
        {
            lock (freedGate) freeing = true;
            IntPtr client = handle;
            uint rc = NativeMethods.dgp_client_free(client);
            if (rc == (uint)ResultCode.WouldDeadlock)
            {
                // The last reference went away on this client's own callback
                // thread (a handler's command finished after Dispose began on
                // another thread): the library cannot free it here, so a pool
                // thread does, once this callback has returned.
                ThreadPool.QueueUserWorkItem(_ => FreeFromElsewhere(client));
                return true;
            }
            AfterFree();
            return rc == 0;
        }

        private void FreeFromElsewhere(IntPtr client)
        {
            NativeMethods.dgp_client_free(client);
            AfterFree();
        }

        private void AfterFree()
        {
            if (userData != IntPtr.Zero)
            {
                GCHandle.FromIntPtr(userData).Free();
                userData = IntPtr.Zero;
            }
            lock (freedGate)
            {
                freed = true;
                Monitor.PulseAll(freedGate);
            }
        }

        /// <summary>After Dispose: waits until dgp_client_free has returned,
        /// which happens once the calls in progress on other threads have
        /// returned. Until the free starts it cancels their blocking calls
        /// every 20 ms, so a call that began just after Dispose's first cancel
        /// cannot hold the client (and Dispose) for its whole timeout.</summary>
        internal void CancelUntilFreed()
        {
            lock (freedGate)
                while (!freed)
                {
                    if (!freeing) NativeMethods.dgp_cancel_raw(handle);
                    Monitor.Wait(freedGate, 20);
                }
        }
    }

    /// <summary>Owns a dgp_sim.</summary>
    internal sealed class SimHandle : SafeHandle
    {
        internal SimHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid => handle == IntPtr.Zero;
        internal void Attach(IntPtr sim) { SetHandle(sim); }

        protected override bool ReleaseHandle()
        {
            SimNativeMethods.dgp_sim_free(handle);
            return true;
        }
    }
}
