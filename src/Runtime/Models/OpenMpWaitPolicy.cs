using System.Runtime.InteropServices;

namespace Tts.Runtime.Models;

/// <summary>
/// libtorch's CPU ops run on GNU OpenMP (the bundled libgomp), whose idle threads spin-wait by default. On a machine
/// whose cores are shared with other processes that is ruinous: a parallel op waits for a teammate that the kernel has
/// descheduled while the spinning thread burns the core it needs (measured with <c>tts bench profile</c> at load
/// average 20–25 on 2 cores, docs/performance.md: 2 threads took 3–200× longer per step than 1 thread; with
/// <c>OMP_WAIT_POLICY=PASSIVE</c> 2 threads were as fast as 1 or faster). libgomp reads the variable once, when it is
/// loaded, so it must be in the native environment before the first torch call: <see cref="PreferPassive"/> sets it
/// there (setenv; .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach native code on
/// Unix) unless the user set it.
/// </summary>
public static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE for this process when it is unset (Linux and macOS; nothing elsewhere). Call before any torch op.</summary>
    public static void PreferPassive()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(Variable) is not null)
        {
            return;
        }

        _ = setenv(Variable, "PASSIVE", overwrite: 0);
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
