// Money as the API gives it: integer minor units of a currency, as text for people and back.

const fractionDigits = new Map();

/** Integer minor units and an ISO currency code as money: formatMoney(2500, 'usd') -> "$25.00". */
export function formatMoney(minor, currency) {
  const code = String(currency ?? 'usd').toUpperCase();
  if (!fractionDigits.has(code)) {
    fractionDigits.set(code, new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits);
  }
  const digits = fractionDigits.get(code);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: code, minimumFractionDigits: digits }).format(Number(minor) / 10 ** digits);
}

const digitsByCurrency = new Map();

/** How many decimals a currency has (usd 2, jpy 0); null for a code the browser does not know. */
export function currencyDigits(currency) {
  const code = String(currency ?? '').toUpperCase();
  if (!digitsByCurrency.has(code)) {
    let digits = null;
    try {
      digits = new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
    } catch {
      digits = null;
    }
    digitsByCurrency.set(code, digits);
  }
  return digitsByCurrency.get(code);
}

/**
 * A decimal amount typed by a person ("10.5", "-3", "+0.25") as integer minor units of the currency, exactly: the
 * digits are shifted as text (no floating point), more decimals than the currency has are refused, not rounded.
 * @returns {{ minor: number } | { error: string }}
 */
export function parseMinorUnits(text, currency) {
  const digits = currencyDigits(currency);
  if (digits === null) return { error: `"${currency}" is not a currency code (three letters, such as usd).` };
  const match = /^([+\-−])?\s*(\d+)(?:\.(\d*))?$/.exec(String(text ?? '').trim());
  if (!match) return { error: 'Enter the amount as a number such as 10, 10.50 or -3.25 (a minus sign takes credit away).' };
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > digits) {
    return { error: digits === 0 ? `${currency.toUpperCase()} has no decimals: enter a whole amount.` : `Use at most ${digits} decimals for ${currency.toUpperCase()}.` };
  }
  const minor = BigInt(whole + fraction.padEnd(digits, '0')) * (sign === '-' || sign === '−' ? -1n : 1n);
  if (minor === 0n) return { error: 'The amount must not be zero.' };
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER)) return { error: 'The amount is too large.' };
  return { minor: Number(minor) };
}
