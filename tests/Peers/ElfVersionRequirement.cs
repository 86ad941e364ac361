using System.Buffers.Binary;
using System.Text;

namespace NNPackSharp.Peers;

/// <summary>
/// Marks one symbol-version requirement of an ELF64 shared library weak (<c>VER_FLG_WEAK</c> in
/// <c>.gnu.version_r</c>), so the loader accepts a C++ runtime that lacks that version.
/// </summary>
/// <remarks>
/// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> asks for <c>GLIBCXX_3.4.32</c> (GCC 13) while Debian 12 ships
/// 3.4.30. The only symbol of that version is <c>std::ios_base_library_init</c>, which no relocation uses, so the
/// requirement is safe to weaken. This patches the copy in the benchmark's own output folder, never the NuGet cache.
/// </remarks>
internal static class ElfVersionRequirement
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Weakens <paramref name="version"/> in <paramref name="path"/>; returns false when the file does not ask for it.</summary>
    public static bool MakeWeak(string path, string version)
    {
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw new InvalidOperationException($"{path} is a link; refusing to patch what it points to.");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        byte[] header = Read(file, 0, 64);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a little-endian ELF64 file.");
        }

        long sectionTable = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3A));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3C));
        byte[] sections = Read(file, sectionTable, entrySize * count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> section = sections.AsSpan(i * entrySize, entrySize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(section[4..]) != ShtGnuVerneed)
            {
                continue;
            }

            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(section[0x18..]);
            byte[] needs = Read(file, offset, (int)BinaryPrimitives.ReadUInt64LittleEndian(section[0x20..]));
            ReadOnlySpan<byte> strings = StringTable(file, sections.AsSpan((int)BinaryPrimitives.ReadUInt32LittleEndian(section[0x28..]) * entrySize, entrySize));
            return WeakenIn(file, offset, needs, strings, version);
        }

        return false;
    }

    private static bool WeakenIn(FileStream file, long offset, byte[] needs, ReadOnlySpan<byte> strings, string version)
    {
        int need = 0;
        while (true)
        {
            int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(needs.AsSpan(need + 2));
            int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(needs.AsSpan(need + 8));
            for (int j = 0; j < auxCount; j++)
            {
                int name = (int)BinaryPrimitives.ReadUInt32LittleEndian(needs.AsSpan(aux + 8));
                int end = strings[name..].IndexOf((byte)0);
                if (Encoding.ASCII.GetString(strings.Slice(name, end)) == version)
                {
                    ushort flags = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(needs.AsSpan(aux + 4)) | VerFlgWeak);
                    byte[] patched = new byte[2];
                    BinaryPrimitives.WriteUInt16LittleEndian(patched, flags);
                    file.Position = offset + aux + 4;
                    file.Write(patched);
                    return true;
                }

                aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(needs.AsSpan(aux + 12));
            }

            int next = (int)BinaryPrimitives.ReadUInt32LittleEndian(needs.AsSpan(need + 12));
            if (next == 0)
            {
                return false;
            }

            need += next;
        }
    }

    private static byte[] StringTable(FileStream file, ReadOnlySpan<byte> section) =>
        Read(file, (long)BinaryPrimitives.ReadUInt64LittleEndian(section[0x18..]), (int)BinaryPrimitives.ReadUInt64LittleEndian(section[0x20..]));

    private static byte[] Read(FileStream file, long offset, int length)
    {
        byte[] buffer = new byte[length];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }
}
