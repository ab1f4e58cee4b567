/**
 * The linkage scan: while an anonymous concern is being handled (raised on Zalo, a cadre asks,
 * the worker answers in the chat, the cadre replies), someone reading MongoDB and Redis must not
 * be able to tell who raised it. Outside the sealed store, no document and no key holds both the
 * concern's code and anything that names the reporter; the sealed store holds only ciphertext.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy, waitForMessage } from './support/concern-fixtures.js';
import { eventually, startPlatforms, type Platforms } from './support/platforms.js';
import { mongoDump, redisDump } from './support/store-dump.js';
import type { ConsolePerson } from './support/test-app.js';

const ZALO_USER = 'zl-link-5520417';
const NAME = 'Lê Thị Hồng Nhung';

let p: Platforms;
let cadre: ConsolePerson;

beforeAll(async () => {
  p = await startPlatforms('webhook');
  p.app.services.concerns.policy = fastPolicy();
  cadre = await addMember(p.app, { id: 'm-cadre-link', roles: ['worker', 'cadre'], chatId: 'c-cadre-link' });
  await assign(p.app, { memberId: 'm-cadre-link', unit: 'vsip1', organisation: 'trade_union' });
});
afterAll(async () => p?.close());

const zaloTexts = () => p.zalo.sent.filter((s) => s.chat_id === ZALO_USER && s.method === 'sendMessage').map((s) => s.text ?? '');

async function zalo(text: string): Promise<string> {
  const before = zaloTexts().length;
  expect(await p.zalo.pushUpdate(p.zalo.textUpdate(ZALO_USER, text, { name: NAME }))).toBe(200);
  await eventually(() => expect(zaloTexts().length).toBeGreaterThan(before));
  await eventually(async () => expect(await p.app.outbox.pending('zalo')).toBe(0));
  return zaloTexts().slice(before).join('\n');
}

describe('an anonymous concern in progress', () => {
  it('is linked to its reporter nowhere outside the sealed store, and the sealed store holds only ciphertext', async () => {
    await zalo('Xin chào');
    for (const text of ['1', '1', 'vsip', '2']) await zalo(text);
    for (const text of ['menu', 'gửi phản ánh', 'gửi phản ánh mới', 'tăng ca', '1', 'Tổ em bị ép tăng ca đến 22 giờ cả tuần', 'xong', 'ẩn danh']) await zalo(text);
    const code = /PA-[2-9A-Z]{4}/.exec(await zalo('gửi đi'))![0];
    const memberId = (await p.app.models.ChannelIdentity.findById(`zalo:${ZALO_USER}`).lean())!.memberId!;

    // The cadre asks; the worker answers straight in the chat; the cadre replies.
    await waitForMessage(cadre, (m) => m.text.includes(code));
    for (const step of ['menu', 'cadre_inbox', code, 'ask', 'Tăng ca như vậy từ tháng nào hả em?']) await cadre.say(step);
    await eventually(() => expect(zaloTexts().some((t) => t.includes('từ tháng nào'))).toBe(true));
    expect(await zalo('Từ tháng 9 ạ, có bảng chấm công')).toContain('đã gửi cho cán bộ');
    await waitForMessage(cadre, (m) => m.text.includes('Từ tháng 9'));
    for (const step of ['menu', 'cadre_inbox', code, 'reply', 'Anh đã làm việc với công ty về giờ tăng ca']) await cadre.say(step);
    await eventually(() => expect(zaloTexts().some((t) => t.includes('về giờ tăng ca'))).toBe(true));
    await eventually(async () => expect((await p.app.outbox.pending('zalo')) + (await p.app.outbox.pending('console'))).toBe(0));

    const names = [ZALO_USER, memberId, NAME];
    const links: string[] = [];
    for (const { where, json } of await mongoDump(p.app)) {
      if (where.startsWith('concern_reporters/')) {
        // The sealed store: the code as its id, the reporter only as ciphertext.
        for (const n of names) if (json.includes(n)) links.push(`sealed store ${where} shows "${n}"`);
        continue;
      }
      if (json.includes(code)) for (const n of names) if (json.includes(n)) links.push(`mongo ${where}: "${code}" with "${n}": ${json.slice(0, 300)}`);
    }
    for (const { key, value } of await redisDump(p.app)) {
      const both = `${key} ${value}`;
      if (both.includes(code)) for (const n of names) if (both.includes(n)) links.push(`redis ${key}: "${code}" with "${n}": ${value.slice(0, 300)}`);
      // A sealed message job names its chat only inside the seal: not in its key field either.
      if (value.includes('\\"chatId\\":\\"sealed\\"')) for (const n of names) if (both.includes(n)) links.push(`redis ${key}: a sealed job shows "${n}": ${value.slice(0, 300)}`);
    }
    expect(links).toEqual([]);
    expect(await p.app.conn.db!.collection('concern_reporters').countDocuments({ _id: code as never })).toBe(1);
  });
});
