import { GrammyError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { maskUrlPassword, scrubError, scrubText } from './log-scrub.js';
import { createLogger } from './logger.js';

const TG_TOKEN = '123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ms';
const ZALO_TOKEN = '3419087551246787465:pQqsJXMnJHQoUTdbZlbcEXPtSvPhYJIrAKylDOuHxzvCqhDmrMUCDkKPBqrmDohq';

describe('scrubText', () => {
  it('removes the token from a Telegram API URL, keeping the method', () => {
    const s = scrubText(`request to https://api.telegram.org/bot${TG_TOKEN}/sendMessage failed, reason: ECONNRESET`);
    expect(s).toBe('request to https://api.telegram.org/bot[redacted]/sendMessage failed, reason: ECONNRESET');
    expect(scrubText(`GET https://api.telegram.org/file/bot${TG_TOKEN}/photos/file_7.jpg`)).toBe('GET https://api.telegram.org/file/bot[redacted]/photos/file_7.jpg');
  });

  it('removes the token from a Zalo Bot Platform URL, also without a method after it', () => {
    expect(scrubText(`fetch failed: POST https://bot-api.zaloplatforms.com/bot${ZALO_TOKEN}/getUpdates`)).toBe('fetch failed: POST https://bot-api.zaloplatforms.com/bot[redacted]/getUpdates');
    expect(scrubText(`url=https://bot-api.zaloplatforms.com/bot${ZALO_TOKEN}?x=1`)).not.toContain(ZALO_TOKEN);
  });

  it('removes a bare token, a secret in key=value form, a Bearer credential and a URL password', () => {
    expect(scrubText(`token ${TG_TOKEN} was refused`)).toBe('token [redacted] was refused');
    expect(scrubText('setWebhook {"url":"https://x.example","secret_token":"s3cret-value-1"}')).toBe('setWebhook {"url":"https://x.example","secret_token":"[redacted]"}');
    expect(scrubText('https://x.example/hook?token=abcdef123&a=1')).toBe('https://x.example/hook?token=[redacted]&a=1');
    expect(scrubText('Authorization: Bearer eyJhbGciOi.abc-def')).toBe('Authorization: Bearer [redacted]');
    expect(scrubText('connect to redis://:p%40ss@redis.internal:6379 failed')).toBe('connect to redis://:[redacted]@redis.internal:6379 failed');
    expect(scrubText('mongodb://admin:hunter2@db1,db2/?replicaSet=rs0')).toBe('mongodb://admin:[redacted]@db1,db2/?replicaSet=rs0');
  });

  it.each([
    ['0912345678'],
    ['+84912345678'],
    ['84912345678'],
    ['0912 345 678'],
    ['0912.345.678'],
    ['+84 912 345 678'],
    ['02838123456'],
  ])('removes the phone number %s', (phone) => {
    expect(scrubText(`Gọi cho tôi: ${phone}, cảm ơn`)).toBe('Gọi cho tôi: [phone], cảm ơn');
    expect(scrubText(`tel:${phone}`)).toBe('tel:[phone]');
  });

  it('leaves what is not personal: ids, ports, times, line numbers, versions', () => {
    const keep = [
      'at Turn.run (/work/main/core/engine/turn.ts:120:15)',
      'at file:///work/main/bots/telegram/telegram-adapter.ts:88:7',
      'connect ECONNREFUSED 127.0.0.1:6381',
      'update 912345678 from chat -1001234567890',
      'job bc:65f0c0ffee0912345678abcd:m-1 at 2026-11-25T02:00:00.000Z took 0.912345678 s',
      'Call to \'sendMessage\' failed! (400: Bad Request: chat not found)',
      'secret token contains unallowed characters',
    ];
    for (const s of keep) expect(scrubText(s)).toBe(s);
  });

  it('removes e-mail addresses and the values database errors quote', () => {
    expect(scrubText('no member lan.nguyen@example.vn')).toBe('no member [email]');
    expect(scrubText('E11000 duplicate key error collection: t.members index: _id_ dup key: { _id: "zalo:84912345678" }')).toBe(
      'E11000 duplicate key error collection: t.members index: _id_ dup key: { [redacted] }',
    );
    expect(scrubText('Cast to Number failed for value "lương tháng này thấp" (type string) at path "score"')).toBe('Cast to Number failed for value [redacted] (type string) at path "score"');
    expect(scrubText('Path `description` (`Quản đốc quấy rối tôi`, length 2001) is longer than the maximum allowed length (2000).')).toBe(
      'Path `description` (`[redacted]`, length 2001) is longer than the maximum allowed length (2000).',
    );
  });

  it('is idempotent', () => {
    const once = scrubText(`https://api.telegram.org/bot${TG_TOKEN}/getMe secret=abc 0912345678 redis://:pw@h`);
    expect(scrubText(once)).toBe(once);
  });
});

describe('scrubError', () => {
  it('keeps the kind, message, stack, code and cause, scrubbed, and drops every other property', () => {
    const err = new GrammyError("Call to 'sendMessage' failed!", { ok: false, error_code: 400, description: 'Bad Request: chat 0912345678 not found' }, 'sendMessage', {
      chat_id: 5550001,
      text: 'Tôi muốn hỏi về lương',
    });
    const cause = Object.assign(new Error(`request to https://api.telegram.org/bot${TG_TOKEN}/sendMessage failed`), { code: 'ECONNRESET' });
    (err as { cause?: unknown }).cause = cause;
    const out = scrubError(err) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['cause', 'message', 'stack', 'type']);
    expect(out['type']).toBe('GrammyError');
    const json = JSON.stringify(out);
    expect(json).not.toContain(TG_TOKEN);
    expect(json).not.toContain('0912345678');
    expect(json).not.toContain('lương');
    expect(out['cause']).toMatchObject({ type: 'Error', code: 'ECONNRESET', message: 'request to https://api.telegram.org/bot[redacted]/sendMessage failed' });
  });

  it('scrubs strings and plain objects shaped like errors, and passes other values through', () => {
    expect(scrubError('failed for +84912345678')).toBe('failed for [phone]');
    expect(scrubError({ name: 'TypeError', message: 'x is 0912345678', stack: 'TypeError: x is 0912345678\n    at f (a.ts:1:1)' })).toEqual({
      type: 'TypeError',
      message: 'x is [phone]',
      stack: 'TypeError: x is [phone]\n    at f (a.ts:1:1)',
    });
    expect(scrubError(undefined)).toBeUndefined();
    expect(scrubError(42)).toBe(42);
  });
});

describe("the logger's error serializer", () => {
  /** The process logger, writing into `lines`. */
  function capture() {
    const lines: string[] = [];
    return { lines, log: createLogger('debug', { write: (s: string) => void lines.push(s) }) };
  }

  it('scrubs errors logged under err or error, or passed first', () => {
    const { lines, log } = capture();
    const err = new Error(`POST https://bot-api.zaloplatforms.com/bot${ZALO_TOKEN}/sendMessage failed for 0912345678`);
    log.error({ err }, 'flow failed');
    log.warn({ error: err }, 'delivery failed');
    log.warn({ error: `token ${TG_TOKEN}` }, 'as text');
    log.error(err, 'passed first');
    const all = lines.join('\n');
    expect(lines).toHaveLength(4);
    expect(all).not.toContain(ZALO_TOKEN);
    expect(all).not.toContain(TG_TOKEN);
    expect(all).not.toContain('0912345678');
    expect(JSON.parse(lines[0]!).err).toMatchObject({ type: 'Error', message: 'POST https://bot-api.zaloplatforms.com/bot[redacted]/sendMessage failed for [phone]' });
    expect(JSON.parse(lines[0]!).err.stack).toContain('core/log-scrub.test.ts');
  });
});

describe('maskUrlPassword', () => {
  it('hides the password of a connection URL and keeps the rest', () => {
    expect(maskUrlPassword('redis://:s3cret@redis.internal:6379/0')).toBe('redis://:***@redis.internal:6379/0');
    expect(maskUrlPassword('mongodb://admin:p@ss:w0rd@db1,db2,db3/?replicaSet=rs0')).toBe('mongodb://admin:***@db1,db2,db3/?replicaSet=rs0');
    expect(maskUrlPassword('mongodb://127.0.0.1:27018/')).toBe('mongodb://127.0.0.1:27018/');
    expect(maskUrlPassword('redis://user@redis.internal:6379')).toBe('redis://user@redis.internal:6379');
  });
});
