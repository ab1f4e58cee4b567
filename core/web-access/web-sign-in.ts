/**
 * Signing in to the web console without a password: a staff member asks the bot (or an operator
 * the admin CLI) for a one-time link; the link's token lives in Redis for ten minutes and is
 * taken once (GETDEL). A signed-in session holds only the member id: `staffMember` re-reads the
 * member and their grants on every request, so a revoked role takes effect on the next one.
 * Issuing, signing in and signing out are audited; sign-in attempts are limited per address.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { MemberDoc } from '../db.js';
import { STAFF_ROLES, scopeOf, type AccessScope, type ResolvedScope } from '../members/access-scope.js';
import type { MemberService } from '../members/member-service.js';
import type { PrivacyKeys } from '../privacy/privacy-keys.js';
import type { RedisKeys } from '../redis-keys.js';

/** How long a sign-in link works. */
export const WEB_LOGIN_TTL_SECONDS = 600;
/** Sign-in attempts one address may make per window (each visit of a link, each press of "sign in"). */
export const SIGN_IN_ATTEMPTS = 20;
export const SIGN_IN_WINDOW_SECONDS = 600;

/** A token: 32 random bytes, base64url (43 characters). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Whether a member holds a staff role (secretariat or admin) through a grant: who may use the web console. */
export function isStaff(member: Pick<MemberDoc, '_id' | 'roles' | 'grants' | 'status'> | null | undefined): boolean {
  return !!member && member.status === 'active' && STAFF_ROLES.some((r) => scopeOf(member, r).length > 0);
}

/** A signed-in member as of this request: their record and where their staff roles reach. */
export interface StaffMember {
  member: MemberDoc;
  scope: ResolvedScope;
}

/** The member is not staff: no link is issued. */
export class NotStaffError extends Error {
  override name = 'NotStaffError';
  constructor(memberId: string) {
    super(`member ${memberId} holds no secretariat or admin role: grant one first (npm run admin -- grant-role ${memberId} secretariat --unit <unit>)`);
  }
}

export interface WebSignInDeps {
  redis: Redis;
  redisKeys: RedisKeys;
  keys: PrivacyKeys;
  members: MemberService;
  access: AccessScope;
  audit: AuditLog;
  /** Where the console is reached: PUBLIC_URL, or http://localhost:PORT. */
  baseUrl: string;
}

export class WebSignIn {
  constructor(private readonly d: WebSignInDeps) {}

  private tokenKey(token: string): string {
    return this.d.redisKeys.webLoginToken(createHash('sha256').update(token).digest('hex'));
  }

  /** The link that signs in with `token`. */
  linkFor(token: string): string {
    return `${this.d.baseUrl.replace(/\/+$/, '')}/web/login/${token}`;
  }

  /**
   * A fresh one-time link for a staff member, valid WEB_LOGIN_TTL_SECONDS; audited as
   * `web.link_issued` (actor: the member in chat, `admin-cli` from the CLI). Throws NotStaffError.
   */
  async issueLink(member: MemberDoc, args: { at: Date; via: 'chat' | 'cli'; actor?: string; idempotencyKey?: string }): Promise<{ url: string; minutes: number }> {
    if (!isStaff(member)) throw new NotStaffError(member._id);
    const token = randomBytes(32).toString('base64url');
    await this.d.redis.set(this.tokenKey(token), member._id, 'EX', WEB_LOGIN_TTL_SECONDS);
    await this.d.audit.record({ actor: args.actor ?? member._id, action: 'web.link_issued', target: member._id, details: { via: args.via }, ...(args.idempotencyKey ? { idempotencyKey: args.idempotencyKey } : {}), at: args.at });
    return { url: this.linkFor(token), minutes: WEB_LOGIN_TTL_SECONDS / 60 };
  }

  /** Whether a link's token is still waiting to be used (shown before the person confirms; takes nothing). */
  async isPending(token: string): Promise<boolean> {
    return TOKEN_PATTERN.test(token) && (await this.d.redis.exists(this.tokenKey(token))) === 1;
  }

  /**
   * Takes a link's token (once: GETDEL) and returns the staff member it signs in, or undefined
   * when it is unknown, used, expired, or its member is no longer active staff. Audited as
   * `web.signed_in`.
   */
  async redeem(token: string, at: Date): Promise<StaffMember | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const memberId = await this.d.redis.getdel(this.tokenKey(token));
    if (!memberId) return undefined;
    const staff = await this.staffMember(memberId, at);
    if (!staff) return undefined;
    await this.d.audit.record({ actor: memberId, action: 'web.signed_in', target: memberId, at });
    return staff;
  }

  /** The member of a session as of now, with their staff scope; undefined once they are no longer active staff. */
  async staffMember(memberId: string, at: Date): Promise<StaffMember | undefined> {
    const member = await this.d.members.get(memberId);
    if (!member || !isStaff(member)) return undefined;
    return { member, scope: await this.d.access.resolve(member, STAFF_ROLES, at) };
  }

  /** Audits a sign-out (`web.signed_out`), or a session ended because the role was taken away (`reason`). */
  async signedOut(memberId: string, at: Date, reason?: 'role_revoked'): Promise<void> {
    await this.d.audit.record({ actor: memberId, action: 'web.signed_out', target: memberId, ...(reason ? { details: { reason } } : {}), at });
  }

  /**
   * Counts a sign-in attempt from `address` (an IP address: only its keyed marker reaches Redis)
   * and says whether it is within SIGN_IN_ATTEMPTS per SIGN_IN_WINDOW_SECONDS.
   */
  async attemptAllowed(address: string): Promise<boolean> {
    const key = this.d.redisKeys.webSignInAttempts(this.d.keys.marker('web-signin-ip', address));
    const [[, count]] = (await this.d.redis.multi().incr(key).expire(key, SIGN_IN_WINDOW_SECONDS, 'NX').exec()) as [[null, number], unknown];
    return count <= SIGN_IN_ATTEMPTS;
  }
}
