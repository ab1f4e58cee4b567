/** Materials (tài liệu, bản tin) and members' topic subscriptions, bound to a connection. */
import { Schema, type Connection, type Model } from 'mongoose';

/** Topics a material belongs to; labels live in locales (materials:topic.<id>). */
export const TOPICS = ['labour_rights', 'skills', 'health', 'culture_tet', 'youth_union', 'you_said_we_did', 'other'] as const;
export type Topic = (typeof TOPICS)[number];

/** One language version of a material. */
export interface MaterialContent {
  title: string;
  body: string;
  photoUrl?: string;
}

export interface MaterialDoc {
  _id: string;
  topic: Topic;
  /** Content per language code ("vi", "en", …); Vietnamese is expected, others optional. */
  content: Record<string, MaterialContent>;
  /** Workers see the material from this time on. */
  publishAt: Date;
  author: string;
  createdAt: Date;
  /** Set while the material is withdrawn: workers no longer see it (web console: unpublish). */
  unpublishedAt?: Date;
  /** Who last edited it, and when (web console). */
  updatedBy?: string;
  updatedAt?: Date;
}

/** Topics a member turned off; no document means subscribed to every topic. */
export interface TopicPrefsDoc {
  _id: string;
  off: string[];
  updatedAt: Date;
}

export interface MaterialModels {
  Material: Model<MaterialDoc>;
  TopicPrefs: Model<TopicPrefsDoc>;
}

/** Binds the materials models to a connection (tests use one database each). */
export function bindMaterialModels(conn: Connection): MaterialModels {
  return {
    Material:
      conn.models.Material ??
      conn.model(
        'Material',
        new Schema<MaterialDoc>(
          {
            _id: String,
            topic: { type: String, required: true },
            content: { type: Schema.Types.Mixed, required: true },
            publishAt: { type: Date, required: true },
            author: { type: String, required: true },
            createdAt: { type: Date, required: true },
            unpublishedAt: Date,
            updatedBy: String,
            updatedAt: Date,
          },
          { collection: 'materials', versionKey: false, minimize: false },
        ),
      ),
    TopicPrefs:
      conn.models.TopicPrefs ??
      conn.model(
        'TopicPrefs',
        new Schema<TopicPrefsDoc>({ _id: String, off: { type: [String], default: [] }, updatedAt: { type: Date, required: true } }, { collection: 'topic_prefs', versionKey: false }),
      ),
  } as MaterialModels;
}
