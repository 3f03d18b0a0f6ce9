// The one way the pages call the billing API: JSON in and out, the signed-in user's bearer token, and every refusal
// (RFC 9457 problem details) turned into an ApiError that carries a sentence a person understands.
// Every path a page passes here must be an operation of the OpenAPI document (/api/openapi/v1.json); the browser
// tests check each call the pages make against it.

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the API could not be reached at all.
   * @param {object|null} problem The problem details body, when there was one.
   * @param {string} message A sentence for the person using the page.
   */
  constructor(status, problem, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.code = problem?.code ?? null;
  }
}

/**
 * @param {{ baseUrl: string, getToken: () => Promise<string|null>, onSignedOut?: () => void }} options
 */
export function createApi({ baseUrl, getToken, onSignedOut }) {
  const root = baseUrl.replace(/\/+$/, '');

  async function request(method, path, { body, query, signal } = {}) {
    const url = new URL(root + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
    }
    const headers = { Accept: 'application/json' };
    const token = await getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (error) {
      if (error?.name === 'AbortError') throw error;
      throw new ApiError(0, null, 'The billing service could not be reached. Check your connection and try again.');
    }

    const text = await response.text();
    const data = text ? safeJson(text) : null;
    if (response.ok) return data;

    if (response.status === 401 && onSignedOut) onSignedOut();
    const problem = data && typeof data === 'object' ? data : null;
    throw new ApiError(response.status, problem, describeProblem(response.status, problem, response.headers.get('Retry-After')));
  }

  return {
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body: body ?? {} }),
    delete: (path, options) => request('DELETE', path, options),
  };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const meterNames = {
  agent_runs: 'agent runs',
  tokens: 'tokens',
  api_calls: 'API calls',
  projects: 'projects',
  seats: 'seats',
};

/** A person's name for a meter key (agent_runs -> agent runs). */
export function meterName(meter) {
  return meterNames[meter] ?? String(meter ?? '').replaceAll('_', ' ');
}

/** What a refusal means for the person in front of the page, in one or two sentences. */
export function describeProblem(status, problem, retryAfter = null) {
  const code = problem?.code;
  // Retry-After is read when the API's CORS exposes it (browsers hide it from cross-origin pages otherwise).
  const wait = retryAfter && /^\d+$/.test(retryAfter) ? ` Try again in ${retryAfter} seconds.` : ' Try again in a moment.';
  switch (code) {
    case 'quota_exceeded': {
      // The page names the plan as its catalog does (upgradePlanName); an API answer names only its code.
      const target = problem.upgradePlanName ?? (problem.upgradePlan ? capitalize(problem.upgradePlan) : null);
      const upgrade = target ? ` Upgrade to ${target} to get more.` : '';
      return `You have used all ${formatCount(problem.limit)} ${meterName(problem.meter)} your plan includes this period.${upgrade}`;
    }
    case 'trial_already_used':
      return 'This account has already had its free trial: a trial is offered once per account. Choose a paid plan to go on.';
    case 'trial_not_offered':
      return 'No free trial is offered for this plan.';
    case 'subscription_live':
      return 'You already have a subscription. Use "Manage billing" to change or cancel it.';
    case 'no_stripe_customer':
      return 'There is nothing to manage yet: choose a plan first.';
    case 'plan_not_sold':
      return 'This plan cannot be bought with this billing interval right now. Nothing was charged. Choose another plan or interval, or try again later.';
    case 'add_on_not_applicable':
      return 'Your plan already puts no limit on what this add-on raises, so it would add nothing. Nothing was charged.';
    case 'insufficient_credit':
      return 'There is not enough credit for that.';
    case 'stripe_unavailable':
      return `Payments are unavailable right now: we could not reach Stripe. Nothing was charged.${wait}`;
    case 'stripe_error':
      return 'Stripe refused the request. Nothing was charged. Please try again, or contact support if it keeps happening.';
    case 'busy':
      return `The billing service is busy.${wait}`;
    case 'rate_limited':
      return `Too many requests in a short time.${wait}`;
    case 'token_required':
    case 'invalid_token':
      return 'Your sign-in has expired. Sign in again.';
    case 'forbidden':
      return 'Your account is not allowed to do this.';
    case 'payload_too_large':
    case 'unsupported_media_type':
      return 'The page sent a request the billing service does not accept. Reload the page and try again.';
    case 'internal_error':
      return 'Something went wrong on our side. Nothing was charged. Please try again.';
    case 'account_not_found':
      return 'No billing account with that id exists.';
    case 'period_not_closed':
      return 'That billing period has not closed yet.';
    default:
      break;
  }
  if (status === 400) {
    const fields = Object.entries(problem?.errors ?? {}).map(([field, messages]) => `${field}: ${[].concat(messages).join(' ')}`);
    return fields.length ? `Some of what was sent is not valid. ${fields.join(' ')}` : (problem?.detail ?? 'The request was not valid.');
  }
  if (status === 401) return 'Your sign-in has expired. Sign in again.';
  if (status === 403) return 'Your account is not allowed to do this.';
  if (status === 404) return problem?.detail ?? 'That was not found.';
  if (status === 503) return `The billing service is unavailable right now.${wait}`;
  if (status >= 500) return 'Something went wrong on our side. Nothing was charged. Please try again.';
  return problem?.detail ?? problem?.title ?? `The request failed (HTTP ${status}).`;
}

function capitalize(text) {
  const value = String(text);
  return value.charAt(0).toUpperCase() + value.slice(1).toLowerCase();
}

function formatCount(value) {
  return typeof value === 'number' ? value.toLocaleString('en-US') : String(value ?? '');
}
