/** MongoDB connection (mongoose) and the models of the foundation, bound to that connection. */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import type { Envelope } from './engine/types.js';

export const ROLES = ['worker', 'cadre', 'secretariat', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A role held at one org unit (and everything under it), optionally for one organisation.
 * A grant at a root unit is the city level: the whole tree (core/members/access-scope.ts).
 */
export interface RoleGrant {
  role: Role;
  unitId: string;
  /** One of the organisations of cadre assignments (ORGANISATIONS in core/concerns/models.ts). */
  organisation?: string;
}

export interface OrgUnitDoc {
  _id: string;
  name: string;
  kind: string;
  organisation?: string;
  parentId?: string;
  ancestors: string[];
  aliases: string[];
  validFrom?: Date;
  validTo?: Date;
}

export interface ConsentRecord {
  version: string;
  givenAt: Date;
  channel: string;
}

export interface MemberDoc {
  _id: string;
  /** The roles held, kept in step with `grants` (flows and the engine read these). */
  roles: Role[];
  /** Where the roles are held (core/members/role-grants.ts); absent on members written before grants. */
  grants?: RoleGrant[];
  orgUnitId?: string;
  locale: string;
  consent?: ConsentRecord;
  status: 'active' | 'erased';
  broadcastsOptOut: boolean;
  displayName?: string;
  createdAt: Date;
  erasedAt?: Date;
}

export interface ChannelIdentityDoc {
  _id: string;
  channel: string;
  platformUserId: string;
  chatId: string;
  memberId?: string;
  unreachable?: boolean;
  createdAt: Date;
}

export interface ConversationDoc {
  _id: string;
  flow: string;
  step: string;
  data: Record<string, unknown>;
  history: { flow: string; step: string }[];
  choices: { id: string; label: string }[];
  /** The nonce of the question asked last (see Inbound.choiceNonce). */
  choiceNonce?: string;
  locale?: string;
  expiresAt?: Date;
  recentEvents: { id: string; replies: { text: string; choices?: { id: string; label: string }[]; choiceNonce?: string; photoUrl?: string; locale?: string }[] }[];
  /**
   * Messages to other people from the last turn, kept from its commit until they are queued, so
   * a crash in between cannot lose them (sent again on the replay or the person's next event).
   */
  pendingNotices?: { eventId: string; envelopes: Envelope[] };
  /** Data, choices and recent replies, sealed (core/engine/conversation-seal.ts); those fields are then empty. */
  sealed?: string;
  /**
   * The identity's member as of `checkedAt` (core/engine/identity-snapshot.ts): a member's turn
   * reads the conversation and the member, not the identity too.
   */
  identity?: { memberId: string; chatId: string; checkedAt: Date };
  updatedAt: Date;
}

export interface AuditDoc {
  _id: string;
  at: Date;
  actor: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

export interface DeliveryDoc {
  _id: string;
  channel: string;
  chatId: string;
  memberId?: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  reason?: string;
  createdAt: Date;
  sentAt?: Date;
}

const choice = new Schema({ id: String, label: String }, { _id: false });
const outbound = new Schema({ text: String, choices: [choice], choiceNonce: String, photoUrl: String, locale: String }, { _id: false });

const schemas = {
  OrgUnit: new Schema<OrgUnitDoc>(
    {
      _id: String,
      name: { type: String, required: true },
      kind: { type: String, required: true },
      organisation: String,
      parentId: String,
      ancestors: { type: [String], default: [] },
      aliases: { type: [String], default: [] },
      validFrom: Date,
      validTo: Date,
    },
    { collection: 'org_units', versionKey: false },
  ),
  Member: new Schema<MemberDoc>(
    {
      _id: String,
      roles: { type: [String], default: ['worker'] },
      grants: { type: [new Schema({ role: String, unitId: String, organisation: String }, { _id: false })], default: undefined },
      orgUnitId: String,
      locale: { type: String, required: true },
      consent: new Schema({ version: String, givenAt: Date, channel: String }, { _id: false }),
      status: { type: String, default: 'active' },
      broadcastsOptOut: { type: Boolean, default: false },
      displayName: String,
      createdAt: { type: Date, required: true },
      erasedAt: Date,
    },
    { collection: 'members', versionKey: false },
  ),
  ChannelIdentity: new Schema<ChannelIdentityDoc>(
    {
      _id: String,
      channel: { type: String, required: true },
      platformUserId: { type: String, required: true },
      chatId: { type: String, required: true },
      // A member's chats are looked up by member (notices, account links); MongoDB uses this index, FerretDB scans anyway.
      memberId: { type: String, index: true },
      unreachable: Boolean,
      createdAt: { type: Date, required: true },
    },
    { collection: 'channel_identities', versionKey: false },
  ),
  Conversation: new Schema<ConversationDoc>(
    {
      _id: String,
      flow: { type: String, required: true },
      step: { type: String, required: true },
      data: { type: Schema.Types.Mixed, default: {} },
      history: { type: [new Schema({ flow: String, step: String }, { _id: false })], default: [] },
      choices: { type: [choice], default: [] },
      choiceNonce: String,
      locale: String,
      expiresAt: Date,
      recentEvents: { type: [new Schema({ id: String, replies: [outbound] }, { _id: false })], default: [] },
      pendingNotices: Schema.Types.Mixed,
      sealed: String,
      identity: new Schema({ memberId: String, chatId: String, checkedAt: Date }, { _id: false }),
      updatedAt: { type: Date, required: true },
    },
    { collection: 'conversations', versionKey: false, minimize: false },
  ),
  Audit: new Schema<AuditDoc>(
    {
      _id: String,
      at: { type: Date, required: true },
      actor: { type: String, required: true },
      action: { type: String, required: true },
      target: String,
      details: Schema.Types.Mixed,
    },
    { collection: 'audit_log', versionKey: false },
  ),
  Delivery: new Schema<DeliveryDoc>(
    {
      _id: String,
      channel: { type: String, required: true },
      chatId: { type: String, required: true },
      memberId: String,
      status: { type: String, required: true },
      attempts: { type: Number, default: 0 },
      reason: String,
      createdAt: { type: Date, required: true },
      sentAt: Date,
    },
    { collection: 'deliveries', versionKey: false },
  ),
  ErasedIdentity: new Schema<ErasedIdentityDoc>({ _id: String, at: { type: Date, required: true } }, { collection: 'erased_identities', versionKey: false }),
};

/**
 * A chat app identity whose person deleted their data: `_id` is a keyed HMAC of the identity id
 * (PrivacyKeys.marker('erased-identity', id)), so it names nobody, yet an import can refuse to
 * re-create them with a consent they never gave.
 */
export interface ErasedIdentityDoc {
  _id: string;
  at: Date;
}

export interface Models {
  OrgUnit: Model<OrgUnitDoc>;
  Member: Model<MemberDoc>;
  ChannelIdentity: Model<ChannelIdentityDoc>;
  Conversation: Model<ConversationDoc>;
  Audit: Model<AuditDoc>;
  Delivery: Model<DeliveryDoc>;
  ErasedIdentity: Model<ErasedIdentityDoc>;
}

/** Binds the foundation's models to a connection (so tests can use one database each). */
export function bindModels(conn: Connection): Models {
  return {
    OrgUnit: conn.model('OrgUnit', schemas.OrgUnit),
    Member: conn.model('Member', schemas.Member),
    ChannelIdentity: conn.model('ChannelIdentity', schemas.ChannelIdentity),
    Conversation: conn.model('Conversation', schemas.Conversation),
    Audit: conn.model('Audit', schemas.Audit),
    Delivery: conn.model('Delivery', schemas.Delivery),
    ErasedIdentity: conn.model('ErasedIdentity', schemas.ErasedIdentity),
  };
}

/** The database could not be reached; the message says where and what to do. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/**
 * Driver commands sent by this process, by command name (find, update, insert, getMore, …), counted
 * only when BENCH_COUNT_COMMANDS=1 (the driver's command monitoring; off otherwise, as it costs
 * an event per command). `npm run bench:inbound` reads them to report MongoDB operations per event.
 */
export const driverCommandCounts = new Map<string, number>();

/** Opens a connection, failing within a few seconds with a clear message when unreachable. */
export async function connectMongo(uri: string, dbName: string, timeoutMs = 5000): Promise<Connection> {
  const countCommands = process.env.BENCH_COUNT_COMMANDS === '1';
  const conn = mongoose.createConnection(uri, {
    dbName,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    autoIndex: true,
    ...(countCommands ? { monitorCommands: true } : {}),
  });
  try {
    await conn.asPromise();
    if (countCommands) {
      conn.getClient().on('commandStarted', (e) => {
        // By command and collection ("update:conversations"), so a benchmark shows where they go.
        const collection = (e.command as Record<string, unknown>)[e.commandName];
        const name = typeof collection === 'string' ? `${e.commandName}:${collection}` : e.commandName;
        driverCommandCounts.set(name, (driverCommandCounts.get(name) ?? 0) + 1);
      });
    }
    await conn.db!.admin().ping();
  } catch (err) {
    await conn.close().catch(() => undefined);
    const where = uri.replace(/\/\/[^@/]*@/, '//***@');
    throw new DatabaseUnavailableError(`Cannot reach MongoDB at ${where} (${(err as Error).message.split('\n')[0]}): start it, or fix MONGODB_URI`);
  }
  return conn;
}
