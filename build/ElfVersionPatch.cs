// Marks one symbol-version requirement of an ELF shared library as weak (VER_FLG_WEAK, 0x2).
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so requires GLIBCXX_3.4.32 for a single symbol it never calls
// (_ZSt21ios_base_library_initv). Debian 12 and Ubuntu 22.04 ship libstdc++ up to GLIBCXX_3.4.30, so the loader
// refuses the library. A weak version requirement only warns, so the library loads.
//
// This one file serves two callers:
//  - the build (Directory.Build.targets compiles it as an inline MSBuild task and patches the *copied* library after
//    build and publish; the NuGet cache is never touched);
//  - the runtime (`mimscale info` reports whether the loaded library was adapted), compiled with MIMSCALE_RUNTIME.
using System;
using System.IO;
using System.Text;
#if !MIMSCALE_RUNTIME
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace MimScale.Build
{
    /// <summary>Reads and edits the flags of version requirements (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
    public static class ElfVersionRequirements
    {
        public const ushort VerFlgWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Flags of the requirement named <paramref name="version"/>, or null if the file does not require it.</summary>
        public static ushort? GetFlags(byte[] elf, string version)
        {
            long at = FindAux(elf, version);
            return at < 0 ? null : BitConverter.ToUInt16(elf, (int)at + 4);
        }

        /// <summary>Sets VER_FLG_WEAK on the requirement. Returns false if the file does not require that version.</summary>
        public static bool MakeWeak(byte[] elf, string version)
        {
            long at = FindAux(elf, version);
            if (at < 0) return false;
            ushort flags = (ushort)(BitConverter.ToUInt16(elf, (int)at + 4) | VerFlgWeak);
            BitConverter.GetBytes(flags).CopyTo(elf, (int)at + 4);
            return true;
        }

        // Returns the file offset of the Elf64_Vernaux entry whose name is `version`, or -1.
        static long FindAux(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
            long shoff = BitConverter.ToInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A), shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (int s = 0; s < shnum; s++)
            {
                int sh = (int)(shoff + (long)s * shentsize);
                if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
                long off = BitConverter.ToInt64(elf, sh + 0x18);
                int link = (int)BitConverter.ToUInt32(elf, sh + 0x28), count = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
                long strOff = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
                long need = off;
                for (int n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                    long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        if (ReadCString(elf, strOff + BitConverter.ToUInt32(elf, (int)aux + 8)) == version) return aux;
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    need += BitConverter.ToUInt32(elf, (int)need + 12);
                }
            }
            return -1;
        }

        static string ReadCString(byte[] b, long at)
        {
            int end = (int)at;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
        }
    }

#if !MIMSCALE_RUNTIME
    /// <summary>MSBuild task: makes the GLIBCXX_3.4.32 requirement weak in each given copy of libLibTorchSharp.so.</summary>
    public class PatchLibTorchSharp : Task
    {
        [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                byte[] elf = File.ReadAllBytes(path);
                var flags = ElfVersionRequirements.GetFlags(elf, Version);
                if (flags == null || (flags.Value & ElfVersionRequirements.VerFlgWeak) != 0) continue;
                ElfVersionRequirements.MakeWeak(elf, Version);
                // Write a new file and move it over the copy: the copy may be a hard link into the NuGet cache.
                string tmp = path + ".patching";
                File.WriteAllBytes(tmp, elf);
                File.Replace(tmp, path, null);
                Log.LogMessage(MessageImportance.High, $"MimScale: marked {Version} weak in {path}");
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
