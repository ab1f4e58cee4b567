/** Domain services flows use; built once per process by the composition root. */
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditReader } from '../audit/audit-reader.js';
import type { BroadcastService } from '../broadcasts/broadcast-service.js';
import type { MaterialService } from '../materials/material-service.js';
import type { MeetingService } from '../meetings/meeting-service.js';
import type { ConcernService } from '../concerns/concern-service.js';
import type { CaseService } from '../cases/case-service.js';
import type { ContactBook } from '../concerns/contact-book.js';
import type { ConversationStore } from './conversation-store.js';
import type { Jobs } from '../jobs.js';
import type { Translations } from '../i18n.js';
import type { AccessScope } from '../members/access-scope.js';
import type { AccountLinks } from '../members/account-links.js';
import type { MemberService } from '../members/member-service.js';
import type { OrgDirectory } from '../org/org-directory.js';
import type { MemberErasure } from '../privacy/member-erasure.js';
import type { PrivacyKeys } from '../privacy/privacy-keys.js';
import type { DashboardReader } from '../reports/dashboard-reader.js';
import type { FeedbackService } from '../feedback/feedback-service.js';
import type { SurveyService } from '../surveys/survey-service.js';
import type { WebSignIn } from '../web-access/web-sign-in.js';

export interface Services {
  /** Where a member can be reached (their chats), for notices. */
  contacts: ContactBook;
  /** Where each person's conversation lives (the engine's one read and one write per event). */
  conversations: ConversationStore;
  members: MemberService;
  links: AccountLinks;
  org: OrgDirectory;
  /** Who may act where: roles held at units (the one scope check, audited when it refuses). */
  access: AccessScope;
  audit: AuditLog;
  /** Reading the audit log (the web console's audit page). */
  auditReader: AuditReader;
  /** The dashboard's figures for a scope and a period (the web console's dashboard page). */
  dashboard: DashboardReader;
  /** One-time sign-in links and sessions of the web console. */
  webSignIn: WebSignIn;
  i18n: Translations;
  /** Timed work (delayed and repeating jobs). */
  jobs: Jobs;
  /** Surveys and branch inspections. */
  surveys: SurveyService;
  /** Workers' concerns: intake, routing to cadres, SLA escalation. */
  concerns: ConcernService;
  /** Collective cases: concerns of one category about one enterprise, handled together by one lead cadre. */
  cases: CaseService;
  /** The materials library and topic subscriptions. */
  materials: MaterialService;
  /** The secretariat's scheduled broadcasts. */
  broadcasts: BroadcastService;
  /** Branch meetings at flexible times: slot votes, the fixed time, reminders, check-in. */
  meetings: MeetingService;
  /** "You said, we did": survey feedback and anonymised outcome notes, published as materials. */
  feedback: FeedbackService;
  /** Secrets kept outside the database: the reporter seal and keyed markers. */
  keys: PrivacyKeys;
  /** "Delete my data": every store's part, in order. */
  erasure: MemberErasure;
}
