/** `npm run services -- start|stop|status|check`: manage the local Redis and FerretDB by hand; `check` times lookups by _id. */
import { maskUrlPassword } from '../core/log-scrub.js';
import { checkIdLookups } from './id-lookup-check.js';
import { LOCAL_MONGO_PORT, LOCAL_REDIS_PORT, ServiceSetupError, ensureServices, portOpen, stopService } from './services.js';

const cmd = process.argv[2] ?? 'status';
try {
  if (cmd === 'start') {
    const s = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI, REDIS_URL: process.env.REDIS_URL });
    // REDIS_URL / MONGODB_URI may carry a password: print them without it.
    console.log(`redis: ${maskUrlPassword(s.redisUrl)}\nmongodb: ${maskUrlPassword(s.mongoUri)}`);
  } else if (cmd === 'stop') {
    for (const name of ['redis', 'ferretdb'] as const) console.log(`${name}: ${(await stopService(name)) ? 'stopped' : 'not started by this project'}`);
  } else if (cmd === 'status') {
    console.log(`redis (127.0.0.1:${LOCAL_REDIS_PORT}): ${(await portOpen(LOCAL_REDIS_PORT)) ? 'up' : 'down'}`);
    console.log(`ferretdb (127.0.0.1:${LOCAL_MONGO_PORT}): ${(await portOpen(LOCAL_MONGO_PORT)) ? 'up' : 'down'}`);
  } else if (cmd === 'check') {
    const s = await ensureServices({ MONGODB_URI: process.env.MONGODB_URI, REDIS_URL: process.env.REDIS_URL });
    console.log(`MongoDB-wire server: ${maskUrlPassword(s.mongoUri)}`);
    await checkIdLookups(s.mongoUri);
  } else {
    console.error('usage: npm run services -- start|stop|status|check');
    process.exitCode = 2;
  }
} catch (err) {
  if (err instanceof ServiceSetupError) {
    console.error(err.message);
    process.exitCode = 1;
  } else throw err;
}
