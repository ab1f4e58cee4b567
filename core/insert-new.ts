/**
 * Inserts documents whose `_id` may already exist (a replayed page, a retried outcome) and
 * reports which ones did. An insert of many documents is the cheapest write on every MongoDB
 * server we run on (FerretDB checks the `_id` index, it does not scan), so hot paths insert
 * first and update only what already existed.
 */
import type { Model } from 'mongoose';

type WriteError = { index?: number; code?: number; err?: { index?: number; code?: number } };

/** Inserts `docs` unordered; returns the ids that existed already. Any other write error is thrown. */
export async function insertNew<T extends { _id: string }>(model: Model<T>, docs: T[]): Promise<string[]> {
  if (docs.length === 0) return [];
  try {
    await model.insertMany(docs, { ordered: false, lean: true });
    return [];
  } catch (err) {
    const errors: WriteError[] = (err as { writeErrors?: WriteError[] }).writeErrors ?? [err as WriteError];
    const existing: string[] = [];
    for (const e of errors) {
      const index = e.index ?? e.err?.index;
      if ((e.code ?? e.err?.code) !== 11000 || index === undefined) throw err;
      existing.push(docs[index]!._id);
    }
    return existing;
  }
}
