/**
 * The API conversations (flows/) are written against. A flow is a set of named steps; each
 * step shows its question on `enter` and handles the person's answer on `input`.
 */
import type { MemberDoc, Role } from '../db.js';
import type { TurnIdentity } from './identity-snapshot.js';
import type { Translate } from '../i18n.js';
import type { Choice, Inbound, MediaKind, Outbound } from './types.js';
import type { Services } from './services.js';

/** What the person answered at a step, already checked by the engine. */
export interface StepInput {
  /** Trimmed text, when text was sent. */
  text?: string;
  /** The offered choice it picked, if any. */
  choice?: Choice;
  media?: MediaKind;
  /** The platform's reference to a photo that arrived (see Inbound.photoRef). */
  photoRef?: string;
}

/** One question-and-answer of a conversation. */
export interface Step {
  enter(ctx: FlowContext): Promise<void> | void;
  input(ctx: FlowContext, input: StepInput): Promise<void> | void;
  /** Whether a photo or sticker is a valid answer here; otherwise the engine asks for text. */
  acceptsMedia?: boolean;
  /** Whether free text is a valid answer; otherwise the answer must match an offered choice. */
  acceptsText?: boolean;
  /** Whether this step is only for people who have consented (default true). */
  needsMember?: boolean;
  /** A place to rest (the menu): it never expires. */
  resting?: boolean;
  /** Who may use this step: overrides the flow's `roles` (an empty list lets every member in). */
  roles?: Role[];
  /**
   * A number beyond the offered choices (a check-in code typed at the menu): return true when
   * the step took it; otherwise the engine says the range of the choices, as for any step.
   */
  numberBeyondChoices?(ctx: FlowContext, text: string): Promise<boolean>;
}

/** A named conversation made of steps; the first key of `steps` is where it starts. */
export interface Flow {
  name: string;
  steps: Record<string, Step>;
  /**
   * Who may use this flow: a member holding at least one of these roles (none given: everyone).
   * The engine checks it live before a step is shown or its answer handled, refuses anyone else
   * (told why, audited, taken home), and the menu offers only what the person may enter.
   */
  roles?: Role[];
  /**
   * Free text or a photo that the current step cannot take (no choice matched, or media where
   * text is expected) may still mean something to this flow — a worker answering a cadre's
   * question straight into the chat. Returns true when it took the input; the step is then
   * left as it was.
   */
  unpromptedInput?(ctx: FlowContext, input: StepInput): Promise<boolean>;
  /**
   * The person said the global word "cancel" (hủy) while in this flow: drop the work in progress
   * it means to discard, before they are told it was cancelled and taken home.
   */
  cancel?(ctx: FlowContext): Promise<void> | void;
}

/** The conversation's persisted position. */
export interface ConversationState {
  flow: string;
  step: string;
  data: Record<string, unknown>;
  history: { flow: string; step: string }[];
  choices: Choice[];
  /** The nonce of the question asked last (its buttons carry it); a tap with another one is stale. */
  choiceNonce?: string;
  locale?: string;
}

/** Everything a step may use while handling one event. */
export interface FlowContext {
  readonly inbound: Inbound;
  readonly identity: TurnIdentity;
  /** The member once the person has consented, else null. */
  member: MemberDoc | null;
  readonly services: Services;
  readonly now: Date;
  readonly locale: string;
  readonly state: ConversationState;
  /**
   * The object kept under `name` in the conversation's data (a draft: the concern being written,
   * the broadcast being composed, the surveys in progress), created with `init` when there is
   * none. Change it in place: the engine commits it with the step, or rolls it back if the step
   * fails. `name` is the key stored in the database: keep it when the code around it changes.
   */
  draft<T extends object>(name: string, init: () => T): T;
  /** Forgets the object kept under `name` (sent, discarded or given up). */
  dropDraft(name: string): void;
  /** True while a step is shown again (after help, a wrong answer…): long intros can be skipped. */
  readonly repeating: boolean;
  /** Translates into the person's current language. */
  t: Translate;
  /** Changes the person's language for this and later replies. */
  setLocale(locale: string): void;
  /** Sends a message. */
  reply(message: string | Outbound): void;
  /** Sends a question with choices; the next answer is matched against them. */
  ask(text: string, choices: Choice[]): void;
  /** Moves to a step (of this or another flow) and shows it; `back` returns here. */
  go(flow: string, step?: string): Promise<void>;
  /** Moves like `go` but forgets the way back (e.g. after finishing something). */
  jump(flow: string, step?: string): Promise<void>;
  /** Returns to the previous step, or shows the current one again if there is none. */
  back(): Promise<void>;
  /** Shows the current step again (after a wrong answer, help, …). */
  repeat(): Promise<void>;
  /** The main menu (or onboarding for someone who has not consented). */
  home(): Promise<void>;
  /** Whether the person may use the step (by default the flow's first): they hold a role it declares, if it declares any. */
  mayEnter(flow: string, step?: string): boolean;
  /**
   * The person's data was erased in this turn: the conversation is deleted instead of saved, and
   * this turn's replies leave no record once delivered.
   */
  forgetConversation(): void;
  /** Sends a message to another person's chat (e.g. a cadre), through the delivery queues. */
  notify(target: { channel: Inbound['channel']; chatId: string; memberId?: string; seal?: boolean }, message: Outbound): void;
}

/** The roles a step requires: its own, else its flow's; undefined or empty when every member may use it. */
export function rolesFor(flow: Flow, step: Step): Role[] | undefined {
  return step.roles ?? flow.roles;
}
