/**
 * One event's run through the conversation: the FlowContext a step sees, plus the engine's
 * checks of the input before a step gets it (empty, too long, media, global words, choices).
 */
import { randomBytes } from 'node:crypto';
import type { MemberDoc, Role } from '../db.js';
import type { TurnIdentity } from './identity-snapshot.js';
import type { Translate } from '../i18n.js';
import { hasNoWords } from '../text-normalize.js';
import { matchChoice } from './choice-match.js';
import { rolesFor, type ConversationState, type Flow, type FlowContext, type Step, type StepInput } from './flow.js';
import type { GlobalCommand, GlobalWords } from './global-words.js';
import type { Services } from './services.js';
import type { Choice, Envelope, Inbound, Outbound } from './types.js';

/** Where every conversation starts, and where people who have consented come home to. */
export const ONBOARDING = { flow: 'onboarding', step: 'welcome' } as const;
export const MAIN_MENU = { flow: 'menu', step: 'main' } as const;

const MAX_HOPS = 20;
/** Characters of a question's nonce (base64url: 36 bits, and short enough for Telegram's 64-byte button data). */
export const CHOICE_NONCE_LENGTH = 6;
const HISTORY_LIMIT = 20;

/** What a person is told when a step needs a role they do not hold, by the first role it names. */
const REFUSAL_KEYS: Record<Role, string> = {
  worker: 'common:not_allowed.worker',
  cadre: 'common:not_allowed.cadre',
  secretariat: 'common:not_allowed.secretariat',
  admin: 'common:not_allowed.admin',
};

export interface TurnOptions {
  flows: Map<string, Flow>;
  globalWords: GlobalWords;
  maxChars: number;
  /** The stored conversation's step has expired. */
  expired: boolean;
  /** First contact: there is no conversation yet. */
  fresh: boolean;
}

export class Turn implements FlowContext {
  readonly replies: Outbound[] = [];
  readonly notifications: Omit<Envelope, 'key' | 'priority'>[] = [];
  t: Translate;
  repeating = false;
  private hops = 0;
  /** A role refusal was told and audited in this event (once is enough). */
  private refused = false;
  /** The nonce of the question open when the event arrived (a new question never reuses it). */
  private readonly nonceAtStart: string | undefined;

  constructor(
    readonly inbound: Inbound,
    readonly identity: TurnIdentity,
    public member: MemberDoc | null,
    readonly services: Services,
    readonly now: Date,
    readonly state: ConversationState,
    private readonly opts: TurnOptions,
  ) {
    this.t = services.i18n.for(this.locale);
    this.nonceAtStart = state.choiceNonce;
  }

  get locale(): string {
    return this.member?.locale ?? this.state.locale ?? this.services.i18n.pick(this.inbound.languageHint);
  }

  setLocale(locale: string): void {
    this.state.locale = locale;
    if (this.member) this.member = { ...this.member, locale };
    this.t = this.services.i18n.for(locale);
  }

  draft<T extends object>(name: string, init: () => T): T {
    // Absent or null: a fresh one.
    return (this.state.data[name] ??= init()) as T;
  }

  dropDraft(name: string): void {
    delete this.state.data[name];
  }

  /** Set by forgetConversation(): the engine deletes the conversation instead of saving it. */
  forgotten = false;

  forgetConversation(): void {
    this.forgotten = true;
  }

  reply(message: string | Outbound): void {
    this.replies.push(typeof message === 'string' ? { text: message, locale: this.locale } : { locale: this.locale, ...message });
  }

  ask(text: string, choices: Choice[]): void {
    this.state.choices = choices;
    this.state.choiceNonce = newChoiceNonce([this.nonceAtStart, this.state.choiceNonce]);
    this.replies.push({ text, choices, choiceNonce: this.state.choiceNonce, locale: this.locale });
  }

  notify(target: { channel: Inbound['channel']; chatId: string; memberId?: string; seal?: boolean }, message: Outbound): void {
    this.notifications.push({ channel: target.channel, chatId: target.chatId, memberId: target.memberId, messages: [message], ...(target.seal ? { seal: true } : {}) });
  }

  private stepOf(flow: string, step?: string): { flow: string; step: string; def: Step } | undefined {
    const f = this.opts.flows.get(flow);
    if (!f) return undefined;
    const name = step ?? Object.keys(f.steps)[0]!;
    const def = f.steps[name];
    return def ? { flow, step: name, def } : undefined;
  }

  private async enter(flow: string, step: string | undefined, remember: boolean): Promise<void> {
    if (++this.hops > MAX_HOPS) throw new Error(`conversation loop: more than ${MAX_HOPS} steps in one event (at ${flow}.${step})`);
    let target = this.stepOf(flow, step);
    if (!target || (target.def.needsMember !== false && !this.member)) {
      target = this.member ? this.stepOf(MAIN_MENU.flow, MAIN_MENU.step)! : this.stepOf(ONBOARDING.flow, ONBOARDING.step)!;
      remember = false;
    }
    const required = this.requiredRoles(target.flow, target.def);
    if (this.lacksRole(required)) return this.refuse(target.flow, target.step, required);
    if (remember && (this.state.flow !== target.flow || this.state.step !== target.step)) {
      this.state.history = [...this.state.history, { flow: this.state.flow, step: this.state.step }].slice(-HISTORY_LIMIT);
    }
    if (!remember) {
      // Jumping forgets the way here, unless the target was visited on the way: then "back" from
      // it goes where it went before (an item shown again after an action still goes back to its list).
      // Shown again in place (after an action on it), it keeps its way back as it was.
      if (this.state.flow !== target.flow || this.state.step !== target.step) {
        let seen = this.state.history.length - 1;
        while (seen >= 0 && (this.state.history[seen]!.flow !== target.flow || this.state.history[seen]!.step !== target.step)) seen--;
        this.state.history = seen >= 0 ? this.state.history.slice(0, seen) : [];
      }
    }
    this.state.flow = target.flow;
    this.state.step = target.step;
    this.state.choices = [];
    // No question is open until the step asks one: every button shown before is stale.
    delete this.state.choiceNonce;
    await target.def.enter(this);
  }

  go(flow: string, step?: string): Promise<void> {
    return this.enter(flow, step, true);
  }

  jump(flow: string, step?: string): Promise<void> {
    return this.enter(flow, step, false);
  }

  async back(): Promise<void> {
    const previous = this.state.history.pop();
    if (!previous) return this.repeat();
    const history = this.state.history;
    await this.enter(previous.flow, previous.step, false);
    if (this.state.flow === previous.flow && this.state.step === previous.step) this.state.history = history;
  }

  async repeat(): Promise<void> {
    const history = this.state.history;
    this.repeating = true;
    try {
      await this.enter(this.state.flow, this.state.step, false);
    } finally {
      this.repeating = false;
    }
    // Refused and taken home, the way back into the refused area is gone.
    if (!this.refused) this.state.history = history;
  }

  home(): Promise<void> {
    return this.member ? this.jump(MAIN_MENU.flow, MAIN_MENU.step) : this.jump(ONBOARDING.flow, ONBOARDING.step);
  }

  mayEnter(flow: string, step?: string): boolean {
    const target = this.stepOf(flow, step);
    return !!target && !this.lacksRole(this.requiredRoles(target.flow, target.def));
  }

  /** The roles a step of a flow declares (its own, else its flow's). */
  private requiredRoles(flow: string, def: Step): Role[] | undefined {
    const f = this.opts.flows.get(flow);
    return f ? rolesFor(f, def) : undefined;
  }

  /** A staff screen: its step is for cadres, the secretariat or admins, not for workers. */
  private get staffScreen(): boolean {
    const def = this.stepOf(this.state.flow, this.state.step)?.def;
    const roles = def ? this.requiredRoles(this.state.flow, def) : undefined;
    return !!roles?.length && !roles.includes('worker');
  }

  /**
   * The engine's own wording (bad input, help, expiry…): on staff screens the `_staff` variant,
   * which says "anh/chị" where workers read "bạn" (i18next context, falling back to the plain key).
   */
  private say(key: string, opts: Record<string, unknown> = {}): string {
    if (!this.staffScreen) return this.t(key, opts);
    return this.t(key, { ...opts, context: opts.context ? `${String(opts.context)}_staff` : 'staff' });
  }

  /** True when roles are required and the member (as loaded for this event) holds none of them. */
  private lacksRole(required: Role[] | undefined): required is Role[] {
    return !!required?.length && !this.member?.roles.some((r) => required.includes(r));
  }

  /**
   * The person may not use this step (their role may have been revoked mid-conversation): told
   * why and the refusal audited, once per event, then taken home.
   */
  private async refuse(flow: string, step: string, required: Role[]): Promise<void> {
    if (!this.refused) {
      this.refused = true;
      this.reply(this.t(REFUSAL_KEYS[required[0]!]));
      if (this.member) {
        await this.services.audit.record({ actor: this.member._id, action: `${flow}.denied`, target: `${flow}.${step}`, details: { required }, idempotencyKey: this.inbound.eventId, at: this.now });
      }
    }
    return this.home();
  }

  /** Runs the event: checks, global words, then the current step's `input`. */
  async run(): Promise<void> {
    const e = this.inbound;
    const current = this.stepOf(this.state.flow, this.state.step);
    if (!current || (current.def.needsMember !== false && !this.member)) return this.home();

    const text = e.text?.trim() ?? '';
    const global = text ? this.opts.globalWords.recognise(text) : undefined;
    if (this.opts.fresh && !global) return this.home();
    if (this.opts.expired && !global && !current.def.resting) {
      this.reply(this.say('common:expired'));
      return this.home();
    }
    // Roles are checked against the member as loaded for this event, so a revoked role takes
    // effect at once. A global word goes on: where it leads is checked when it is entered.
    const required = this.requiredRoles(current.flow, current.def);
    if (!global && this.lacksRole(required)) return this.refuse(current.flow, current.step, required);
    // A button of an earlier question ("Có" under a question already answered) must not answer
    // the current one: refused, and the current question is asked again.
    if (e.choiceNonce !== undefined && e.choiceNonce !== this.state.choiceNonce) {
      this.reply(this.say('common:stale_choice'));
      return this.repeat();
    }
    if (!text && !e.choiceId && !e.media) {
      this.reply(this.say('common:empty'));
      return this.repeat();
    }
    if (text.length > this.opts.maxChars) {
      this.reply(this.say('common:too_long', { max: this.opts.maxChars, length: text.length }));
      return this.repeat();
    }
    if (global) return this.runGlobal(global.command, global.payload);
    if (/^\/[A-Za-z_]\w*/.test(text)) {
      this.reply(this.say('common:unknown_command', { command: text.split(/\s/)[0]!.slice(0, 32) }));
      return this.repeat();
    }
    const input = { text: text || undefined, media: e.media, ...(e.photoRef ? { photoRef: e.photoRef } : {}) };
    if (e.media && !current.def.acceptsMedia) {
      if (await this.unprompted(input)) return;
      this.reply(this.say('common:media_not_understood', { context: e.media }));
      return this.repeat();
    }
    let choice: Choice | undefined;
    if (this.state.choices.length > 0 && (text || e.choiceId)) {
      const m = matchChoice(this.state.choices, text, e.choiceId);
      if (m.kind === 'match') choice = m.choice;
      else if (!current.def.acceptsText || e.choiceId) {
        if (m.kind === 'none' && !e.choiceId && !hasNoWords(text) && (await this.unprompted(input))) return;
        if (m.kind === 'out_of_range' && !e.choiceId && current.def.numberBeyondChoices && (await current.def.numberBeyondChoices(this, text))) return;
        if (m.kind === 'out_of_range') this.reply(this.say('common:out_of_range', { max: m.max }));
        else if (hasNoWords(text)) this.reply(this.say('common:emoji_only'));
        else this.reply(this.say('common:not_a_choice'));
        return this.repeat();
      }
    }
    await current.def.input(this, { ...input, choice });
  }

  /** Offers input the current step cannot take to the flows that may expect it unprompted. */
  private async unprompted(input: StepInput): Promise<boolean> {
    if (!this.member) return false;
    for (const flow of this.opts.flows.values()) {
      if (flow.unpromptedInput && !this.lacksRole(flow.roles) && (await flow.unpromptedInput(this, input))) return true;
    }
    return false;
  }

  /** Links this chat app to the profile that showed the code on another app. */
  private async linkAccount(code: string | undefined): Promise<void> {
    if (!code) {
      this.reply(this.t('settings:link_how'));
      return this.repeat();
    }
    const result = await this.services.links.redeem(this.identity._id, code, { eventId: this.inbound.eventId, at: this.now });
    if (result.kind !== 'linked') {
      const why = { already_linked: 'settings:link_already_linked', invalid: 'settings:link_invalid', too_many_attempts: 'settings:link_too_many_attempts' } as const;
      this.reply(this.t(why[result.kind]));
      return this.repeat();
    }
    // The profile this app had before is erased like any other: answers, concerns, records and all.
    if (result.replaced) await this.services.erasure.eraseAndNotify(result.replaced, { eventId: this.inbound.eventId, at: this.now });
    this.member = await this.services.members.get(result.memberId);
    this.state.locale = undefined;
    this.t = this.services.i18n.for(this.locale);
    this.reply(this.t('settings:link_done'));
    return this.home();
  }

  private async runGlobal(command: GlobalCommand, payload?: string): Promise<void> {
    const t = this.t;
    switch (command) {
      case 'menu':
        if (payload) this.state.data.startPayload = payload;
        return this.home();
      case 'help':
        this.reply(this.say('common:help'));
        return this.repeat();
      case 'back':
        return this.back();
      case 'cancel':
        await this.opts.flows.get(this.state.flow)?.cancel?.(this);
        this.reply(this.say('common:cancelled'));
        return this.home();
      case 'language':
        return this.go('settings', 'language');
      case 'stop':
      case 'resume':
        if (!this.member) {
          this.reply(t('common:nothing_stored'));
          return this.repeat();
        }
        if (!!this.member.broadcastsOptOut === (command === 'stop')) {
          // Already as asked: say so rather than "turned back on".
          this.reply(t(command === 'stop' ? 'settings:already_stopped' : 'settings:already_on'));
          return this.repeat();
        }
        await this.services.members.setBroadcastsOptOut(this.member._id, command === 'stop');
        this.member = { ...this.member, broadcastsOptOut: command === 'stop' };
        this.reply(t(command === 'stop' ? 'settings:stopped' : 'settings:resumed'));
        return this.repeat();
      case 'link':
        return this.linkAccount(payload);
      case 'delete':
        if (!this.member) {
          this.reply(t('common:nothing_stored'));
          return this.repeat();
        }
        return this.go('settings', 'confirm_delete');
    }
  }
}

/** A short random nonce for a newly asked question, never one of the questions asked before it. */
function newChoiceNonce(previous: (string | undefined)[]): string {
  for (;;) {
    const nonce = randomBytes(6).toString('base64url').slice(0, CHOICE_NONCE_LENGTH);
    if (!previous.includes(nonce)) return nonce;
  }
}
