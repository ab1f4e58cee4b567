/**
 * What each store holds of a person, declared where erasure is implemented. Every MongoDB
 * collection and Redis key family the app writes is either erased by a step of MemberErasure
 * (which names the fields it clears) or listed below as holding no personal data, with the
 * reason; core/privacy/personal-data.test.ts fails when a collection is in neither list.
 */

/** A store and its fields that are personal data (they name, reach or quote a person). */
export interface PersonalFields {
  /** A MongoDB collection, or a Redis key family ("redis …", "BullMQ …"). */
  store: string;
  fields: readonly string[];
}

/** Collections that hold no personal data, and why (docs/privacy.md lists the same). */
export const NO_PERSONAL_DATA: readonly { store: string; why: string }[] = [
  { store: 'org_units', why: 'the organisation tree: units, their names and codes' },
  { store: 'surveys', why: 'survey definitions written by the secretariat' },
  { store: 'materials', why: 'published materials' },
  { store: 'broadcasts', why: 'the secretariat’s broadcasts: text, audience filters, counts' },
  { store: 'erased_identities', why: 'keyed markers (HMAC with MARKER_KEY) of erased identities: name nobody without the key, kept so an import cannot bring them back' },
];
