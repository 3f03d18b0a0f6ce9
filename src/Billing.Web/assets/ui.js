// Small DOM and formatting helpers shared by the billing and operator pages (no framework).

/** el('button', { class: 'primary', onclick: fn }, 'Text', child...): an element; children may be nested arrays; null and false are skipped. */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces the children of the element with the given id. */
export function render(id, ...children) {
  const target = document.getElementById(id);
  target.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return target;
}

/**
 * Shows a message in the page's live region (role="status" or role="alert"); error: an Error or ApiError. keepSpace: a
 * region emptied keeps the height it had, so that what is under it does not move up (an empty region is not shown, and
 * its line going away at a moment of the page's own choosing moved the page under a press); the next message frees it.
 */
export function announce(id, message, { error = false, keepSpace = false } = {}) {
  const region = document.getElementById(id);
  const height = keepSpace && !message ? region.getBoundingClientRect().height : 0;
  region.replaceChildren();
  region.style.minHeight = '';
  region.classList.toggle('error', error);
  region.classList.toggle('notice', !error && Boolean(message));
  if (message) region.append(el('p', {}, message));
  else if (height) {
    region.style.minHeight = `${height}px`;
    region.append(el('span', { 'aria-hidden': 'true' })); // not :empty, so shown (empty of words)
  }
}

/** What an action returns once it has sent the browser to another page (see leaveTo): busy() keeps its button disabled. */
export const leaving = Symbol('leaving');

/**
 * Runs an action for a button: disables it meanwhile, announces an error where it fails. An action that leaves the
 * page keeps the button disabled, so a second click cannot start a second Checkout while Stripe's page loads; the
 * browser's Back restores the page with its buttons enabled again (pageshow below).
 */
export async function busy(button, statusId, action) {
  const release = hold(button);
  let result;
  try {
    result = await action();
    return result;
  } catch (error) {
    announce(statusId, error?.message ?? String(error), { error: true });
    return undefined;
  } finally {
    if (result === leaving) {
      button.dataset.leaving = 'true';
    } else {
      release();
    }
  }
}

/**
 * Disables a button while its action runs; returns what enables it again. A focused button that is disabled loses the
 * focus to the page's body (the next Tab starts from the top of the page), so a keyboard user who pressed it is put
 * back on it, when it is still on the page and nothing else took the focus meanwhile.
 */
export function hold(button) {
  const focused = document.activeElement === button;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  return () => {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (focused && button.isConnected && (document.activeElement === null || document.activeElement === document.body)) button.focus();
  };
}

window.addEventListener('pageshow', (event) => {
  if (!event.persisted) return;
  for (const button of document.querySelectorAll('button[data-leaving]')) {
    delete button.dataset.leaving;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
});

/** An address from the API as a URL when it is a web page (http or https), else null: links and navigation use only those. */
export function webUrl(address) {
  let url;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
}

/** Sends the browser to an address the API gave (Checkout, the portal); refuses one that is not a web page. */
export function leaveTo(address) {
  const url = webUrl(address);
  if (!url) throw new Error('The billing service answered with an address that is not a web page, so it was not opened. Nothing was charged.');
  location.assign(url.href);
  return leaving;
}

export function formatCount(value) {
  return Number(value).toLocaleString('en-US');
}

/** An ISO date-time as a date a person reads ("Dec 1, 2026"), in UTC like the billing periods. */
export function formatDate(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/**
 * "Nov 1, 2026 – Nov 30, 2026" (UTC): periods end exclusively (the calendar month of November ends at Dec 1, 00:00),
 * so the last day shown is the day of the period's last instant.
 */
export function formatPeriod(start, end) {
  if (!start && !end) return '';
  const last = end ? new Date(new Date(end).getTime() - 1).toISOString() : end;
  return `${formatDate(start)} – ${formatDate(last)}`;
}

/**
 * An instant in the reader's own time zone, named: "May 16, 2031, 07:00 PM PDT". For the moments something happens
 * (a trial or plan ends, a renewal is charged), which fall at any hour: as a UTC date alone they read a day off
 * west or east of it.
 */
export function formatDateTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
}
