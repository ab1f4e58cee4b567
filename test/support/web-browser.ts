/**
 * The web console in a real browser, for the browser tests: Debian's chromium (headless, driven
 * by playwright-core), the console on a test server, signing in through the bot's one-time link,
 * and screenshots (to .data/screenshots/; WEB_SCREENSHOTS=docs/screenshots refreshes the
 * committed ones).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWebServer } from '../../bots/web/web-test-client.js';
import { chromiumPath } from '../../core/reports/pdf.js';
import { ConsolePerson, textOf, type TestApp } from './test-app.js';

/** Debian's chromium, found as the steering report's PDF finds it (core/reports/pdf.ts): CHROMIUM_PATH, or the installed one. */
const CHROMIUM = chromiumPath(process.env.CHROMIUM_PATH);
export const SHOTS = process.env.WEB_SCREENSHOTS ?? join('.data', 'screenshots');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export interface WebBrowser {
  browser: Browser;
  server: FastifyInstance;
  /** The console's address (http://127.0.0.1:PORT). */
  base: string;
  /** The sign-in link the bot sends this chat (its path on this server); `openAfterMs` moves the test clock first. */
  linkFromBot(chatId: string, o?: { openAfterMs?: number }): Promise<string>;
  /** Opens a sign-in link and confirms it (the link is spent on the POST). */
  confirm(page: Page, link: string): Promise<void>;
  signIn(page: Page, chatId: string): Promise<void>;
  shot(page: Page, name: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts the console's server on `app` and a headless chromium. */
export async function startWebBrowser(app: TestApp): Promise<WebBrowser> {
  if (!CHROMIUM) throw new Error("chromium is not installed: apt-get install chromium (Debian's package), or set CHROMIUM_PATH");
  mkdirSync(SHOTS, { recursive: true });
  const { server, base } = await startWebServer(app);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const web: WebBrowser = {
    browser,
    server,
    base,
    async linkFromBot(chatId, o = {}) {
      const person = new ConsolePerson(app, chatId);
      await person.say('menu');
      const reply = textOf(await person.say('đăng nhập web'));
      const url = /http:\/\/localhost:3000(\/web\/login\/[A-Za-z0-9_-]{43})/.exec(reply)?.[1];
      if (!url) throw new Error(`the bot sent no link: ${reply}`);
      if (o.openAfterMs) app.clock.advance(o.openAfterMs);
      return base + url;
    },
    async confirm(page, link) {
      await page.goto(link);
      await page.getByRole('button', { name: /Đăng nhập|Sign in/ }).click();
      await page.waitForURL(`${base}/web`);
    },
    async signIn(page, chatId) {
      await web.confirm(page, await web.linkFromBot(chatId));
    },
    shot: (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }),
    async close() {
      await browser.close();
      await server.close();
    },
  };
  return web;
}

/**
 * What every page must pass on any screen: how far it is wider than the window (0 or less: no
 * sideways scroll), inputs in the content without a label, and scripts on the page.
 */
export const pageChecks = (page: Page) =>
  page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    unlabelled: [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')].filter((i) => !document.querySelector(`label[for="${i.id}"]`)).length,
    scripts: document.querySelectorAll('script').length,
  }));
