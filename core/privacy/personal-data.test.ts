/**
 * Every collection the app's models write is declared: erased by a step of MemberErasure (with
 * the fields that are personal data) or listed in NO_PERSONAL_DATA with a reason. A new
 * collection fails here until someone decides what erasure does to it; a declared field that
 * no longer exists in its schema fails too, so the declarations cannot go stale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { NO_PERSONAL_DATA } from './personal-data.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

/** Collection name → the model's schema, for every model bound on the app's connection. */
function boundCollections(): Map<string, { path(p: string): unknown; pathType(p: string): string }> {
  const out = new Map<string, { path(p: string): unknown; pathType(p: string): string }>();
  for (const name of app.conn.modelNames()) {
    const model = app.conn.model(name);
    out.set(model.collection.collectionName, model.schema);
  }
  return out;
}

describe('personal data declarations', () => {
  it('every collection is either erased (with its personal fields named) or declared to hold none', () => {
    const erased = new Set(app.services.erasure.stores.map((s) => s.store));
    const none = new Set(NO_PERSONAL_DATA.map((s) => s.store));
    const collections = [...boundCollections().keys()];
    expect(collections.length).toBeGreaterThan(10);
    const undeclared = collections.filter((c) => !erased.has(c) && !none.has(c));
    expect(undeclared).toEqual([]);
    // Nothing is both.
    expect(collections.filter((c) => erased.has(c) && none.has(c))).toEqual([]);
  });

  it('every declared field exists in its collection’s schema', () => {
    const schemas = boundCollections();
    const missing: string[] = [];
    for (const { store, fields } of app.services.erasure.stores) {
      const schema = schemas.get(store);
      if (!schema) continue; // a Redis key family or BullMQ queue
      for (const field of fields) {
        // "sealed (the reporter)" → "sealed"; "events.text" is a path inside an array of subdocuments.
        const path = field.split(' ')[0]!;
        const [head, ...rest] = path.split('.');
        const known = schema.pathType(path) !== 'adhocOrUndefined' || (rest.length > 0 && schema.pathType(head!) !== 'adhocOrUndefined');
        if (!known) missing.push(`${store}.${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
