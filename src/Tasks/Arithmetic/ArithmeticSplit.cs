namespace Tts.Tasks.Arithmetic;

/// <summary>Which part of the problem space a problem belongs to: a fixed hash of its expression decides, so train and test never share a problem.</summary>
public enum ArithmeticSplit
{
    Train,
    Test,
}
