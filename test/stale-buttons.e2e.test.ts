/**
 * Stale buttons end to end over real HTTP: the fake Telegram Bot API shows the inline keyboards
 * the bot sent, a person taps a button of an earlier question, and the bot refuses it instead of
 * answering the question now open; the current question's buttons work, and buttons sent before
 * nonces existed (callback data without one) still work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentMessage } from './fake-telegram-server.js';
import { deliveryJobId } from '../workers/delivery-queue.js';
import { eventually, startPlatforms, type Platforms } from './support/platforms.js';

const TG_USER = 5550077;
const IDENTITY = `telegram:${TG_USER}`;

let p: Platforms;
beforeAll(async () => {
  p = await startPlatforms('webhook');
});
afterAll(async () => p?.close());

/** Pushes an update and waits until the bot's replies to it have reached the fake. */
async function push(update: Parameters<Platforms['telegram']['pushUpdate']>[0]): Promise<SentMessage[]> {
  const before = p.telegram.sent.length;
  expect(await p.telegram.pushUpdate(update)).toBe(200);
  await eventually(async () => expect((await p.app.models.Delivery.findById(deliveryJobId(`${IDENTITY}:tg:${update.update_id}`)).lean())?.status).toBe('sent'));
  return p.telegram.sent.slice(before);
}

/** The callback_data of each button under a message. */
function buttons(m: SentMessage): string[] {
  const markup = m.reply_markup as { inline_keyboard: { callback_data: string }[][] } | undefined;
  return (markup?.inline_keyboard ?? []).map((row) => row[0]!.callback_data);
}

/** The button of choice `id` under a message (its data carries the question's nonce). */
function button(m: SentMessage, id: string): string {
  const data = buttons(m).find((d) => d.endsWith(`:${id}`));
  if (!data) throw new Error(`no button "${id}" under "${m.text?.slice(0, 40)}": ${buttons(m).join(', ')}`);
  return data;
}

const step = async () => {
  const c = await p.app.models.Conversation.findById(IDENTITY, { flow: 1, step: 1 }).lean();
  return `${c?.flow}.${c?.step}`;
};

describe('a tap on a button of an earlier question', () => {
  it('is refused with a clear message, changes nothing, and the open question is asked again; its own buttons work', async () => {
    const t = p.app.services.i18n.for('vi');
    const [consent] = (await push(p.telegram.textUpdate(TG_USER, 'xin chào', { firstName: 'Lan', languageCode: 'vi' }))).filter((m) => m.reply_markup);
    // Every button names its question: ~<nonce>:<choice id>, one nonce per question, within 64 bytes.
    const nonce = /^~([A-Za-z0-9_-]{6}):/.exec(button(consent!, 'agree'))![1];
    for (const data of buttons(consent!)) {
      expect(data.startsWith(`~${nonce}:`)).toBe(true);
      expect(Buffer.byteLength(data, 'utf8')).toBeLessThanOrEqual(64);
    }

    const [language] = (await push(p.telegram.callbackUpdate(TG_USER, button(consent!, 'agree'), consent!.message_id))).filter((m) => m.reply_markup);
    expect(language!.text).toBe(t('onboarding:language_question'));
    const at = await step();
    const members = await p.app.models.Member.countDocuments({});

    // "Đồng ý" again, under the consent message: that question was answered already.
    const refused = await push(p.telegram.callbackUpdate(TG_USER, button(consent!, 'agree'), consent!.message_id));
    expect(refused.map((m) => m.text)).toEqual([t('common:stale_choice'), t('onboarding:language_question')]);
    expect(await step()).toBe(at);
    expect(await p.app.models.Member.countDocuments({})).toBe(members);

    // The language question asked again: its buttons work ("Tiếng Việt").
    const again = refused.at(-1)!;
    expect(button(again, 'vi')).not.toBe(button(language!, 'vi'));
    const next = await push(p.telegram.callbackUpdate(TG_USER, button(again, 'vi'), again.message_id));
    expect(next.at(-1)!.text).toBe(t('onboarding:workplace_question'));
    expect(await step()).toBe('onboarding.workplace');
    // Every tap, refused or not, was answered (the spinner on the button stops).
    expect(p.telegram.answeredCallbackQueries).toHaveLength(3);
  });

  it('without a nonce (a keyboard sent before this version) is taken as before', async () => {
    await push(p.telegram.textUpdate(TG_USER, 'vsip'));
    const picked = await push(p.telegram.callbackUpdate(TG_USER, 'ent-phuc-thinh'));
    expect(picked.at(-1)!.text).toContain('Trang chính');
  });
});
