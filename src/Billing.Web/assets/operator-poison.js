// Poison messages: what failed too often in the Stripe events queue or the usage invoicing jobs queue, and Replay
// (one message, or the selected ones) which moves them back to their queue.
import { el, formatCount, formatDateTime, hold, render } from './ui.js';
import { dataTable, field, section, select, statusBadge } from './operator-common.js';

const queues = [['stripe-events', 'Stripe events'], ['invoice-jobs', 'Usage invoicing jobs']];
const state = { queue: 'stripe-events' };

/** A queue's name as the page says it ("Stripe events"). */
const queueName = (queue) => queues.find(([value]) => value === queue)?.[1] ?? queue;

/**
 * Per queue, the replay on its way (a promise settled once its answer has been handled). The API's replay leases every
 * message of the poison queue it looks through until it is done: a second replay of the queue meanwhile (another row's
 * "Replay", "Replay selected") did not see them and answered "Not found (already replayed or gone)" for messages that
 * stayed in the poison queue. One replay of a queue at a time: every Replay button of its listing waits for the one on
 * its way, those of a listing drawn meanwhile too.
 */
const replaysOnTheirWay = new Map();

export async function showPoison(ctx) {
  const results = el('div', {});
  // Listings of this view answer in any order (the view's first listing, "Show messages" for another queue, the reading
  // after a replay): only the one asked for last is drawn, so the table is the queue the form shows.
  // What a listing or a replay found is said in the view's own status line under the queue form, not in the page's
  // #status above it: said there, the first listing's count moved the form under a press of "Show messages".
  const said = el('p', { role: 'status', class: 'list-status' });
  const view = { ctx, results, said, newest: 0 };
  const queue = select('queue', queues, state.queue);
  const refresh = el('button', { type: 'submit', class: 'primary' }, 'Show messages');
  const form = el('form', { class: 'inline', 'aria-label': 'Choose a poison queue' }, field('poison-queue', 'Queue', queue), refresh);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    state.queue = queue.value;
    const release = hold(refresh);
    try {
      await load(view);
    } finally {
      release();
    }
  });
  render('content', section('poison-title', 'Poison messages',
    el('p', {}, 'Messages that failed every attempt (for example while Stripe was unreachable). Replay moves them back to their queue once the cause is fixed; events already done are acknowledged without effect.'),
    form, said, results));
  await load(view);
}

/** The account, or for an event never mapped to one the Stripe customer of its object (the accounts search finds it). */
function accountCell(m) {
  if (m.accountId) return el('a', { href: `#account/${encodeURIComponent(m.accountId)}` }, m.accountId);
  if (m.customerId) return el('span', {}, `customer ${m.customerId}`);
  return el('span', { class: 'muted' }, 'unknown');
}

/** The id replay selects a message by: the event id (Stripe events) or the run id (invoice jobs). */
function replayId(message, queue) {
  return queue === 'invoice-jobs' ? message.runId : message.eventId;
}

/** Reads the queue's listing and draws it; true when it was drawn (not refused, not overtaken by a newer one). */
async function load(view, { keepStatus = false } = {}) {
  const { ctx, results, said } = view;
  const ticket = ++view.newest;
  const latest = () => ctx.current() && ticket === view.newest;
  const queue = state.queue;
  results.setAttribute('aria-busy', 'true');
  let listing;
  try {
    listing = await ctx.api.get('/api/billing/admin/poison', { query: { queue, max: 32 } });
  } catch (error) {
    if (latest()) {
      ctx.fail(error);
      results.replaceChildren();
      said.textContent = '';
      results.removeAttribute('aria-busy');
    }
    return false;
  }
  if (!latest()) return false; // another view, or a listing asked for later (another queue), is being shown
  results.removeAttribute('aria-busy');
  const messages = listing.messages ?? [];
  const selectable = messages.filter((m) => replayId(m, queue));
  const boxes = [];
  const replays = [];
  const rows = messages.map((m) => {
    const id = replayId(m, queue);
    const what = queue === 'invoice-jobs' ? (m.periodKey ? `invoice job ${m.periodKey}` : 'invoice job') : (m.eventType ?? 'unknown event');
    let choose = el('span', { class: 'muted' }, 'cannot be replayed');
    let replay = '';
    if (id) {
      const box = el('input', { type: 'checkbox', value: id, id: `poison-${boxes.length}`, 'aria-label': `Select ${id}` });
      boxes.push(box);
      choose = box;
      replay = el('button', { type: 'button', 'aria-label': `Replay ${id}` }, 'Replay');
      replay.addEventListener('click', () => replayIds(view, queue, [id], replay));
      replays.push(replay);
    }
    return [
      id ?? m.messageId,
      choose,
      what,
      accountCell(m),
      m.problem ?? m.note ?? '',
      m.status ? statusBadge(m.status) : el('span', { class: 'muted' }, 'not stored'),
      m.attempts === null || m.attempts === undefined ? '' : formatCount(m.attempts),
      formatDateTime(m.insertedOn),
      formatDateTime(m.lastAttemptAt),
      replay,
    ];
  });
  const replaySelected = el('button', { type: 'button', class: 'primary', disabled: !selectable.length }, 'Replay selected');
  replaySelected.addEventListener('click', () => {
    const ids = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!ids.length) {
      ctx.fail(new Error('Select at least one message to replay.'));
      return;
    }
    replayIds(view, queue, ids, replaySelected);
  });
  const onItsWay = replaysOnTheirWay.get(queue);
  if (onItsWay) for (const button of [...replays, replaySelected]) onItsWay.then(hold(button));
  const name = queueName(queue);
  results.replaceChildren(
    el('p', {}, `${listing.queue}: about ${formatCount(listing.approximateCount)} message${listing.approximateCount === 1 ? '' : 's'}${messages.length < listing.approximateCount ? ` (the first ${messages.length} are shown)` : ''}.`),
    dataTable(`Poison messages: ${name}`, [
      { header: queue === 'invoice-jobs' ? 'Run' : 'Event' }, { header: 'Select' }, { header: 'Type' }, { header: 'Account' }, { header: 'Why it failed' },
      { header: 'Status' }, { header: 'Attempts', numeric: true }, { header: 'Poisoned at' }, { header: 'Last attempt' }, { header: 'Replay' },
    ], rows, { empty: 'The poison queue is empty.' }),
    ...(selectable.length ? [el('p', {}, replaySelected)] : []));
  if (!keepStatus) {
    ctx.clear(); // an earlier refusal no longer holds
    said.textContent = `${messages.length === 1 ? '1 poison message' : `${messages.length} poison messages`} in ${name}.`;
  }
  return true;
}

/**
 * A replay answers in its own time: the operator may have chosen the other queue meanwhile (its listing is shown) or
 * left the view. Its result is then said with the queue it was for ("Stripe events: Replayed 1: evt_..."), not as the
 * shown queue's, and the list shown is not read again for it.
 */
async function replayIds(view, queue, ids, button) {
  const { ctx } = view;
  const name = queueName(queue);
  const shown = () => ctx.current() && state.queue === queue;
  if (replaysOnTheirWay.has(queue)) return; // one replay of a queue on its way at a time
  // The pressed button first: it keeps the focus it had once released.
  const releases = [button, ...view.results.querySelectorAll('button')].filter((b, i, all) => all.indexOf(b) === i).map(hold);
  let answered;
  replaysOnTheirWay.set(queue, new Promise((resolve) => { answered = resolve; }));
  try {
    const body = queue === 'invoice-jobs' ? { runIds: ids } : { eventIds: ids };
    const answer = await ctx.api.post('/api/billing/admin/poison/replay', body, { query: { queue } });
    const replayed = (answer.replayed ?? []).map((r) => r.runId ?? r.eventId ?? r.messageId);
    const notFound = answer.notFound ?? [];
    const parts = [];
    if (replayed.length) parts.push(`Replayed ${replayed.length}: ${replayed.join(', ')}.`);
    if (notFound.length) parts.push(`Not found (already replayed or gone): ${notFound.join(', ')}.`);
    const message = parts.join(' ') || 'Nothing was replayed.';
    // A listing refused meanwhile said why in #alert: it stays said (the list is empty), only one drawn clears it.
    const drawn = shown() && (await load(view, { keepStatus: true }));
    if (shown()) {
      if (drawn) ctx.clear();
      view.said.textContent = message;
    } else if (ctx.current()) {
      view.said.textContent = `${name}: ${message}`;
    } else {
      ctx.ok(`${name}: ${message}`);
    }
  } catch (error) {
    ctx.fail(shown() ? error : Object.assign(new Error(`${name}: ${error?.message ?? String(error)}`), { status: error?.status }));
  } finally {
    replaysOnTheirWay.delete(queue);
    answered();
    for (const release of releases) release();
  }
}
