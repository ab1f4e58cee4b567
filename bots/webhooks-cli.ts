/**
 * `npm run webhooks -- set|delete|show [telegram|zalo]`: registers, removes or shows the
 * platforms' webhooks (set uses PUBLIC_URL and the webhook secrets).
 */
import { ConfigError, loadConfig } from '../core/config.js';
import { Translations } from '../core/i18n.js';
import { createLogger } from '../core/logger.js';
import { createAdapters, requireWebhookSecrets, webhookUrl } from './channels.js';

const USAGE = 'usage: npm run webhooks -- set|delete|show [telegram|zalo]';

/** Runs one webhook command; returns the exit code. */
export async function runWebhooks(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [command, only] = argv;
  if (!command || !['set', 'delete', 'show'].includes(command) || (only && !['telegram', 'zalo'].includes(only))) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig(env);
  const log = createLogger('silent');
  const adapters = createAdapters(config, async () => undefined, log, new Translations(config.DEFAULT_LOCALE)).filter(
    (a) => !only || a.channel === only,
  );
  if (adapters.length === 0) {
    console.error(`no platform token set${only ? ` for ${only}` : ''}: set TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN`);
    return 1;
  }
  if (command === 'set') {
    if (!config.PUBLIC_URL) {
      console.error('PUBLIC_URL is not set: webhooks need the public https address of this server (e.g. https://bot.example.org)');
      return 1;
    }
    requireWebhookSecrets(config);
  }
  let failed = false;
  for (const a of adapters) {
    try {
      if (command === 'set') {
        const url = webhookUrl(config.PUBLIC_URL!, a.channel);
        await a.setWebhook(url);
        console.log(`${a.channel}: webhook set to ${url}`);
      } else if (command === 'delete') {
        await a.deleteWebhook();
        console.log(`${a.channel}: webhook deleted (long polling can be used now)`);
      } else {
        console.log(`${a.channel}: ${JSON.stringify(await a.getWebhookInfo())}`);
      }
    } catch (err) {
      failed = true;
      const e = err as Error & { hint?: string };
      console.error(`${a.channel}: ${e.message}${e.hint ? ` — ${e.hint}` : ''}`);
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = await runWebhooks(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
  }
}
