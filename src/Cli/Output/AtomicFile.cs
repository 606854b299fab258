namespace Tts.Cli.Output;

/// <summary>Replacing a file's contents so that a failure half way (a full disk) never leaves it truncated.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="contents"/> to a temporary file in the target's directory (the same file system, so
    /// the rename is atomic), flushes it to disk, gives it the target's Unix permissions and renames it over the
    /// target. On any failure the target keeps its old contents and the temporary file is removed. A symbolic link
    /// is followed, so the link stays a link and the file it points to is the one replaced.
    /// </summary>
    public static void Replace(string path, ReadOnlySpan<byte> contents)
    {
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
            }

            File.Move(temporary, target, overwrite: true);
        }
        // .NET reports EFBIG (past the file-size limit) as ArgumentOutOfRangeException, not IOException.
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            DeleteQuietly(temporary);
            var reason = exception is ArgumentOutOfRangeException ? "it would exceed the file-size limit" : exception.Message;
            throw new CliException($"{path}: cannot write the file, left unchanged: {reason}");
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The original error is the one to report; a stray temporary file is named by its dot and suffix.
        }
    }
}
