using System.ComponentModel.DataAnnotations;

namespace Billing.PageHost;

/// <summary><c>PageHost:*</c> (command line <c>--PageHost:ApiBaseUrl ...</c> or environment <c>PageHost__ApiBaseUrl</c>).</summary>
public sealed class PageHostOptions
{
    public const string Section = "PageHost";

    /// <summary>The folder of the static pages (<c>src/Billing.Web</c>).</summary>
    [Required]
    public string WebRoot { get; set; } = "";

    /// <summary>The function app's base address, e.g. <c>http://127.0.0.1:7071</c>: the page calls <c>{ApiBaseUrl}/api/...</c>.</summary>
    [Required]
    [Url]
    public string ApiBaseUrl { get; set; } = "";

    /// <summary>
    /// A settings file whose Auth settings sign the development tokens; empty: the function app's, found above the
    /// <see cref="WebRoot"/> (the repository's) and overridden by the <c>Auth__*</c> values of its local.settings.json
    /// as in the app, as <c>billing token</c> finds them.
    /// </summary>
    public string? AuthSettingsPath { get; set; }

    /// <summary>Lifetime of a development sign-in token.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);
}
