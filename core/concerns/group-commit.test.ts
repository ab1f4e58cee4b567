import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { auditOnce } from './audit-once.js';
import { GroupCommit } from './group-commit.js';
import { WriteGate } from '../write-gate.js';

describe('group commit', () => {
  it('writes alone at once, and what arrives meanwhile together; a failed write fails its batch only', async () => {
    const batches: number[][] = [];
    let fail = false;
    const g = new GroupCommit<number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 10));
      if (fail) throw new Error('down');
    });
    await g.add(1);
    const all = [2, 3, 4].map((n) => g.add(n));
    await Promise.all(all);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    fail = true;
    await expect(g.add(5)).rejects.toThrow('down');
    fail = false;
    await g.add(6);
    expect(batches.at(-1)).toEqual([6]);
  });
});

describe('write gate', () => {
  it('lets two writes run at once and the rest in arrival order', async () => {
    const gate = new WriteGate(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        gate.run(async () => {
          most = Math.max(most, ++running);
          await new Promise((r) => setTimeout(r, 5));
          order.push(n);
          running--;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('auditOnce', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => app?.close());

  it('writes each (action, key) once, also when repeats share a batch', async () => {
    const at = app.clock.now();
    const e = (key: string) => auditOnce(app.models, { actor: 'system', action: 'concern.test', key, at });
    await e('a');
    await Promise.all([e('a'), e('b'), e('b'), e('c')]);
    expect(await app.models.Audit.countDocuments({ action: 'concern.test' })).toBe(3);
  });
});
