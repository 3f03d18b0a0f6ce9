using System.Text;

namespace Billing.Infra.Tests;

/// <summary>
/// The text of every string literal of C# source, for tests that read the query text the code sends: regular,
/// verbatim (<c>@"..."</c>, over several lines too), raw (<c>"""..."""</c>) and interpolated ones, whose holes are read
/// as code (a literal inside a hole, such as a clause added by a conditional, is a literal of its own). Comments and
/// character literals are skipped. A hole's place in its string's text is a space.
/// </summary>
internal static class CSharpStringLiterals
{
    public static List<string> Of(string code)
    {
        var found = new List<string>();
        var i = 0;
        ReadCode(code, ref i, found, inHole: false);
        return found;
    }

    /// <summary>Reads code up to its end, or, in an interpolation hole, up to the brace that closes it.</summary>
    private static void ReadCode(string code, ref int i, List<string> found, bool inHole)
    {
        var braces = 0;
        while (i < code.Length)
        {
            var ch = code[i];
            if (ch == '/' && At(code, i + 1, '/'))
            {
                var end = code.IndexOf('\n', i);
                i = end < 0 ? code.Length : end;
            }
            else if (ch == '/' && At(code, i + 1, '*'))
            {
                var end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? code.Length : end + 2;
            }
            else if (ch == '\'')
            {
                i++;
                while (i < code.Length && code[i] != '\'')
                {
                    i += code[i] == '\\' ? 2 : 1;
                }

                i++;
            }
            else if (ch == '"' || (ch is '$' or '@' && StartsString(code, i)))
            {
                found.Add(ReadString(code, ref i, found));
            }
            else if (inHole && ch == '{')
            {
                braces++;
                i++;
            }
            else if (inHole && ch == '}')
            {
                i++;
                if (braces-- == 0)
                {
                    return;
                }
            }
            else
            {
                i++;
            }
        }
    }

    private static bool StartsString(string code, int i)
    {
        while (i < code.Length && code[i] is '$' or '@')
        {
            i++;
        }

        return At(code, i, '"');
    }

    private static string ReadString(string code, ref int i, List<string> found)
    {
        var interpolated = false;
        var verbatim = false;
        while (code[i] is '$' or '@')
        {
            interpolated |= code[i] == '$';
            verbatim |= code[i] == '@';
            i++;
        }

        var quotes = 0;
        while (At(code, i + quotes, '"'))
        {
            quotes++;
        }

        if (!verbatim && quotes >= 3)
        {
            // Raw: up to the same run of quotes; its holes, if any, are kept as text (they hold no quote run).
            var start = i + quotes;
            var end = code.IndexOf(new string('"', quotes), start, StringComparison.Ordinal);
            end = end < 0 ? code.Length : end;
            i = Math.Min(code.Length, end + quotes);
            return code[start..end];
        }

        if (!verbatim && quotes == 2)
        {
            i += 2;
            return "";
        }

        var text = new StringBuilder();
        i++;
        while (i < code.Length)
        {
            var ch = code[i];
            if (verbatim && ch == '"')
            {
                if (At(code, i + 1, '"'))
                {
                    text.Append('"');
                    i += 2;
                    continue;
                }

                i++;
                break;
            }

            if (!verbatim && ch is '"' or '\n')
            {
                i++;
                break;
            }

            if (!verbatim && ch == '\\')
            {
                text.Append(code, i, Math.Min(2, code.Length - i));
                i += 2;
            }
            else if (interpolated && ch is '{' or '}' && At(code, i + 1, ch))
            {
                text.Append(ch);
                i += 2;
            }
            else if (interpolated && ch == '{')
            {
                i++;
                ReadCode(code, ref i, found, inHole: true);
                text.Append(' ');
            }
            else
            {
                text.Append(ch);
                i++;
            }
        }

        return text.ToString();
    }

    private static bool At(string code, int i, char ch) => i < code.Length && code[i] == ch;
}
