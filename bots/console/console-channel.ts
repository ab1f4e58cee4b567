/**
 * The console channel: the local simulator's "platform". Its sender hands delivered messages
 * to whoever listens (the terminal chat, or a test reading the conversation).
 */
import { EventEmitter } from 'node:events';
import { unpaced, type ChannelSender, type PaceCall } from '../../core/delivery.js';
import type { Outbound } from '../../core/engine/types.js';

export interface ConsoleMessage {
  chatId: string;
  message: Outbound;
}

export class ConsoleChannel implements ChannelSender {
  readonly channel = 'console' as const;
  private readonly events = new EventEmitter();

  async send(chatId: string, message: Outbound, pace: PaceCall = unpaced): Promise<void> {
    await pace(async () => this.events.emit('message', { chatId, message } satisfies ConsoleMessage));
  }

  /** Calls `listener` for every message delivered to any console chat; returns an unsubscribe. */
  onMessage(listener: (m: ConsoleMessage) => void): () => void {
    this.events.on('message', listener);
    return () => this.events.off('message', listener);
  }
}

/** Renders a message as the console shows it: text, then choices as a numbered list. */
export function renderPlain(message: Outbound): string {
  const lines = [message.text];
  if (message.photoUrl) lines.push(`[photo] ${message.photoUrl}`);
  message.choices?.forEach((c, i) => lines.push(`  ${i + 1}. ${c.label}`));
  return lines.join('\n');
}
