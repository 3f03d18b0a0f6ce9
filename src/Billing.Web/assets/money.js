// Money as the API gives it: integer minor units of a currency, sized as Stripe sizes them. Stripe's minor unit is not
// always the currency's own (ISO 4217, which Intl.NumberFormat follows): Stripe writes 5 ISK as 500.

// Stripe's decimals per currency, from https://docs.stripe.com/currencies: the zero-decimal currencies (#zero-decimal:
// 500 JPY is 500) and the three-decimal ones (#three-decimal: 5.000 KWD is 5000, its last digit 0) are listed; every
// other currency has two. The special cases (#special-cases) keep two where the currency itself has none: ISK and UGX
// are whole units written with "00" (5 ISK is 500; UGX is on the zero-decimal list too, but Stripe's API takes it as
// the special case says), and HUF and TWD are charged with two decimals (whole units only in payouts).
const stripeDecimalsByCode = new Map([
  ...['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'vnd', 'vuv', 'xaf', 'xof', 'xpf'].map((code) => [code, 0]),
  ...['bhd', 'jod', 'kwd', 'omr', 'tnd'].map((code) => [code, 3]),
]);

/** Stripe's decimals for a lower-case currency code (usd 2, jpy 0, isk 2, kwd 3). */
function stripeDecimals(code) {
  return stripeDecimalsByCode.get(code) ?? 2;
}

const writtenDecimals = new Map();

/** Decimals the browser writes a currency with (Intl: usd 2, jpy 0, isk 0); null for a code it does not know. */
function written(code) {
  if (!writtenDecimals.has(code)) {
    let digits = null;
    try {
      digits = new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
    } catch {
      digits = null;
    }
    writtenDecimals.set(code, digits);
  }
  return writtenDecimals.get(code);
}

/**
 * Stripe's minor units as money, with the decimals the currency is written with: formatMoney(2500, 'usd') -> "$25.00",
 * formatMoney(500, 'isk') -> "ISK 5", formatMoney(5000, 'kwd') -> "KWD 5.000". An amount those decimals would round
 * shows Stripe's decimals instead (1050 isk -> "ISK 10.50").
 */
export function formatMoney(minor, currency) {
  const code = String(currency ?? 'usd').toLowerCase();
  const value = Number(minor);
  const decimals = stripeDecimals(code);
  const shown = written(code) ?? decimals;
  const digits = shown < decimals && value % 10 ** (decimals - shown) !== 0 ? decimals : shown;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: code, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value / 10 ** decimals);
}

/** Decimals a person may type for a currency: those it is written with, within Stripe's (usd 2, jpy 0, isk 0, kwd 3); null for an unknown code. */
export function currencyDigits(currency) {
  const code = String(currency ?? '').toLowerCase();
  const digits = written(code);
  return digits === null ? null : Math.min(digits, stripeDecimals(code));
}

/**
 * A decimal amount typed by a person ("10.5", "-3", "+0.25") as Stripe's minor units of the currency, exactly: the
 * digits are shifted as text (no floating point), more decimals than the currency is written with are refused, not
 * rounded ("5" isk is 500, "5.5" isk is refused), and so is a three-decimal amount Stripe cannot charge ("1.235" kwd:
 * its last digit must be 0, as the server's Currency.MinorUnitStep says).
 * @returns {{ minor: number } | { error: string }}
 */
export function parseMinorUnits(text, currency) {
  const code = String(currency ?? '').toLowerCase();
  const digits = currencyDigits(code);
  if (digits === null) return { error: `"${currency}" is not a currency code (three letters, such as usd).` };
  const match = /^([+\-−])?\s*(\d+)(?:\.(\d*))?$/.exec(String(text ?? '').trim());
  if (!match) return { error: 'Enter the amount as a number such as 10, 10.50 or -3.25 (a minus sign takes credit away).' };
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > digits) {
    return { error: digits === 0 ? `${code.toUpperCase()} has no decimals: enter a whole amount.` : `Use at most ${digits} decimals for ${code.toUpperCase()}.` };
  }
  const minor = BigInt(whole + fraction.padEnd(stripeDecimals(code), '0')) * (sign === '-' || sign === '−' ? -1n : 1n);
  if (minor === 0n) return { error: 'The amount must not be zero.' };
  if (stripeDecimals(code) === 3 && minor % 10n !== 0n) {
    return { error: `Stripe charges ${code.toUpperCase()} in steps of 0.010: make the third decimal 0.` };
  }
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER)) return { error: 'The amount is too large.' };
  return { minor: Number(minor) };
}
