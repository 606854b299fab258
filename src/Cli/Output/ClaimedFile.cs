namespace Tts.Cli.Output;

/// <summary>
/// A destination a command claims before it computes anything (issue 17: results were lost when `--out` or `--json`
/// turned out unwritable after all the compute, and two evals sharing an `--out` both succeeded, the last one winning).
/// <see cref="Claim"/> creates the folder and the file itself with create-new semantics, so the check of "writable and
/// not already there" is one atomic step: of two commands claiming one path, exactly one gets it. The claimant later
/// writes its results over its own empty file; if it ends without <see cref="Keep"/>, the empty claim is removed
/// (and the folder, if the claim made it and it is empty).
/// </summary>
internal sealed class ClaimedFile : IDisposable
{
    private readonly string? _createdFolder;
    private bool _kept;

    private ClaimedFile(string path, string? createdFolder)
    {
        Path = path;
        _createdFolder = createdFolder;
    }

    public string Path { get; }

    /// <param name="path">The file to create.</param>
    /// <param name="option">The option that named it, for the message (e.g. "--out runs/x").</param>
    /// <exception cref="CliException">The file exists (never overwritten), or the folder cannot be written.</exception>
    public static ClaimedFile Claim(string path, string option)
    {
        try
        {
            string? created = null;
            if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder);
                created = folder;
            }

            new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None).Dispose();
            return new ClaimedFile(path, created);
        }
        catch (IOException) when (File.Exists(path))
        {
            var empty = new FileInfo(path).Length == 0 ? " (it is empty: another command is writing it, or one was interrupted; delete it if none is running)" : "";
            throw new CliException($"{option}: {path} already exists{empty}; choose another destination (results are never overwritten)");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CliException($"{option}: cannot write {path}: {exception.Message}");
        }
    }

    /// <summary>Writes <paramref name="contents"/> over the claim and keeps it.</summary>
    public void WriteAllText(string contents)
    {
        File.WriteAllText(Path, contents);
        Keep();
    }

    /// <summary>The results were written to <see cref="Path"/>: keep the file.</summary>
    public void Keep() => _kept = true;

    public void Dispose()
    {
        if (_kept)
        {
            return;
        }

        try
        {
            if (new FileInfo(Path) is { Exists: true, Length: 0 })
            {
                File.Delete(Path);
            }

            // A folder the claim made (its parents stay: a folder another command made may be among them).
            if (_createdFolder is not null && !Directory.EnumerateFileSystemEntries(_createdFolder).Any())
            {
                Directory.Delete(_createdFolder);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The claim stays; the next command that wants the path says how to clear it.
        }
    }
}
