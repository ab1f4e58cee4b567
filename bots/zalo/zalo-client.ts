/**
 * A small typed client of the Zalo Bot Platform API (`<baseUrl>/bot<token>/<method>`, all POST
 * with JSON) on the global fetch, with a timeout on every call. Errors are ZaloApiError /
 * ZaloNetworkError and never contain the token.
 */
import { scrubText } from '../../core/log-scrub.js';
import { ZaloApiError, ZaloNetworkError, ZaloRequestError } from './zalo-errors.js';
import { parseZaloUpdates, type ZaloUpdate } from './zalo-updates.js';

/** Options of a ZaloClient. */
export interface ZaloClientOptions {
  token: string;
  /** Default `https://bot-api.zaloplatforms.com`; tests point it at the fake server. */
  baseUrl?: string;
  /** Per-call timeout in ms (getUpdates adds its long-poll time on top). Default 10000. */
  timeoutMs?: number;
}

/** Per-call options. */
export interface ZaloCallOptions {
  /** Cancels the call (e.g. to stop long polling promptly). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** getMe's answer. */
export interface ZaloBotInfo {
  id: string;
  account_name?: string;
  account_type?: string;
  can_join_groups?: boolean;
  [key: string]: unknown;
}

/** getWebhookInfo / setWebhook / deleteWebhook answer; `url` is empty when no webhook is set. */
export interface ZaloWebhookInfo {
  url: string;
  updated_at?: number;
  [key: string]: unknown;
}

/** What a send method answers. */
export interface ZaloSentMessage {
  message_id?: string;
  date?: number;
  [key: string]: unknown;
}

/** The Zalo Bot Platform methods this project uses. */
export class ZaloClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor({ token, baseUrl = 'https://bot-api.zaloplatforms.com', timeoutMs = 10_000 }: ZaloClientOptions) {
    if (!token) throw new ZaloRequestError('client', 'the bot token is empty; set ZALO_BOT_TOKEN');
    this.token = token;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
  }

  /** Checks the token; returns the bot's identity. */
  getMe(opts?: ZaloCallOptions): Promise<ZaloBotInfo> {
    return this.call('getMe', {}, opts);
  }

  /** Long-polls for the next events (at most `timeout` seconds); Zalo answers error 408 when none came. */
  async getUpdates(params: { timeout?: number } = {}, opts: ZaloCallOptions = {}): Promise<ZaloUpdate[]> {
    const timeout = params.timeout ?? 30;
    // The local timeout must outlast the server's long poll, or every empty poll would look like a failure.
    const result = await this.call<unknown>('getUpdates', { timeout }, { ...opts, timeoutMs: (opts.timeoutMs ?? this.timeoutMs) + timeout * 1000 });
    return parseZaloUpdates(result);
  }

  /** Sets the webhook; Zalo sends `secret_token` back in the `X-Bot-Api-Secret-Token` header. */
  async setWebhook(params: { url: string; secret_token: string }, opts?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    const n = typeof params.secret_token === 'string' ? params.secret_token.length : 0;
    if (n < 8 || n > 256) {
      throw new ZaloRequestError('setWebhook', `secret_token must be 8–256 characters long (it has ${n}); choose another webhook secret (ZALO_WEBHOOK_SECRET)`);
    }
    return this.call('setWebhook', params, opts);
  }

  /** Removes the webhook (needed before getUpdates works again). */
  deleteWebhook(opts?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    return this.call('deleteWebhook', {}, opts);
  }

  /** The current webhook URL (empty when none) and when it was set. */
  getWebhookInfo(opts?: ZaloCallOptions): Promise<ZaloWebhookInfo> {
    return this.call('getWebhookInfo', {}, opts);
  }

  /** Sends a text of 1–2000 characters. */
  sendMessage(params: { chat_id: string; text: string }, opts?: ZaloCallOptions): Promise<ZaloSentMessage> {
    return this.call('sendMessage', params, opts);
  }

  /** Sends a photo by URL, with an optional caption. */
  sendPhoto(params: { chat_id: string; photo: string; caption?: string }, opts?: ZaloCallOptions): Promise<ZaloSentMessage> {
    return this.call('sendPhoto', params, opts);
  }

  /** Sends a sticker by its Zalo sticker id. */
  sendSticker(params: { chat_id: string; sticker: string }, opts?: ZaloCallOptions): Promise<ZaloSentMessage> {
    return this.call('sendSticker', params, opts);
  }

  /** Shows "typing…" in the chat. */
  sendChatAction(params: { chat_id: string; action: 'typing' }, opts?: ZaloCallOptions): Promise<unknown> {
    return this.call('sendChatAction', params, opts);
  }

  /** Calls one method and returns its `result`. */
  private async call<T>(method: string, params: object, opts: ZaloCallOptions = {}): Promise<T> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let status: number;
    let headers: Headers;
    let raw: string;
    try {
      const res = await fetch(`${this.baseUrl}/bot${this.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal,
      });
      status = res.status;
      headers = res.headers;
      raw = await res.text();
    } catch (err) {
      if (opts.signal?.aborted) throw new ZaloNetworkError(method, 'aborted');
      if (timeout.aborted) throw new ZaloNetworkError(method, 'timeout');
      throw new ZaloNetworkError(method, 'connection', this.causeCode(err));
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (status >= 200 && status < 300 && b['ok'] === true) return b['result'] as T;
    const code = typeof b['error_code'] === 'number' ? b['error_code'] : status >= 400 ? status : 500;
    const description = this.scrub(typeof b['description'] === 'string' ? b['description'] : body === undefined ? `HTTP ${status} without a JSON body` : `HTTP ${status}`);
    throw new ZaloApiError(method, code, description, status, retryAfter(b, headers));
  }

  /** The low-level code of a fetch failure (ECONNREFUSED…), never its message, which may quote the URL. */
  private causeCode(err: unknown): string | undefined {
    let e: unknown = err;
    for (let i = 0; i < 4 && e instanceof Error; i++) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string') return this.scrub(code);
      e = e.cause;
    }
    return undefined;
  }

  private scrub(s: string): string {
    return scrubText(s.split(this.token).join('[redacted]'));
  }
}

/** Seconds to wait from `parameters.retry_after`, `retry_after` or the Retry-After header. */
function retryAfter(b: Record<string, unknown>, headers: Headers): number | undefined {
  const p = b['parameters'];
  const candidates = [typeof p === 'object' && p !== null ? (p as Record<string, unknown>)['retry_after'] : undefined, b['retry_after'], headers.get('retry-after') ?? undefined];
  for (const c of candidates) {
    const n = typeof c === 'string' && c.trim() !== '' ? Number(c) : c;
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return n;
  }
  return undefined;
}
