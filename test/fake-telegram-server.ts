/**
 * A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that grammY talks to through
 * `client.apiRoot`. It records what bots send, delivers updates by webhook or getUpdates, and
 * misbehaves on request (errors, 429 with retry_after, slow answers, blocked users) the way
 * Telegram does, so adapters are tested over real sockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackQuery, Chat, Message, Update, User, UserFromGetMe } from 'grammy/types';

/** One message a bot sent (sendMessage or sendPhoto), as the fake received it. */
export interface SentMessage {
  method: 'sendMessage' | 'sendPhoto';
  chat_id: string;
  message_id: number;
  text?: string;
  parse_mode?: string;
  photo?: string;
  caption?: string;
  reply_markup?: unknown;
  /** Milliseconds since the epoch when the fake accepted it. */
  time: number;
}

/** One API call as received (method and parsed parameters). */
export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
}

/** Options of the person sending a fake update. */
export interface FakeUserOptions {
  chatId?: number;
  firstName?: string;
  lastName?: string;
  languageCode?: string;
  /** Seconds since the epoch; defaults to now. */
  date?: number;
}

interface Failure {
  status: number;
  description: string;
  retryAfter?: number;
  method?: string;
}

interface Waiter {
  res: ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

/** Methods that put something in a chat: the ones rate limits, blocks and flood control apply to. */
const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendSticker', 'sendDocument', 'sendChatAction']);

/** HTML tags Telegram's parse mode accepts. */
const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'tg-spoiler', 'span', 'blockquote', 'tg-emoji']);

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

/** A fake Telegram Bot API server for one bot token. */
export class FakeTelegramServer {
  /** Every sendMessage / sendPhoto accepted, in order. */
  readonly sent: SentMessage[] = [];
  /** Every API call received (also failed ones), in order. */
  readonly calls: ApiCall[] = [];
  /** Ids of callback queries the bot answered. */
  readonly answeredCallbackQueries: string[] = [];
  /** How many 429 answers the fake gave. */
  tooManyRequests = 0;
  /** The webhook set by the bot, if any. */
  webhook: { url: string; secretToken?: string; allowedUpdates?: string[] } | undefined;
  readonly botInfo: UserFromGetMe = {
    id: 7000000001,
    is_bot: true,
    first_name: 'Fake bot',
    username: 'fake_dong_hanh_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
  } as UserFromGetMe;

  private server: Server | undefined;
  private apiRoot = '';
  private queue: Update[] = [];
  private allowedForPolling: string[] | undefined;
  private waiters = new Set<Waiter>();
  private nextUpdateId = 100_000;
  private nextMessageId = 1;
  private pendingCallbackQueries = new Set<string>();
  private failures: Failure[] = [];
  private failUntil: { until: number; status: number; method?: string } | undefined;
  private delayMs = 0;
  /** Send calls being answered now, per chat, and the most there ever were at once. */
  private readonly inFlight = new Map<string, number>();
  readonly mostInFlight = new Map<string, number>();
  private delayMethod: string | undefined;
  private drops = 0;
  private perSecond: number | undefined;
  private window: number[] = [];
  private blocked = new Set<string>();
  private sentListeners = new Set<() => void>();
  private sentHooks = new Set<(m: SentMessage) => void>();

  constructor(readonly token = '123456789:FAKE-token-for-tests_abcdefghij') {}

  /** Starts listening on a free port of 127.0.0.1 and returns the apiRoot for grammY. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.apiRoot;
  }

  /** Closes the server, its sockets and any waiting getUpdates call. */
  async stop(): Promise<void> {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      if (!w.res.writableEnded) w.res.destroy();
    }
    this.waiters.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Delivers an update: POSTs it to the webhook (resolving with the HTTP status) or queues it for getUpdates (resolving undefined). */
  async pushUpdate(update: Update): Promise<number | undefined> {
    if (update.callback_query) this.pendingCallbackQueries.add(update.callback_query.id);
    const hook = this.webhook;
    if (!hook) {
      this.queue.push(update);
      this.wakeWaiters();
      return undefined;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secretToken) headers['x-telegram-bot-api-secret-token'] = hook.secretToken;
    const res = await fetch(hook.url, { method: 'POST', headers, body: JSON.stringify(update) });
    await res.arrayBuffer();
    return res.status;
  }

  /** A private text message from `userId`. */
  textUpdate(userId: number, text: string, opts: FakeUserOptions = {}): Update {
    const from = this.user(userId, opts);
    const chat: Chat = { id: opts.chatId ?? userId, type: 'private', first_name: from.first_name };
    return { update_id: this.nextUpdateId++, message: this.message(from, chat, opts, { text }) };
  }

  /** A tap on an inline button with `data`, under message `messageId` (default: the last message sent to that user). */
  callbackUpdate(userId: number, data: string, messageId?: number, opts: FakeUserOptions = {}): Update {
    const from = this.user(userId, opts);
    const chatId = opts.chatId ?? userId;
    const under = [...this.sent].reverse().find((m) => m.chat_id === String(chatId) && (messageId === undefined || m.message_id === messageId));
    const message = {
      message_id: messageId ?? under?.message_id ?? 1,
      date: Math.floor((under?.time ?? Date.now()) / 1000),
      chat: { id: chatId, type: 'private', first_name: from.first_name },
      from: this.botInfo,
      text: under?.text ?? '…',
    } as Message;
    const id = String(this.nextUpdateId * 1000 + 7);
    const callback_query: CallbackQuery = { id, from, chat_instance: `ci-${chatId}`, message, data };
    return { update_id: this.nextUpdateId++, callback_query };
  }

  /** A private photo message, optionally with a caption. */
  photoUpdate(userId: number, caption?: string, opts: FakeUserOptions = {}): Update {
    const from = this.user(userId, opts);
    const chat: Chat = { id: opts.chatId ?? userId, type: 'private', first_name: from.first_name };
    const photo = [{ file_id: 'AgAC-photo', file_unique_id: 'AQAD-photo', width: 90, height: 90 }];
    return { update_id: this.nextUpdateId++, message: this.message(from, chat, opts, caption === undefined ? { photo } : { photo, caption }) };
  }

  /** A private sticker message. */
  stickerUpdate(userId: number, opts: FakeUserOptions = {}): Update {
    const from = this.user(userId, opts);
    const chat: Chat = { id: opts.chatId ?? userId, type: 'private', first_name: from.first_name };
    const sticker = { file_id: 'CAAC-sticker', file_unique_id: 'AgAD-sticker', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '👍' };
    return { update_id: this.nextUpdateId++, message: this.message(from, chat, opts, { sticker } as Partial<Message>) };
  }

  /** A text message from `userId` in the group `groupId` (a negative id, as Telegram gives groups). */
  groupTextUpdate(groupId: number, userId: number, text: string, opts: FakeUserOptions = {}): Update {
    const from = this.user(userId, opts);
    const chat: Chat = { id: groupId, type: 'supergroup', title: 'Group' };
    return { update_id: this.nextUpdateId++, message: this.message(from, chat, opts, { text }) };
  }

  /** Any other update kind (edited_message, my_chat_member, …) with the next update_id. */
  rawUpdate(fields: Omit<Update, 'update_id'>): Update {
    return { update_id: this.nextUpdateId++, ...fields } as Update;
  }

  /** The next `n` calls (of `method`, or of any method) fail with this status and description. */
  failNext(n: number, status: number, description: string, retryAfter?: number, method?: string): void {
    for (let i = 0; i < n; i++) this.failures.push({ status, description, retryAfter, method });
  }

  /** For the next `ms` milliseconds every call (of `method`, or of any method) fails with `status`. */
  failFor(ms: number, status: number, method?: string): void {
    this.failUntil = { until: Date.now() + ms, status, method };
  }

  /** Answers every call (of `method`, or of any method) `ms` milliseconds late; 0 turns it off. */
  delay(ms: number, method?: string): void {
    this.delayMs = ms;
    this.delayMethod = method;
  }

  /** Drops the connection of the next `n` calls without answering (a network failure). */
  dropNext(n: number): void {
    this.drops += n;
  }

  /** Allows at most `perSecond` send calls in any one-second window, answering 429 with retry_after beyond; undefined lifts it. */
  rateLimit(perSecond: number | undefined): void {
    this.perSecond = perSecond;
    this.window = [];
  }

  /** Sends to `chatId` fail with 403 "Forbidden: bot was blocked by the user". */
  blockUser(chatId: number | string): void {
    this.blocked.add(String(chatId));
  }

  /** The person unblocked the bot: sends to `chatId` succeed again. */
  unblockUser(chatId: number | string): void {
    this.blocked.delete(String(chatId));
  }

  /** Resolves once at least `n` messages were sent; rejects after `timeoutMs` so a broken test fails instead of hanging. */
  waitForSent(n: number, timeoutMs = 10_000): Promise<SentMessage[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.sent.length < n) return false;
        clearTimeout(timer);
        this.sentListeners.delete(listener);
        resolve(this.sent.slice());
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.sentListeners.delete(listener);
        reject(new Error(`fake Telegram: expected ${n} sent messages, got ${this.sent.length} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.sentListeners.add(listener);
    });
  }

  /** Calls `listener` with each message accepted from now on (benchmarks match replies without scanning `sent`); returns its remover. */
  onSent(listener: (m: SentMessage) => void): () => void {
    this.sentHooks.add(listener);
    return () => this.sentHooks.delete(listener);
  }

  /** Updates queued for getUpdates and not yet confirmed. */
  get pendingUpdates(): readonly Update[] {
    return this.queue;
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      if (!m) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      const [, token, method] = m as unknown as [string, string, string];
      const params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
      this.calls.push({ method, params });
      if (token !== this.token) return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      if (this.drops > 0) {
        this.drops--;
        req.socket.destroy();
        return;
      }
      const chat = method === 'sendMessage' || method === 'sendPhoto' ? String(params.chat_id) : undefined;
      if (chat !== undefined) {
        const now = (this.inFlight.get(chat) ?? 0) + 1;
        this.inFlight.set(chat, now);
        this.mostInFlight.set(chat, Math.max(now, this.mostInFlight.get(chat) ?? 0));
        res.once('close', () => this.inFlight.set(chat, this.inFlight.get(chat)! - 1));
      }
      if (this.delayMs > 0 && (!this.delayMethod || this.delayMethod === method)) await sleep(this.delayMs);
      const failure = this.takeFailure(method);
      if (failure) return this.fail(res, failure.status, failure.description, failure.retryAfter);
      if (SEND_METHODS.has(method)) {
        const limited = this.rateLimited();
        if (limited !== undefined) return this.fail(res, 429, `Too Many Requests: retry after ${limited}`, limited);
        if (this.blocked.has(String(params.chat_id))) return this.fail(res, 403, 'Forbidden: bot was blocked by the user');
      }
      await this.dispatch(method, params, res);
    } catch (err) {
      if (!res.headersSent) this.fail(res, 400, `Bad Request: ${(err as Error).message}`);
    }
  }

  private async dispatch(method: string, p: Record<string, unknown>, res: ServerResponse): Promise<void> {
    switch (method) {
      case 'getMe':
        return this.ok(res, this.botInfo);
      case 'sendMessage':
        return this.sendMessage(p, res);
      case 'sendPhoto':
        return this.sendPhoto(p, res);
      case 'sendChatAction':
        return this.ok(res, true);
      case 'answerCallbackQuery': {
        const id = String(p.callback_query_id ?? '');
        if (!this.pendingCallbackQueries.delete(id)) {
          return this.fail(res, 400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        }
        this.answeredCallbackQueries.push(id);
        return this.ok(res, true);
      }
      case 'setWebhook':
        return this.setWebhook(p, res);
      case 'deleteWebhook':
        this.webhook = undefined;
        if (isTrue(p.drop_pending_updates)) this.queue = [];
        return this.ok(res, true);
      case 'getWebhookInfo':
        return this.ok(res, {
          url: this.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.queue.length,
          ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}),
        });
      case 'getUpdates':
        return this.getUpdates(p, res);
      default:
        return this.fail(res, 404, 'Not Found: method not found');
    }
  }

  private sendMessage(p: Record<string, unknown>, res: ServerResponse): void {
    if (p.chat_id === undefined || p.chat_id === '') return this.fail(res, 400, 'Bad Request: chat_id is empty');
    const raw = typeof p.text === 'string' ? p.text : '';
    const parsed = p.parse_mode === 'HTML' ? parseHtml(raw) : { plain: raw };
    if ('error' in parsed) return this.fail(res, 400, `Bad Request: can't parse entities: ${parsed.error}`);
    if (parsed.plain.trim().length === 0) return this.fail(res, 400, 'Bad Request: message text is empty');
    if (parsed.plain.length > 4096) return this.fail(res, 400, 'Bad Request: message is too long');
    const markupError = checkMarkup(p.reply_markup);
    if (markupError) return this.fail(res, 400, markupError);
    const sent = this.record({ method: 'sendMessage', chat_id: String(p.chat_id), text: raw, parse_mode: p.parse_mode as string | undefined, reply_markup: p.reply_markup });
    this.ok(res, this.botMessage(sent, { text: parsed.plain }));
  }

  private sendPhoto(p: Record<string, unknown>, res: ServerResponse): void {
    if (p.chat_id === undefined || p.chat_id === '') return this.fail(res, 400, 'Bad Request: chat_id is empty');
    if (typeof p.photo !== 'string' || p.photo === '') return this.fail(res, 400, 'Bad Request: there is no photo in the request');
    // A file_id this bot never received, or one that expired, as Telegram answers it (tests use the "BAD-" prefix).
    if (p.photo.startsWith('BAD-')) return this.fail(res, 400, 'Bad Request: wrong file identifier/HTTP URL specified');
    const caption = typeof p.caption === 'string' ? p.caption : undefined;
    const parsed = caption === undefined ? undefined : p.parse_mode === 'HTML' ? parseHtml(caption) : { plain: caption };
    if (parsed && 'error' in parsed) return this.fail(res, 400, `Bad Request: can't parse entities: ${parsed.error}`);
    if (parsed && parsed.plain.length > 1024) return this.fail(res, 400, 'Bad Request: message caption is too long');
    const markupError = checkMarkup(p.reply_markup);
    if (markupError) return this.fail(res, 400, markupError);
    const sent = this.record({ method: 'sendPhoto', chat_id: String(p.chat_id), photo: p.photo, caption, parse_mode: p.parse_mode as string | undefined, reply_markup: p.reply_markup });
    const photo = [{ file_id: 'AgAC-sent', file_unique_id: 'AQAD-sent', width: 90, height: 90 }];
    this.ok(res, this.botMessage(sent, parsed === undefined ? { photo } : { photo, caption: parsed.plain }));
  }

  private setWebhook(p: Record<string, unknown>, res: ServerResponse): void {
    const url = typeof p.url === 'string' ? p.url : '';
    const secret = typeof p.secret_token === 'string' ? p.secret_token : undefined;
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      return this.fail(res, 400, 'Bad Request: secret token contains unallowed characters');
    }
    if (url === '') {
      this.webhook = undefined;
      return this.ok(res, true);
    }
    if (!/^https?:\/\//.test(url)) return this.fail(res, 400, 'Bad Request: bad webhook: invalid webhook URL specified');
    const allowed = typeof p.allowed_updates === 'string' ? JSON.parse(p.allowed_updates) : p.allowed_updates;
    this.webhook = { url, ...(secret ? { secretToken: secret } : {}), ...(Array.isArray(allowed) ? { allowedUpdates: allowed as string[] } : {}) };
    if (isTrue(p.drop_pending_updates)) this.queue = [];
    // Telegram ends a waiting getUpdates call when a webhook is set.
    for (const w of this.waiters) this.endWaiter(w, 409, 'Conflict: terminated by setWebhook request');
    this.ok(res, true);
  }

  private getUpdates(p: Record<string, unknown>, res: ServerResponse): void {
    if (this.webhook) return this.fail(res, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    // Only one getUpdates at a time: Telegram ends the older one.
    for (const w of this.waiters) this.endWaiter(w, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeout = Math.max(0, Number(p.timeout ?? 0));
    const allowed = typeof p.allowed_updates === 'string' ? JSON.parse(p.allowed_updates) : p.allowed_updates;
    if (Array.isArray(allowed)) this.allowedForPolling = allowed.length > 0 ? (allowed as string[]) : undefined;
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset); // confirms earlier updates
    const ready = this.available(offset, limit);
    if (ready.length > 0 || timeout === 0) return this.ok(res, ready);
    const waiter: Waiter = { res, offset, limit, timer: setTimeout(() => this.endWaiter(waiter), timeout * 1000) };
    this.waiters.add(waiter);
    res.on('close', () => {
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
    });
  }

  private available(offset: number, limit: number): Update[] {
    // Telegram never stores updates of kinds the bot did not ask for.
    const allowed = this.allowedForPolling;
    if (allowed) this.queue = this.queue.filter((u) => Object.keys(u).some((k) => k !== 'update_id' && allowed.includes(k)));
    return this.queue.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  private wakeWaiters(): void {
    for (const w of this.waiters) {
      const ready = this.available(w.offset, w.limit);
      if (ready.length > 0) this.endWaiter(w, 200, undefined, ready);
    }
  }

  private endWaiter(w: Waiter, status = 200, description?: string, updates: Update[] = []): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
    if (w.res.writableEnded || w.res.destroyed) return;
    if (status === 200) this.ok(w.res, updates);
    else this.fail(w.res, status, description ?? DESCRIPTIONS[status] ?? 'Error');
  }

  private takeFailure(method: string): Failure | undefined {
    const i = this.failures.findIndex((f) => !f.method || f.method === method);
    if (i >= 0) return this.failures.splice(i, 1)[0];
    const span = this.failUntil;
    if (span && Date.now() < span.until && (!span.method || span.method === method)) {
      return { status: span.status, description: DESCRIPTIONS[span.status] ?? 'Error', retryAfter: span.status === 429 ? 1 : undefined };
    }
    return undefined;
  }

  /** Seconds to wait when the sliding one-second window is full, else undefined (and the call is counted). */
  private rateLimited(): number | undefined {
    if (this.perSecond === undefined) return undefined;
    const now = Date.now();
    this.window = this.window.filter((t) => now - t < 1000);
    if (this.window.length < this.perSecond) {
      this.window.push(now);
      return undefined;
    }
    const oldest = this.window[0] ?? now;
    return Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
  }

  private record(m: Omit<SentMessage, 'message_id' | 'time'>): SentMessage {
    const sent = Object.fromEntries(Object.entries({ ...m, message_id: this.nextMessageId++, time: Date.now() }).filter(([, v]) => v !== undefined)) as unknown as SentMessage;
    this.sent.push(sent);
    for (const l of [...this.sentListeners]) l();
    for (const h of this.sentHooks) h(sent);
    return sent;
  }

  private botMessage(sent: SentMessage, content: Partial<Message>): Message {
    const id = Number(sent.chat_id);
    const chat = (id < 0 ? { id, type: 'supergroup', title: 'Group' } : { id, type: 'private', first_name: 'User' }) as Chat;
    return { message_id: sent.message_id, date: Math.floor(sent.time / 1000), chat, from: this.botInfo, ...content } as Message;
  }

  private user(userId: number, o: FakeUserOptions): User {
    const u: User = { id: userId, is_bot: false, first_name: o.firstName ?? 'Lan' };
    if (o.lastName) u.last_name = o.lastName;
    u.language_code = o.languageCode ?? 'vi';
    return u;
  }

  private message(from: User, chat: Chat, o: FakeUserOptions, content: Partial<Message>): NonNullable<Update['message']> {
    return { message_id: this.nextMessageId++, date: o.date ?? Math.floor(Date.now() / 1000), chat, from, ...content } as NonNullable<Update['message']>;
  }

  private ok(res: ServerResponse, result: unknown): void {
    this.reply(res, 200, { ok: true, result });
  }

  private fail(res: ServerResponse, status: number, description: string, retryAfter?: number): void {
    if (status === 429) this.tooManyRequests++;
    const body: Record<string, unknown> = { ok: false, error_code: status, description };
    if (retryAfter !== undefined) body.parameters = { retry_after: retryAfter };
    this.reply(res, status, body);
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

// ---- request parsing ----------------------------------------------------------------------

/** Reads a JSON, url-encoded or multipart body into parameters (JSON-encoded fields decoded). */
async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return {};
  const type = req.headers['content-type'] ?? '';
  let params: Record<string, unknown>;
  if (type.startsWith('application/json')) {
    params = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (params === null || typeof params !== 'object') throw new Error('request body must be a JSON object');
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  } else if (type.startsWith('multipart/form-data')) {
    params = parseMultipart(body, /boundary=(?:"([^"]+)"|([^;]+))/.exec(type)?.slice(1).find(Boolean) ?? '');
  } else {
    throw new Error(`unsupported content type ${type || '(none)'}`);
  }
  // Form bodies carry objects as JSON strings, as Telegram expects.
  for (const key of ['reply_markup', 'allowed_updates']) {
    const v = params[key];
    if (typeof v === 'string' && /^[[{]/.test(v)) params[key] = JSON.parse(v);
  }
  return params;
}

/** Minimal multipart/form-data reader: text fields by name; file fields as `attach://<name>`-like markers. */
function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const text = body.toString('latin1');
  for (const section of text.split(`--${boundary}`)) {
    const end = section.indexOf('\r\n\r\n');
    if (end < 0) continue;
    const head = section.slice(0, end);
    const name = /name="([^"]*)"/.exec(head)?.[1];
    if (!name) continue;
    const value = section.slice(end + 4).replace(/\r\n$/, '');
    out[name] = /filename="/.test(head) ? `file:${name}` : Buffer.from(value, 'latin1').toString('utf8');
  }
  return out;
}

/** Parses Telegram HTML into its plain text, or says why Telegram would reject it. */
function parseHtml(html: string): { plain: string } | { error: string } {
  const stack: string[] = [];
  let plain = '';
  const re = /<(\/?)([a-zA-Z-]*)(?:\s[^<>]*)?>|<|&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|[^<&]+|&/g;
  for (const m of html.matchAll(re)) {
    const [token, closing, tag, entity] = m;
    if (token.startsWith('<')) {
      if (tag === undefined || token === '<') return { error: `Unexpected end of name token at byte offset ${m.index}` };
      const name = tag.toLowerCase();
      if (!HTML_TAGS.has(name)) return { error: `Unsupported start tag "${name}" at byte offset ${m.index}` };
      if (closing) {
        if (stack.pop() !== name) return { error: `Unexpected end tag at byte offset ${m.index}` };
      } else stack.push(name);
    } else if (entity !== undefined) {
      plain += decodeEntity(entity) ?? token;
    } else plain += token;
  }
  if (stack.length > 0) return { error: `Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"` };
  return { plain };
}

function decodeEntity(e: string): string | undefined {
  if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
  if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
  return ({ lt: '<', gt: '>', amp: '&', quot: '"' } as Record<string, string>)[e];
}

/** Telegram's checks on an inline keyboard that matter here (callback_data 1–64 bytes). */
function checkMarkup(markup: unknown): string | undefined {
  if (markup === undefined) return undefined;
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (rows === undefined) return undefined;
  if (!Array.isArray(rows)) return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array';
  for (const row of rows) {
    if (!Array.isArray(row)) return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays';
    for (const b of row as { text?: unknown; callback_data?: unknown }[]) {
      if (typeof b.text !== 'string' || b.text === '') return 'Bad Request: text buttons are unallowed in the inline keyboard';
      if (b.callback_data !== undefined) {
        const bytes = typeof b.callback_data === 'string' ? Buffer.byteLength(b.callback_data, 'utf8') : 0;
        if (bytes < 1 || bytes > 64) return 'Bad Request: BUTTON_DATA_INVALID';
      }
    }
  }
  return undefined;
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
