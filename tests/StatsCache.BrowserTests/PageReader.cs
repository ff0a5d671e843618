using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace StatsCache.BrowserTests;

/// <summary>A row of the chatbots table as the browser shows it.</summary>
public sealed record ChatbotRow(long Id, string Name, long Sessions, long Participants, long Messages, string Activity);

/// <summary>Reads what the pages show, through the DOM the browser built.</summary>
public static class PageReader
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static async Task<IReadOnlyList<ChatbotRow>> ChatbotsAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("""
            () => JSON.stringify([...document.querySelectorAll('#chatbots tbody tr[data-id]')].map(tr => ({
                id: Number(tr.dataset.id),
                name: tr.cells[0].innerText.trim(),
                sessions: Number(tr.cells[1].innerText.replace(/,/g, '')),
                participants: Number(tr.cells[2].innerText.replace(/,/g, '')),
                messages: Number(tr.cells[3].innerText.replace(/,/g, '')),
                activity: tr.cells[4].innerText.trim(),
            })))
            """);
        return JsonSerializer.Deserialize<ChatbotRow[]>(json, Json)!;
    }

    public static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>"Coach #16" before "Coach #106": text compared without case, digit runs by value.</summary>
public sealed class NaturalComparer : IComparer<string>
{
    public static NaturalComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        var (a, b) = (x ?? "", y ?? "");
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsDigit(a[i]) && char.IsDigit(b[j]))
            {
                var (si, sj) = (i, j);
                while (i < a.Length && char.IsDigit(a[i]))
                {
                    i++;
                }

                while (j < b.Length && char.IsDigit(b[j]))
                {
                    j++;
                }

                var byValue = decimal.Parse(a[si..i], CultureInfo.InvariantCulture).CompareTo(decimal.Parse(b[sj..j], CultureInfo.InvariantCulture));
                if (byValue != 0)
                {
                    return byValue;
                }
            }
            else
            {
                var byChar = char.ToLowerInvariant(a[i]).CompareTo(char.ToLowerInvariant(b[j]));
                if (byChar != 0)
                {
                    return byChar;
                }

                i++;
                j++;
            }
        }

        return (a.Length - i).CompareTo(b.Length - j);
    }
}
