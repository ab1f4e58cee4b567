/**
 * For the dashboard's tests (over HTTP and in chromium): the sample tree plus an enterprise with a
 * hostile name, two secretariat members (the city; the VSIP I zone), a trade-union cadre at Phúc
 * Thịnh, workers on Zalo and Telegram, an erased member, concerns with known SLA outcomes, and
 * broadcasts with counts — all in November 2026, the test clock's month (now 09:00 25/11/2026).
 */
import { bindBroadcastModels, type BroadcastDoc } from '../../core/broadcasts/models.js';
import type { ConcernDoc } from '../../core/concerns/models.js';
import { addMember, assign } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import type { TestApp } from '../../test/support/test-app.js';

/** The enterprise whose name is markup (it must show as text). */
export const HOSTILE_UNIT_NAME = '<script>alert(1)</script> Cty "X"';

/** A Vietnam wall-clock time, "2026-11-16 08:00". */
export const vn = (s: string) => new Date(`${s.replace(' ', 'T')}:00+07:00`);
const MIN = 60_000;

function concern(id: string, o: Partial<ConcernDoc> & { at: string; unit: string }): ConcernDoc {
  const createdAt = vn(o.at);
  return {
    _id: id,
    category: 'wages',
    orgUnitId: o.unit,
    levelUnitId: o.unit,
    level: 0,
    flagged: false,
    urgent: false,
    anonymous: true,
    status: 'received',
    description: 'Nội dung phản ánh không hiển thị trên bảng tổng hợp',
    photos: 0,
    awaitingAnswer: false,
    slaOutcomes: [],
    slaSeq: 0,
    events: [{ at: createdAt, kind: 'created', actor: 'reporter' }],
    intakeKey: `k-${id}`,
    createdAt,
    updatedAt: createdAt,
    ...o,
  } as ConcernDoc;
}

function broadcast(id: string, o: { started: string; unit?: string; text: string; counts: Partial<BroadcastDoc['counts']> }): BroadcastDoc {
  const at = vn(o.started);
  return {
    _id: id,
    content: { text: o.text },
    audience: { ...(o.unit ? { orgUnitId: o.unit } : {}), topics: [], roles: [] },
    schedule: { kind: 'once', at },
    quietHours: null,
    status: 'done',
    createdBy: 'm-thu',
    createdAt: at,
    updatedAt: at,
    generation: 1,
    fannedOut: true,
    counts: { targeted: 0, sent: 0, failed: 0, unreachable: 0, optedOut: 0, withdrawn: 0, cancelled: 0, ...o.counts },
    startedAt: at,
    finishedAt: at,
  };
}

export async function seedDashboard(app: TestApp): Promise<void> {
  await insertSampleUnits(app.models);
  await app.models.OrgUnit.create({ _id: 'ent-hostile', name: HOSTILE_UNIT_NAME, kind: 'enterprise', parentId: 'kcn-song-than-2', ancestors: ['hcm', 'kcn-song-than-2'], aliases: [] });
  await addMember(app, { id: 'm-thu', name: 'Chị Nguyễn Thị Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-thu' });
  await addMember(app, { id: 'm-vy', name: 'Chị Trần Thảo Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1', chatId: 'c-vy' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
  await addMember(app, { id: 'c-tu', name: 'Anh Tú Công đoàn', roles: ['cadre'], orgUnitId: 'ent-phuc-thinh', chatId: 'c-tu' });
  await assign(app, { memberId: 'c-tu', unit: 'ent-phuc-thinh', organisation: 'trade_union' });

  const worker = (id: string, unit: string, created: string) => ({ _id: id, roles: ['worker'], orgUnitId: unit, locale: 'vi', consent: { version: 'test', givenAt: vn(created), channel: 'zalo' }, status: 'active', broadcastsOptOut: false, createdAt: vn(created) });
  await app.models.Member.insertMany([
    worker('w-a1', 'ent-phuc-thinh', '2026-10-01 08:00'),
    worker('w-a2', 'ent-hoa-sen', '2026-11-17 08:00'),
    worker('w-b1', 'ent-det-song-than', '2026-11-10 08:00'),
    { _id: 'w-gone', roles: [], locale: 'vi', status: 'erased', broadcastsOptOut: true, createdAt: vn('2026-11-12 08:00'), erasedAt: vn('2026-11-12 08:00') },
  ]);
  const identity = (channel: string, user: string, memberId: string) => ({ _id: `${channel}:${user}`, channel, platformUserId: user, chatId: user, memberId, createdAt: vn('2026-11-01 08:00') });
  await app.models.ChannelIdentity.insertMany([identity('zalo', 'za1', 'w-a1'), identity('telegram', 'tg1', 'w-a1'), identity('zalo', 'za2', 'w-a2'), identity('telegram', 'tg3', 'w-b1')]);

  await app.services.concerns.cm.Concern.insertMany([
    // VSIP I: answered in 30 min and resolved in 2 h, both in time.
    concern('PA-V001', { at: '2026-11-16 08:00', unit: 'ent-phuc-thinh', status: 'resolved', firstResponseAt: new Date(vn('2026-11-16 08:00').getTime() + 30 * MIN), resolvedAt: new Date(vn('2026-11-16 08:00').getTime() + 120 * MIN), slaOutcomes: [{ kind: 'first_response', level: 0, met: true }, { kind: 'resolution', level: 0, met: true }] }),
    // Missed at the enterprise, answered after 90 min at the zone.
    concern('PA-V002', { at: '2026-11-18 08:00', unit: 'ent-hoa-sen', category: 'harassment', status: 'accepted', level: 1, levelUnitId: 'vsip1', firstResponseAt: new Date(vn('2026-11-18 08:00').getTime() + 90 * MIN), slaOutcomes: [{ kind: 'first_response', level: 0, met: false }, { kind: 'first_response', level: 1, met: true }] }),
    concern('PA-V003', { at: '2026-11-10 10:00', unit: 'ent-hoa-sen', category: 'overtime', flagged: true }),
    // Sóng Thần 2.
    concern('PA-S001', { at: '2026-11-17 09:00', unit: 'ent-det-song-than', status: 'escalated', slaOutcomes: [{ kind: 'first_response', level: 0, met: false }] }),
    concern('PA-S002', { at: '2026-11-24 09:00', unit: 'ent-det-song-than', category: 'housing_security', status: 'withdrawn' }),
    concern('PA-S003', { at: '2026-11-19 09:00', unit: 'ent-hostile', category: 'skills' }),
    // Before the default period (8 weeks from Monday 5 October).
    concern('PA-OLD1', { at: '2026-09-01 08:00', unit: 'ent-phuc-thinh' }),
  ]);

  await bindBroadcastModels(app.conn).Broadcast.insertMany([
    broadcast('bc-city', { started: '2026-11-03 08:00', text: 'Chúc mừng ngày Nhà giáo cho toàn thành phố', counts: { targeted: 100, sent: 95, failed: 5, optedOut: 7 } }),
    broadcast('bc-vsip', { started: '2026-11-17 19:00', unit: 'vsip1', text: 'Sinh hoạt chi đoàn tối thứ Sáu', counts: { targeted: 40, sent: 38, failed: 2, optedOut: 1 } }),
    broadcast('bc-st2', { started: '2026-11-18 19:00', unit: 'kcn-song-than-2', text: 'Khám sức khỏe miễn phí KCN Sóng Thần', counts: { targeted: 10, sent: 10 } }),
  ]);
}

/** The cells of a table of a page (by id), as text: header row first. */
export function tableOf(page: string, id: string): string[][] {
  const m = new RegExp(`<table class="data" id="${id}">([\\s\\S]*?)</table>`).exec(page);
  if (!m) throw new Error(`no table #${id} on the page`);
  const text = (s: string) =>
    s
      .replace(/<[^>]*>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .trim();
  return [...m[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!)));
}
