// The .NET binding's benchmark: events/s from the socket to a C# handler,
// and server-write -> handler latency p50/p99, against a C callback's
// figures for the same flood in the same run (benches/c/flood_baseline.c,
// the baseline every binding uses, run in between).
//
//   mono Bench.exe CFLOOD [EVENTS] [SAMPLES] [ROUNDS]
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using DGPhone;

static class Bench
{
    sealed class Counter
    {
        public long Events, LastTicks, LatencyTicks = -1, HeaderBytes;
        public bool ReadHeaders;

        public void On(object sender, DGPhoneEvent e)
        {
            if (e.Kind == EventKind.DtmfReceived)
            {
                if (ReadHeaders)
                    foreach (var h in e.Headers) HeaderBytes += h.Key.Length + h.Value.Length;
                Events++;
                Volatile.Write(ref LastTicks, Stopwatch.GetTimestamp());
            }
            else if (e.Kind == EventKind.Unknown)
            {
                string t = e.Header("T");
                if (t != null) Volatile.Write(ref LatencyTicks, Stopwatch.GetTimestamp() - long.Parse(t, CultureInfo.InvariantCulture));
            }
        }
    }

    static double Median(List<double> xs) { var s = xs.OrderBy(x => x).ToList(); return s[s.Count / 2]; }

    static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>One flood of <paramref name="events"/> into a handler:
    /// events per second of wall time, and per CPU-second of the process.</summary>
    static double Flood(DGPhoneSimulator sim, DGPhoneClient c, Counter k, long events) => Flood(sim, c, k, events, out double _);

    static double Flood(DGPhoneSimulator sim, DGPhoneClient c, Counter k, long events, out double perCpu)
    {
        long before = Volatile.Read(ref k.Events);
        double cpu = CpuSeconds();
        long start = Stopwatch.GetTimestamp();
        sim.SetFault("flood=" + events);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Volatile.Read(ref k.Events) - before < events && DateTime.UtcNow < deadline) Thread.Sleep(1);
        if (Volatile.Read(ref k.Events) - before < events) throw new Exception("flood incomplete: " + (k.Events - before));
        perCpu = events / (CpuSeconds() - cpu);
        return events / ((Volatile.Read(ref k.LastTicks) - start) / (double)Stopwatch.Frequency);
    }

    static double[] Latency(DGPhoneSimulator sim, Counter k, int samples)
    {
        var lat = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            Volatile.Write(ref k.LatencyTicks, -1);
            sim.SendRaw("Event: X-Probe\r\nT: " + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) + "\r\n\r\n");
            var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
            while (Volatile.Read(ref k.LatencyTicks) < 0 && Stopwatch.GetTimestamp() < deadline) Thread.Sleep(0);
            lat[i] = Volatile.Read(ref k.LatencyTicks) * 1e6 / Stopwatch.Frequency;
        }
        Array.Sort(lat);
        return new[] { lat[samples / 2], lat[samples * 99 / 100] };
    }

    static double[] RunC(string baseline, long events, int samples)
    {
        var p = Process.Start(new ProcessStartInfo(baseline, events + " 1 " + samples) { UseShellExecute = false, RedirectStandardOutput = true });
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new Exception("flood_baseline failed: " + output);
        double rate = 0, cpu = 0, p50 = 0, p99 = 0;
        foreach (var line in output.Split('\n'))
        {
            var f = line.Split(' ');
            // "c rate ROUND EVENTS_PER_S EVENTS_PER_CPU_S", "c latency_us P50 P99"
            if (f.Length == 5 && f[0] == "c" && f[1] == "rate") { rate = double.Parse(f[3], CultureInfo.InvariantCulture); cpu = double.Parse(f[4], CultureInfo.InvariantCulture); }
            if (f.Length == 4 && f[0] == "c" && f[1] == "latency_us") { p50 = double.Parse(f[2], CultureInfo.InvariantCulture); p99 = double.Parse(f[3], CultureInfo.InvariantCulture); }
        }
        return new[] { rate, p50, p99, cpu };
    }

    static int Main(string[] args)
    {
        string baseline = args[0];
        long events = args.Length > 1 ? long.Parse(args[1]) : 100000;
        int samples = args.Length > 2 ? int.Parse(args[2]) : 2000;
        int rounds = args.Length > 3 ? int.Parse(args[3]) : 3;
        var cRate = new List<double>(); var cP50 = new List<double>(); var cP99 = new List<double>();
        var kindRate = new List<double>(); var allRate = new List<double>();
        var nP50 = new List<double>(); var nP99 = new List<double>();
        var ratio = new List<double>();
        var cCpu = new List<double>(); var nCpu = new List<double>(); var cpuRatio = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var cr = RunC(baseline, events, samples);
            cRate.Add(cr[0]); cP50.Add(cr[1]); cP99.Add(cr[2]); cCpu.Add(cr[3]);
            using (var sim = new DGPhoneSimulator())
            using (var c = new DGPhoneClient(new DGPhoneOptions { OverflowPolicy = OverflowPolicy.Block }))
            {
                var k = new Counter();
                c.EventReceived += k.On;
                c.Connect("127.0.0.1", sim.Port);
                c.Login("201");
                Flood(sim, c, k, 5000); // JIT and thread attach, not measured
                double perCpu;
                double rate = Flood(sim, c, k, events, out perCpu);
                kindRate.Add(rate);
                nCpu.Add(perCpu);
                cpuRatio.Add(perCpu / cr[3]);
                ratio.Add(rate / cr[0]);
                k.ReadHeaders = true;
                allRate.Add(Flood(sim, c, k, events));
                k.ReadHeaders = false;
                var lat = Latency(sim, k, samples);
                nP50.Add(lat[0]); nP99.Add(lat[1]);
            }
            Console.Error.WriteLine("round " + (r + 1) + ": C " + cr[0].ToString("F0") + "/s, C# " + kindRate[r].ToString("F0") + "/s (" + (ratio[r] * 100).ToString("F0")
                + "%); per CPU-s C " + cr[3].ToString("F0") + ", C# " + nCpu[r].ToString("F0") + " (" + (cpuRatio[r] * 100).ToString("F0") + "%)");
        }
        double med = Median(ratio);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "dotnet-bench: socket -> handler, {0} events, median of {1} rounds (OverflowPolicy.Block, Mono {2})", events, rounds, MonoVersion()));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  C callback             {0,10:F0} events/s", Median(cRate)));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  C# handler (kind)      {0,10:F0} events/s   {1:F0}% of C (median of per-round ratios; goal >= 50%)", Median(kindRate), med * 100));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  C# handler (+headers)  {0,10:F0} events/s   {1:F0}% of C", Median(allRate), Median(allRate) / Median(cRate) * 100));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "dotnet-bench: the same floods per CPU-second of the whole process (simulator included; steadier on a shared machine)"));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  C callback             {0,10:F0} events/CPU-s", Median(cCpu)));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  C# handler (kind)      {0,10:F0} events/CPU-s   {1:F0}% of C", Median(nCpu), Median(cpuRatio) * 100));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "dotnet-bench: write -> handler latency, {0} probes one at a time", samples));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  C callback   p50 {0,7:F1} us  p99 {1,7:F1} us", Median(cP50), Median(cP99)));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  C# handler   p50 {0,7:F1} us  p99 {1,7:F1} us", Median(nP50), Median(nP99)));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "dotnet-bench: ratio {0:F2} ({1})", med, med >= 0.5 ? "goal met" : "below the 50% goal"));
        return 0;
    }

    static string MonoVersion()
    {
        var t = Type.GetType("Mono.Runtime");
        var m = t?.GetMethod("GetDisplayName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
        return m == null ? "not Mono" : ((string)m.Invoke(null, null)).Split(' ')[0];
    }
}
