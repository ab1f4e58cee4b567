/**
 * Words that work anywhere in a conversation (start/menu, help, back, cancel, language, stop,
 * delete my data). They come from `common:global_words.*` in every locale, so a person can use
 * Vietnamese or English words whatever language the bot speaks.
 */
import type { Translations } from '../i18n.js';
import { fold } from '../text-normalize.js';

export const GLOBAL_COMMANDS = ['menu', 'help', 'back', 'cancel', 'language', 'stop', 'resume', 'delete', 'link'] as const;
export type GlobalCommand = (typeof GLOBAL_COMMANDS)[number];

/** Recognises global words in typed text. */
export class GlobalWords {
  private readonly words = new Map<string, GlobalCommand>();

  constructor(i18n: Translations) {
    for (const cmd of GLOBAL_COMMANDS) {
      for (const list of i18n.inAllLanguages(`common:global_words.${cmd}`)) {
        for (const w of list.split('|')) if (fold(w)) this.words.set(fold(w), cmd);
      }
    }
  }

  /** The command a text means, with a `/start <payload>` deep-link payload when present. */
  recognise(text: string): { command: GlobalCommand; payload?: string } | undefined {
    const deepLink = /^\/start(?:@\w+)?\s+([A-Za-z0-9_.-]{1,64})$/.exec(text.trim());
    if (deepLink) return { command: 'menu', payload: deepLink[1] };
    const folded = fold(text.replace(/@\w+$/, ''));
    // "liên kết 123456" / "link 123456": the word for linking followed by a six-digit code.
    const withCode = /^(.*\S)\s+(\d{6})$/.exec(folded);
    if (withCode && this.words.get(withCode[1]!) === 'link') return { command: 'link', payload: withCode[2] };
    const command = this.words.get(folded);
    return command ? { command } : undefined;
  }
}
