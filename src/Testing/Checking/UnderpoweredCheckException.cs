namespace Tts.Testing.Checking;

/// <summary>
/// The runs asked for cannot catch the smallest deviation asked for (<see cref="CheckSettings.SmallestDeviation"/>)
/// with the asked power in every direction; the message names the runs needed. Thrown before any run is made.
/// </summary>
public sealed class UnderpoweredCheckException(string message) : Exception(message);
