/**
 * The fewest characters of what people write into a concern, so that each says something its
 * reader can act on: "ok" is no resolution summary and "chua" no reason to reopen. One figure
 * for the worker's description and reopening reason and the cadre's reply, question and
 * resolution summary (internal notes are the cadre's own and have none).
 */
export const MIN_TEXT_CHARS = 10;

/** Whether a text is shorter than `MIN_TEXT_CHARS` (runs of spaces count once). */
export function tooShort(text: string | undefined): boolean {
  return (text ?? '').replace(/\s+/g, ' ').trim().length < MIN_TEXT_CHARS;
}
