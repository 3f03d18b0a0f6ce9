using System.Text;

namespace Billing.QueueStorage.Protocol;

/// <summary>
/// Message text on the wire is Base64 of the UTF-8 bytes (what the Functions host reads and writes).
/// Text that is not Base64 of valid UTF-8 was put by another tool and is returned unchanged.
/// </summary>
internal static class MessageTextEncoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <exception cref="ArgumentException">The text is not valid UTF-16 (a lone surrogate).</exception>
    public static string Encode(string messageText, string paramName)
    {
        try
        {
            return Convert.ToBase64String(StrictUtf8.GetBytes(messageText));
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException("The message text is not valid Unicode (it contains a lone surrogate character).", paramName);
        }
    }

    public static string Decode(string wireText)
    {
        var bytes = new byte[wireText.Length];
        if (!Convert.TryFromBase64String(wireText, bytes, out var written))
        {
            return wireText;
        }

        try
        {
            return StrictUtf8.GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return wireText;
        }
    }
}
