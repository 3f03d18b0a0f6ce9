using System.Globalization;
using System.Text;

namespace Billing.Infra.Tests.Bicep;

/// <summary>A value of a deployment snapshot: known (text, number, object) or an expression only the deployment can evaluate.</summary>
public abstract record ArmValue;

public sealed record ArmText(string Value) : ArmValue;

public sealed record ArmNumber(long Value) : ArmValue;

public sealed record ArmObject(IReadOnlyDictionary<string, ArmValue> Members) : ArmValue;

/// <summary>Known only at deployment time (e.g. <c>reference(...)</c> of a resource not yet created); <see cref="Text"/> is the expression.</summary>
public sealed record ArmUnresolved(string Text) : ArmValue;

/// <summary>
/// Reads the partly evaluated template expressions a <c>bicep snapshot</c> leaves where a value depends on the
/// deployment (<c>[union(createObject('A', 'x', 'B', reference(...).clientId), ...)]</c>): <c>createObject</c> and
/// <c>union</c> of known objects are evaluated, string and integer literals are read, anything else stays
/// <see cref="ArmUnresolved"/> with its text.
/// </summary>
public sealed class ArmExpression
{
    private readonly string _text;
    private int _position;

    private ArmExpression(string text) => _text = text;

    /// <summary>A JSON string value of the snapshot: an expression when it is wrapped in [ ], a literal otherwise.</summary>
    public static ArmValue FromJsonString(string value)
    {
        if (value.StartsWith('[') && value.EndsWith(']') && !value.StartsWith("[[", StringComparison.Ordinal))
        {
            var parser = new ArmExpression(value[1..^1]);
            var result = parser.Parse();
            parser.SkipSpaces();
            if (parser._position != parser._text.Length)
            {
                throw new FormatException($"Unexpected text at {parser._position} in expression: {value}");
            }

            return result;
        }

        return new ArmText(value);
    }

    private ArmValue Parse()
    {
        SkipSpaces();
        var start = _position;
        ArmValue value;
        if (Peek() == '\'')
        {
            value = new ArmText(ReadString());
        }
        else if (Peek() == '-' || char.IsAsciiDigit(Peek()))
        {
            var digits = ReadWhile(c => c == '-' || char.IsAsciiDigit(c));
            value = new ArmNumber(long.Parse(digits, CultureInfo.InvariantCulture));
        }
        else
        {
            var name = ReadWhile(c => char.IsAsciiLetterOrDigit(c) || c == '_');
            if (name.Length == 0)
            {
                throw new FormatException($"Expected a value at {_position}: {_text}");
            }

            SkipSpaces();
            if (Peek() != '(' && name is "true" or "false" or "null")
            {
                return new ArmText(name);
            }

            Expect('(');
            var arguments = new List<ArmValue>();
            SkipSpaces();
            while (Peek() != ')')
            {
                arguments.Add(Parse());
                SkipSpaces();
                if (Peek() == ',')
                {
                    _position++;
                }
            }

            Expect(')');
            value = Call(name, arguments) ?? new ArmUnresolved(_text[start.._position]);
        }

        // Member and index access (reference(...).outputs.name.value, x[0]) make the value unresolved.
        while (Peek() is '.' or '[')
        {
            if (Peek() == '.')
            {
                _position++;
                ReadWhile(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$');
            }
            else
            {
                _position++;
                Parse();
                SkipSpaces();
                Expect(']');
            }

            value = new ArmUnresolved(_text[start.._position]);
        }

        return value;
    }

    private static ArmValue? Call(string name, List<ArmValue> arguments)
    {
        if (name.Equals("createObject", StringComparison.OrdinalIgnoreCase) && arguments.Count % 2 == 0)
        {
            var members = new Dictionary<string, ArmValue>(StringComparer.Ordinal);
            for (var i = 0; i < arguments.Count; i += 2)
            {
                if (arguments[i] is not ArmText key)
                {
                    return null;
                }

                members[key.Value] = arguments[i + 1];
            }

            return new ArmObject(members);
        }

        if (name.Equals("union", StringComparison.OrdinalIgnoreCase) && arguments.All(a => a is ArmObject))
        {
            var members = new Dictionary<string, ArmValue>(StringComparer.Ordinal);
            foreach (var argument in arguments.Cast<ArmObject>())
            {
                foreach (var (key, member) in argument.Members)
                {
                    members[key] = member;
                }
            }

            return new ArmObject(members);
        }

        return null;
    }

    private string ReadString()
    {
        Expect('\'');
        var text = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw new FormatException($"Unterminated string in: {_text}");
            }

            var c = _text[_position++];
            if (c == '\'')
            {
                if (Peek() != '\'')
                {
                    return text.ToString();
                }

                _position++;
            }

            text.Append(c);
        }
    }

    private string ReadWhile(Func<char, bool> accept)
    {
        var start = _position;
        while (_position < _text.Length && accept(_text[_position]))
        {
            _position++;
        }

        return _text[start.._position];
    }

    private void Expect(char c)
    {
        SkipSpaces();
        if (Peek() != c)
        {
            throw new FormatException($"Expected '{c}' at {_position}: {_text}");
        }

        _position++;
    }

    private void SkipSpaces()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';
}
