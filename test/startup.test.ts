/**
 * `npm start` as a newcomer meets it: a bad configuration or an unreachable store stops start-up
 * with one clear line and a non-zero exit; with everything up, the console chat works.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { bindModels, connectMongo } from '../core/db.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(env: Record<string, string>, input = '', waitFor?: RegExp): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && waitFor && waitFor.test(stdout)) {
        sent = true;
        child.stdin.end(input);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    if (!waitFor) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('start-up', () => {
  it('an invalid variable stops with one line naming it', async () => {
    const r = await start({ LOG_LEVEL: 'loud' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Invalid configuration: LOG_LEVEL — expected one of fatal, error, warn, info, debug, trace, silent (see .env.example)');
  });

  it('a malformed MONGODB_URI stops with one line naming it', async () => {
    const r = await start({ MONGODB_URI: 'http://example' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^Invalid configuration: MONGODB_URI — expected a URL starting with mongodb:\/\//);
  });

  it('MongoDB unreachable: one clear line, non-zero exit', async () => {
    const r = await start({ MONGODB_URI: 'mongodb://127.0.0.1:9/', REDIS_URL: inject('redisUrl') });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('[start]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot reach MongoDB at mongodb:\/\/127\.0\.0\.1:9\/ .*: start it, or fix MONGODB_URI$/);
  });

  it('Redis unreachable: one clear line, non-zero exit', async () => {
    const r = await start({ MONGODB_URI: inject('mongoUri'), REDIS_URL: 'redis://127.0.0.1:9' });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('[start]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot reach Redis at redis:\/\/127\.0\.0\.1:9 .*: start it, or fix REDIS_URL$/);
  });

  it('with no tokens it opens the console, seeds the sample org tree and chats in Vietnamese', async () => {
    const db = `t_${randomBytes(5).toString('hex')}`;
    const r = await start(
      { MONGODB_URI: inject('mongoUri'), REDIS_URL: inject('redisUrl'), MONGODB_DB: db, REDIS_PREFIX: db },
      'xin chao\n',
      /you are "lan"/,
    );
    const conn = await connectMongo(inject('mongoUri'), db);
    try {
      expect(await bindModels(conn).OrgUnit.countDocuments({})).toBeGreaterThan(20);
    } finally {
      await conn.dropDatabase();
      await conn.close();
    }
    expect(r.stderr).toContain('database: MongoDB (MONGODB_URI)');
    expect(r.stdout).toContain('Console simulator');
    expect(r.stdout).toContain('bot: Chào bạn! Mình là Đồng Hành');
    expect(r.stdout).toContain('1. Đồng ý');
    expect(r.code).toBe(0);
  });
});
