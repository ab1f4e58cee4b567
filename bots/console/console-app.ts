/**
 * The local simulator: a chat in the terminal with the whole engine behind it. `/as <name>`
 * switches persona, so one person can play a worker and a cadre; a message the bot sends to
 * someone else is shown with that person's name.
 */
import { createInterface } from 'node:readline';
import type { App } from '../../app/app.js';
import { renderPlain } from './console-channel.js';
import { DEMO_STAFF } from '../../core/members/demo-staff.js';

/** What `/photo` sends when no link is given. */
const SAMPLE_PHOTO = 'https://example.org/dong-hanh/sample-photo.jpg';

const HELP = [
  'Console simulator — type a message and press Enter.',
  '  /as <name>     chat as another person (e.g. /as lan, /as cadre-hung); /as alone lists the demo staff',
  '  /who           who you are chatting as',
  '  /photo [url]   send a photo (an https link, or a sample);  /sticker  send a sticker',
  '  /quit          leave (Ctrl+D works too)',
  'Everything else goes to the bot, exactly as a Zalo or Telegram user would type it.',
].join('\n');

export interface ConsoleAppOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  persona?: string;
}

/** Runs the terminal chat until the input ends; resolves when the person quits. */
export async function runConsole(app: App, opts: ConsoleAppOptions = {}): Promise<void> {
  const output = opts.output ?? process.stdout;
  const write = (s: string) => output.write(s.endsWith('\n') ? s : `${s}\n`);
  let persona = opts.persona ?? 'lan';
  let seq = 0;
  const rl = createInterface({ input: opts.input ?? process.stdin, output, terminal: false });

  const stopListening = app.console.onMessage(({ chatId, message }) => {
    const prefix = chatId === persona ? 'bot' : `bot → ${chatId}`;
    write(`\n${prefix}: ${renderPlain(message).replace(/\n/g, '\n     ')}`);
  });

  write(HELP);
  write(`(you are "${persona}")`);
  const send = async (fields: { text?: string; media?: 'photo' | 'sticker'; photoRef?: string }) => {
    try {
      await app.engine.handle({
        channel: 'console',
        userId: persona,
        chatId: persona,
        eventId: `${Date.now()}-${++seq}`,
        displayName: persona,
        at: new Date(),
        ...fields,
      });
    } catch (err) {
      write(`bot: ${app.engine.tryAgainMessage({ channel: 'console', userId: persona, chatId: persona, eventId: '', at: new Date() }).text}`);
      app.log.warn({ err: { name: (err as Error).name } }, 'console event failed');
    }
  };

  for await (const raw of rl) {
    const line = raw.replace(/\r$/, '');
    const cmd = line.trim().split(/\s+/);
    if (cmd[0] === '/quit' || cmd[0] === '/exit') break;
    if (cmd[0] === '/as' && !cmd[1]) {
      write(await demoList(app));
      continue;
    }
    if (cmd[0] === '/as') {
      if (cmd[1] && /^[\w.-]{1,40}$/.test(cmd[1])) {
        persona = cmd[1];
        write(`(you are now "${persona}")`);
      } else write('(usage: /as <name> — letters, digits, . _ -)');
      continue;
    }
    if (cmd[0] === '/who') {
      write(`(you are "${persona}")`);
      continue;
    }
    if (cmd[0] === '/photo') {
      // A photo "taken" in the console is a link, so the bot can show it to whoever it is relayed to.
      await send({ media: 'photo', photoRef: cmd[1] && /^https:\/\/\S+$/.test(cmd[1]) ? cmd[1] : SAMPLE_PHOTO });
      continue;
    }
    if (cmd[0] === '/sticker') {
      await send({ media: 'sticker' });
      continue;
    }
    if (cmd[0] === '/console-help') {
      write(HELP);
      continue;
    }
    await send({ text: line });
  }
  // Piped input ends at once: let the bot's last replies arrive before leaving.
  await waitForDeliveries(app);
  stopListening();
  rl.close();
}

/** The demo staff seeded here (core/members/demo-staff.ts), each with what they can try. */
async function demoList(app: App): Promise<string> {
  const here = await Promise.all(DEMO_STAFF.map(async (p) => ((await app.services.members.get(p.id))?.status === 'active' ? p : undefined)));
  const people = here.filter((p) => p !== undefined);
  if (people.length === 0) return '(no demo staff in this database: they are added to a fresh local database; any name works, e.g. /as lan)';
  return ['(people to chat as; any other name is a new worker)', '  lan            a worker (the default)', ...people.map((p) => `  ${p.id.padEnd(14)} ${p.name}, ${p.what}`)].join('\n');
}

async function waitForDeliveries(app: App, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await app.outbox.pending('console')) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
