/**
 * Runs the fake Telegram Bot API in its own process for benchmarks, so the platform's memory and
 * CPU are not counted as the app's. Spoken to over the IPC channel of `fork`:
 * `{ limit }` sets a rate limit; `{ count: true }` answers how many messages were accepted so far;
 * `{ stats: true }` answers with who was sent a message and when.
 * It announces `{ apiRoot, token }` once listening.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FakeTelegramServer } from '../test/fake-telegram-server.js';

/** What the benchmark reads back: one `[chatId, time]` per accepted message, and the 429s. */
export interface FakeStats {
  sent: [string, number][];
  tooManyRequests: number;
}

/** The fake as the benchmark sees it, from the parent process. */
export class FakeTelegramProcess {
  private constructor(private readonly child: ChildProcess, readonly apiRoot: string, readonly token: string) {}

  static async start(limitPerSecond: number | null): Promise<FakeTelegramProcess> {
    const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<{ apiRoot: string; token: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { apiRoot: string; token: string }));
      child.once('exit', (code) => reject(new Error(`fake Telegram process exited (${code})`)));
    });
    const fake = new FakeTelegramProcess(child, ready.apiRoot, ready.token);
    if (limitPerSecond) await fake.ask({ limit: limitPerSecond });
    return fake;
  }

  private ask<T>(request: object): Promise<T> {
    return new Promise((resolve) => {
      this.child.once('message', (m) => resolve(m as T));
      this.child.send(request);
    });
  }

  stats(): Promise<FakeStats> {
    return this.ask<FakeStats>({ stats: true });
  }

  count(): Promise<{ sent: number; tooManyRequests: number }> {
    return this.ask({ count: true });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

// Run as the child: serve until told to stop.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const telegram = new FakeTelegramServer();
  const apiRoot = await telegram.start();
  process.on('message', (m: { limit?: number; stats?: boolean; count?: boolean }) => {
    // The fake keeps every call for tests; a benchmark only needs what is reported here.
    telegram.calls.length = 0;
    if (m.count) {
      process.send!({ sent: telegram.sent.length, tooManyRequests: telegram.tooManyRequests });
    } else if (m.limit) {
      telegram.rateLimit(m.limit);
      process.send!({ ok: true });
    } else if (m.stats) {
      const stats: FakeStats = { sent: telegram.sent.map((s) => [s.chat_id, s.time]), tooManyRequests: telegram.tooManyRequests };
      process.send!(stats);
    }
  });
  process.once('SIGTERM', () => void telegram.stop().then(() => process.exit(0)));
  process.send({ apiRoot, token: telegram.token });
}
