namespace Tts.Tasks;

/// <summary>Which part of a generated task's problem space a problem belongs to: a fixed hash of its text decides, so train and test never share a problem.</summary>
public enum TaskSplit
{
    Train,
    Test,
}
