/**
 * `npm run services -- check`: how fast the MongoDB-wire server answers `updateOne` and `findOne`
 * by `_id`, at 100 and at 10,000 documents. With the _id index at work the times barely grow
 * with the collection; a server that scans (stock FerretDB 1.24.2 on SQLite) grows ~100×.
 * A measurement to look at, not a test: it prints figures and asserts nothing.
 */
import mongoose from 'mongoose';

const { MongoClient } = mongoose.mongo;

const OPS = 200;

async function timed(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  return Number(process.hrtime.bigint() - start) / 1e6 / n;
}

/** Prints ms per operation by _id at each size; returns the figures. */
export async function checkIdLookups(uri: string, sizes = [100, 10_000]): Promise<{ size: number; updateOneMs: number; findOneMs: number }[]> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5000 });
  const db = client.db(`services_check_${process.pid}`);
  const out: { size: number; updateOneMs: number; findOneMs: number }[] = [];
  try {
    for (const size of sizes) {
      const c = db.collection<{ _id: string; n: number; pad: string }>(`docs_${size}`);
      for (let i = 0; i < size; i += 1000) {
        await c.insertMany(Array.from({ length: Math.min(1000, size - i) }, (_, k) => ({ _id: `d${i + k}`, n: 0, pad: 'x'.repeat(200) })));
      }
      const pick = (i: number) => `d${(i * 7919) % size}`;
      const updateOneMs = await timed(OPS, (i) => c.updateOne({ _id: pick(i) }, { $inc: { n: 1 } }));
      const findOneMs = await timed(OPS, (i) => c.findOne({ _id: pick(i + 1) }));
      out.push({ size, updateOneMs, findOneMs });
      console.log(`${String(size).padStart(6)} documents: updateOne by _id ${updateOneMs.toFixed(2)} ms, findOne by _id ${findOneMs.toFixed(2)} ms`);
    }
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
  return out;
}
