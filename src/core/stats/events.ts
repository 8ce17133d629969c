/**
 * What the dialog reports for statistics. Text fields are already scrubbed of personal data;
 * users are known only by their pseudonymous key.
 */
export type Outcome = 'answered' | 'low-confidence' | 'unanswered';

export type DialogEvent =
  | { type: 'conversation-start'; referral?: string }
  /**
   * A conversation already under way attributed to a volunteer team's code: the citizen typed the
   * code (a Zalo OA link cannot carry one, so it comes after the follow). Counted per code, not
   * as another conversation.
   */
  | { type: 'referral'; referral: string }
  | { type: 'question'; text: string; normalized: string; matchedId: string | null; nearestId: string | null; score: number; outcome: Outcome }
  | { type: 'entry-view'; entryId: string }
  | { type: 'walk-start'; guideId: string }
  | { type: 'walk-step'; guideId: string; step: number }
  | { type: 'walk-stuck'; guideId: string; step: number }
  | { type: 'walk-complete'; guideId: string }
  | { type: 'walk-abandon'; guideId: string; step: number }
  | { type: 'sensitive-data'; kinds: string[] }
  /** A message about a danger (kinds: police, fire, medical, scam, urgent); never its text. */
  | { type: 'emergency'; kinds: string[] }
  /** "cảm ơn", "tạm biệt", "bạn là ai"...: answered, not a question. */
  | { type: 'smalltalk'; kind: string }
  | { type: 'delivery-failure'; code: string };

export interface EventContext {
  channel: string;
  userKey: string;
  at: number;
  /** The citizen's commune (a communes.yaml id), when the server has several and it is known. */
  commune?: string;
}

export interface EventSink {
  record(event: DialogEvent, context: EventContext): Promise<void>;
}

export const nullSink: EventSink = { record: async () => {} };
