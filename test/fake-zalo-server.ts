/**
 * A fake Zalo Bot Platform: a real HTTP server on 127.0.0.1 that behaves like
 * `https://bot-api.zaloplatforms.com` for tests and benchmarks. It checks the token, validates
 * like the real API, records what the bot sends, delivers updates by webhook or long polling,
 * and injects failures (errors, outages, slow answers, rate limits, blocked users).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

/** The API methods the fake knows. */
export type ZaloMethod =
  | 'getMe'
  | 'getUpdates'
  | 'setWebhook'
  | 'deleteWebhook'
  | 'getWebhookInfo'
  | 'sendMessage'
  | 'sendPhoto'
  | 'sendSticker'
  | 'sendChatAction';

/** One thing the bot sent (sendMessage, sendPhoto, sendSticker, sendChatAction). */
export interface FakeZaloSent {
  method: 'sendMessage' | 'sendPhoto' | 'sendSticker' | 'sendChatAction';
  chat_id: string;
  text?: string;
  photo?: string;
  caption?: string;
  sticker?: string;
  action?: string;
  /** Date.now() when it was accepted. */
  time: number;
}

/** One API call, whatever its outcome. */
export interface FakeZaloCall {
  method: string;
  status: number;
  time: number;
}

/** A raw Zalo event as the platform sends it (`{event_name, message}`). */
export interface FakeZaloEvent {
  event_name: string;
  message: Record<string, unknown>;
}

/** Options of the update helpers. */
export interface FakeUpdateOptions {
  /** Sender name (default "Lan"). */
  name?: string;
  /** Which field carries the name; published samples differ (default display_name). */
  nameField?: 'display_name' | 'first_name' | 'name';
  /** Defaults to the user id (private chat). */
  chatId?: string;
  chatType?: 'PRIVATE' | 'GROUP';
  /** Milliseconds; default now. */
  date?: number;
  /** Default: the next id of an increasing sequence. */
  messageId?: string;
}

interface Failure {
  status: number;
  body?: unknown;
  methods?: string[];
}

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendSticker', 'sendChatAction']);
const METHODS = new Set<string>(['getMe', 'getUpdates', 'setWebhook', 'deleteWebhook', 'getWebhookInfo', ...SEND_METHODS]);

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request timeout',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** A fake Zalo Bot Platform over real HTTP; `start()` gives the base URL to hand to the Zalo client. */
export class FakeZaloServer {
  /** The bot token the fake accepts. */
  readonly token: string;
  /** Everything the bot sent, in order. */
  readonly sent: FakeZaloSent[] = [];
  /** Every API call with the status answered. */
  readonly calls: FakeZaloCall[] = [];
  /** How many 429s were answered (by the rate limiter or injected). */
  rateLimitedCount = 0;
  /** The current webhook (empty URL when none). */
  webhook = { url: '', secret: '', updated_at: 0 };

  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private url = '';
  private readonly queue: FakeZaloEvent[] = [];
  private readonly waiters = new Set<(u: FakeZaloEvent | undefined) => boolean>();
  private readonly failures: Failure[] = [];
  private outage: { until: number; status: number; methods?: string[] } | undefined;
  private delayMs = 0;
  private perSecond = 0;
  private readonly window: number[] = [];
  private readonly blocked = new Set<string>();
  private nextMessageId = 1;
  private readonly idPrefix = randomBytes(6).toString('hex');
  private readonly sentHooks = new Set<(m: FakeZaloSent) => void>();

  constructor(opts: { token?: string } = {}) {
    this.token = opts.token ?? `${Math.floor(1e17 + Math.random() * 8e17)}:${randomBytes(24).toString('base64url')}`;
  }

  /** Starts listening on 127.0.0.1 on a free port; resolves with the base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** The base URL (after start). */
  get baseUrl(): string {
    return this.url;
  }

  /** Closes the server and every socket, ending pending long polls. */
  async stop(): Promise<void> {
    for (const w of [...this.waiters]) w(undefined);
    this.waiters.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /**
   * Emits an event as Zalo would: with a webhook set, POSTs the envelope `{ok:true,result}` to it
   * with the secret header and resolves with the HTTP status; otherwise queues it for getUpdates.
   */
  async pushUpdate(update: FakeZaloEvent | Record<string, unknown>): Promise<number | 'queued'> {
    if (this.webhook.url) {
      const res = await fetch(this.webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Bot-Api-Secret-Token': this.webhook.secret },
        body: JSON.stringify({ ok: true, result: update }),
      });
      await res.arrayBuffer();
      return res.status;
    }
    const event = update as FakeZaloEvent;
    for (const w of this.waiters) {
      this.waiters.delete(w);
      if (w(event)) return 'queued';
    }
    this.queue.push(event);
    return 'queued';
  }

  /** Calls `listener` with everything accepted from now on (benchmarks match replies without scanning `sent`); returns its remover. */
  onSent(listener: (m: FakeZaloSent) => void): () => void {
    this.sentHooks.add(listener);
    return () => this.sentHooks.delete(listener);
  }

  /** Updates waiting for getUpdates. */
  get pending(): number {
    return this.queue.length;
  }

  /** getUpdates calls waiting for an update right now. */
  get waitingPolls(): number {
    return this.waiters.size;
  }

  /** A private (or, with opts.chatId/chatType, group) text event. */
  textUpdate(userId: string, text: string, opts: FakeUpdateOptions = {}): FakeZaloEvent {
    return this.event('message.text.received', userId, opts, { text });
  }

  /** A photo event. */
  imageUpdate(userId: string, opts: FakeUpdateOptions & { photo?: string; caption?: string } = {}): FakeZaloEvent {
    return this.event('message.image.received', userId, opts, {
      photo: opts.photo ?? 'https://photo-stal.zadn.vn/sample.jpg',
      ...(opts.caption !== undefined ? { caption: opts.caption } : {}),
    });
  }

  /** A sticker event. */
  stickerUpdate(userId: string, opts: FakeUpdateOptions & { sticker?: string } = {}): FakeZaloEvent {
    return this.event('message.sticker.received', userId, opts, { sticker: opts.sticker ?? 'bfe458bf64fa8da4d4eb', url: 'https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=1' });
  }

  /** A text event in a group chat (GROUP is Beta on Zalo). */
  groupTextUpdate(groupId: string, userId: string, text: string, opts: FakeUpdateOptions = {}): FakeZaloEvent {
    return this.event('message.text.received', userId, { ...opts, chatId: groupId, chatType: 'GROUP' }, { text });
  }

  /** An event with any name (e.g. message.unsupported.received, message.voice.received). */
  otherUpdate(eventName: string, userId: string, opts: FakeUpdateOptions = {}, extra: Record<string, unknown> = {}): FakeZaloEvent {
    return this.event(eventName, userId, opts, extra);
  }

  /** The next `n` calls (of `methods`, default all) answer `status` with `body` (default `{ok:false,…}`). */
  failNext(n: number, status: number, body?: unknown, methods?: ZaloMethod[]): void {
    for (let i = 0; i < n; i++) this.failures.push({ status, ...(body !== undefined ? { body } : {}), ...(methods ? { methods } : {}) });
  }

  /** Every call (of `methods`, default all) answers `status` for the next `ms` milliseconds. */
  failFor(ms: number, status: number, methods?: ZaloMethod[]): void {
    this.outage = { until: Date.now() + ms, status, ...(methods ? { methods } : {}) };
  }

  /** Every answer is delayed by `ms` (0 turns it off). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** At most `perSecond` sends in any one-second window (0 turns it off); more answer 429 with `parameters.retry_after`. */
  rateLimit(perSecond: number): void {
    this.perSecond = perSecond;
    this.window.length = 0;
  }

  /** Sends to this chat answer 403 "user blocked the bot". */
  blockUser(chatId: string): void {
    this.blocked.add(chatId);
  }

  /** Clears failures, delays, rate limits, blocks, records and queued updates. */
  reset(): void {
    this.sent.length = 0;
    this.calls.length = 0;
    this.failures.length = 0;
    this.outage = undefined;
    this.delayMs = 0;
    this.perSecond = 0;
    this.window.length = 0;
    this.blocked.clear();
    this.queue.length = 0;
    this.rateLimitedCount = 0;
  }

  private event(eventName: string, userId: string, opts: FakeUpdateOptions, content: Record<string, unknown>): FakeZaloEvent {
    const chatId = opts.chatId ?? userId;
    return {
      event_name: eventName,
      message: {
        from: { id: userId, [opts.nameField ?? 'display_name']: opts.name ?? 'Lan', is_bot: false },
        chat: { id: chatId, chat_type: opts.chatType ?? (chatId === userId ? 'PRIVATE' : 'GROUP') },
        ...content,
        message_id: opts.messageId ?? `${this.idPrefix}${(this.nextMessageId++).toString(16).padStart(8, '0')}`,
        date: opts.date ?? Date.now(),
      },
    };
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    const method = match?.[2] ?? '?';
    const answer = (status: number, body: unknown) => {
      this.calls.push({ method, status, time: Date.now() });
      if (status === 429) this.rateLimitedCount++;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, description = DESCRIPTIONS[status] ?? 'Error', extra: object = {}) =>
      answer(status, { ok: false, error_code: status, description, ...extra });

    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (req.method !== 'POST') return fail(405, 'Method Not Allowed');
    if (!match || safeDecode(match[1]!) !== this.token) return fail(401, 'Unauthorized');
    if (!METHODS.has(method)) return fail(404, `Not Found: method ${method}`);
    let p: Record<string, unknown> = {};
    const raw = Buffer.concat(chunks).toString('utf8');
    if (raw.trim()) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail(400, 'Bad Request: body must be a JSON object');
        p = parsed as Record<string, unknown>;
      } catch {
        return fail(400, 'Bad Request: invalid JSON');
      }
    }

    const applies = (methods?: string[]) => !methods || methods.includes(method);
    if (this.outage && Date.now() < this.outage.until && applies(this.outage.methods)) return fail(this.outage.status);
    const i = this.failures.findIndex((f) => applies(f.methods));
    if (i >= 0) {
      const f = this.failures.splice(i, 1)[0]!;
      return f.body !== undefined ? answer(f.status, f.body) : fail(f.status);
    }

    if (SEND_METHODS.has(method)) return this.onSend(method as FakeZaloSent['method'], p, answer, fail);
    switch (method) {
      case 'getMe':
        return answer(200, { ok: true, result: { id: this.token.split(':')[0], account_name: 'bot.donghanh', account_type: 'BASIC', can_join_groups: false } });
      case 'setWebhook': {
        const url = p['url'];
        const secret = p['secret_token'];
        if (typeof url !== 'string' || !/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost)[:/])/.test(url)) return fail(400, 'Bad Request: url must be an HTTPS URL');
        if (typeof secret !== 'string' || secret.length < 8 || secret.length > 256) return fail(400, 'Bad Request: secret_token must be 8-256 characters');
        this.webhook = { url, secret, updated_at: Date.now() };
        return answer(200, { ok: true, result: { url, updated_at: this.webhook.updated_at } });
      }
      case 'deleteWebhook':
        this.webhook = { url: '', secret: '', updated_at: Date.now() };
        return answer(200, { ok: true, result: { url: '', updated_at: this.webhook.updated_at } });
      case 'getWebhookInfo':
        return answer(200, { ok: true, result: { url: this.webhook.url, updated_at: this.webhook.updated_at } });
      case 'getUpdates':
        return this.onGetUpdates(p, req, res, answer, fail);
    }
  }

  private onSend(
    method: FakeZaloSent['method'],
    p: Record<string, unknown>,
    answer: (status: number, body: unknown) => void,
    fail: (status: number, description?: string, extra?: object) => void,
  ): void {
    const chatId = p['chat_id'];
    if (typeof chatId !== 'string' || chatId.length === 0) return fail(400, 'Bad Request: chat_id is required');
    const record: FakeZaloSent = { method, chat_id: chatId, time: Date.now() };
    // Zalo counts characters as JavaScript and Java do (UTF-16 units): the stricter reading.
    const textOk = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 2000;
    if (method === 'sendMessage') {
      if (!textOk(p['text'])) return fail(400, 'Bad Request: text must be 1-2000 characters');
      record.text = p['text'] as string;
    } else if (method === 'sendPhoto') {
      if (typeof p['photo'] !== 'string' || !/^https?:\/\//.test(p['photo'])) return fail(400, 'Bad Request: photo must be a URL');
      if (p['caption'] !== undefined && !textOk(p['caption'])) return fail(400, 'Bad Request: caption must be 1-2000 characters');
      record.photo = p['photo'];
      if (typeof p['caption'] === 'string') record.caption = p['caption'];
    } else if (method === 'sendSticker') {
      if (typeof p['sticker'] !== 'string' || p['sticker'].length === 0) return fail(400, 'Bad Request: sticker is required');
      record.sticker = p['sticker'];
    } else {
      if (p['action'] !== 'typing') return fail(400, 'Bad Request: action must be typing');
      record.action = 'typing';
    }
    if (this.blocked.has(chatId)) return fail(403, 'Forbidden: user blocked the bot');
    if (this.perSecond > 0) {
      const now = Date.now();
      while (this.window.length > 0 && this.window[0]! <= now - 1000) this.window.shift();
      if (this.window.length >= this.perSecond) {
        const retryAfter = Math.max(1, Math.ceil((this.window[0]! + 1000 - now) / 1000));
        return fail(429, 'Too Many Requests', { parameters: { retry_after: retryAfter } });
      }
      this.window.push(now);
    }
    this.sent.push(record);
    for (const h of this.sentHooks) h(record);
    if (method === 'sendChatAction') return answer(200, { ok: true });
    return answer(200, { ok: true, result: { message_id: `${this.idPrefix}${(this.nextMessageId++).toString(16).padStart(8, '0')}`, date: record.time } });
  }

  private onGetUpdates(
    p: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
    answer: (status: number, body: unknown) => void,
    fail: (status: number, description?: string) => void,
  ): void {
    if (this.webhook.url) return fail(409, 'Conflict: getUpdates is not available while a webhook is set; delete the webhook first');
    const gone = () => req.socket.destroyed || res.destroyed;
    // A poller that went away (stopped polling) must not swallow an update: the fake keeps it
    // for the next poller, so tests stay deterministic around stop().
    const deliver = (u: FakeZaloEvent) => {
      res.once('close', () => {
        if (!res.writableFinished) this.queue.unshift(u);
      });
      // Like the published samples, `result` is ONE update, not an array.
      answer(200, { ok: true, result: u });
    };
    if (gone()) return;
    const next = this.queue.shift();
    if (next) return deliver(next);
    const t = Number(p['timeout'] ?? 30);
    const seconds = Number.isFinite(t) ? Math.min(Math.max(t, 0), 60) : 30;
    let done = false;
    const finish = (u: FakeZaloEvent | undefined): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      this.waiters.delete(finish);
      if (gone()) return false;
      if (u) deliver(u);
      else fail(408, 'Request timeout');
      return true;
    };
    const timer = setTimeout(() => finish(undefined), seconds * 1000);
    res.once('close', () => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        this.waiters.delete(finish);
      }
    });
    this.waiters.add(finish);
  }
}
