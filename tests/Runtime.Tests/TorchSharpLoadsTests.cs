using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests;

/// <summary>
/// Proves the TorchSharp native stack (libLibTorchSharp.so + libtorch) loads and computes, and that
/// build/TorchSharpNativeFix.targets left the shim loadable on this machine's libstdc++.
/// </summary>
public sealed class TorchSharpLoadsTests
{
    private const string NeededVersion = "GLIBCXX_3.4.32";

    [Fact]
    public void Ones_and_matmul_compute_expected_values()
    {
        using var a = torch.ones(2, 3, dtype: ScalarType.Float64);
        using var b = torch.arange(12, dtype: ScalarType.Float64).reshape(3, 4); // rows 0..3, 4..7, 8..11
        using var c = a.matmul(b);

        Assert.Equal(new long[] { 2, 3 }, a.shape);
        Assert.Equal(6.0, a.sum().item<double>());
        Assert.Equal(new long[] { 2, 4 }, c.shape);

        // Every row of ones(2,3) @ b is the column sums of b: 12, 15, 18, 21.
        double[] expected = [12, 15, 18, 21, 12, 15, 18, 21];
        Assert.Equal(expected, c.data<double>().ToArray());
    }

    [Fact]
    public void Shim_in_output_folder_has_weak_GLIBCXX_3_4_32_or_system_does_not_need_it()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return; // the fix only exists for Linux glibc/libstdc++.
        }

        string[] shims = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(shims);

        bool systemProvides = SystemLibStdCxxProvides(NeededVersion);
        foreach (string shim in shims)
        {
            ushort? flags = VernauxFlags(File.ReadAllBytes(shim), NeededVersion);
            if (flags is null)
            {
                continue; // a newer shim that no longer asks for the version: nothing to fix.
            }

            const ushort verFlgWeak = 0x2;
            Assert.True(systemProvides || (flags.Value & verFlgWeak) != 0,
                $"{shim} requires {NeededVersion} non-weakly, and the system libstdc++ does not provide it.");
        }
    }

    private static bool SystemLibStdCxxProvides(string version)
    {
        string[] candidates =
        [
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        ];
        string? path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return false;
        }

        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        return File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
    }

    /// <summary>
    /// An independent, minimal ELF64 LE reader: the vna_flags of the Vernaux named <paramref name="version"/>
    /// in the SHT_GNU_verneed section, or null when the file does not ask for it.
    /// </summary>
    private static ushort? VernauxFlags(byte[] elf, string version)
    {
        Assert.True(elf.Length > 64 && elf[0] == 0x7F && elf[1] == (byte)'E' && elf[2] == (byte)'L' && elf[3] == (byte)'F');
        Assert.Equal(2, elf[4]); // ELFCLASS64
        Assert.Equal(1, elf[5]); // ELFDATA2LSB

        ReadOnlySpan<byte> span = elf;
        ulong U64(long at) => BitConverter.ToUInt64(elf, checked((int)at));
        uint U32(long at) => BitConverter.ToUInt32(elf, checked((int)at));
        ushort U16(long at) => BitConverter.ToUInt16(elf, checked((int)at));

        long shoff = (long)U64(0x28);
        int shentsize = U16(0x3A);
        int shnum = U16(0x3C);

        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (U32(sh + 4) != 0x6FFFFFFE) // SHT_GNU_verneed
            {
                continue;
            }

            long strSh = shoff + (long)U32(sh + 40) * shentsize; // sh_link -> .dynstr
            long strOff = (long)U64(strSh + 24);
            long off = (long)U64(sh + 24);
            uint count = U32(sh + 44); // sh_info

            for (uint n = 0; n < count; n++)
            {
                long aux = off + U32(off + 8); // vn_aux
                for (int k = 0; k < U16(off + 2); k++) // vn_cnt
                {
                    long nameAt = strOff + U32(aux + 8); // vna_name
                    int len = span[(int)nameAt..].IndexOf((byte)0);
                    if (Encoding.ASCII.GetString(elf, (int)nameAt, len) == version)
                    {
                        return U16(aux + 4); // vna_flags
                    }

                    aux += U32(aux + 12); // vna_next
                }

                off += U32(off + 12); // vn_next
            }
        }

        return null;
    }
}
