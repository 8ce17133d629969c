/**
 * The engine's EventSink for statistics. The engine already scrubs; this is the last gate before
 * the database, so it trusts nothing: text is scrubbed again, ids must look like content ids,
 * codes are checked, the user key is shortened (and re-hashed if it is not a pseudonym),
 * and unknown fields are dropped because each event is rebuilt field by field.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { pseudonymHex } from '../privacy/pseudonym.js';
import { PLACEHOLDER, scrub, type SensitiveKind } from '../privacy/scrub.js';
import type { DialogEvent, EventContext, EventSink, Outcome } from './events.js';
import type { StatsStore } from './store.js';
import { EMERGENCY_KINDS, SMALLTALK_KINDS, type EmergencyKind, type SmallTalkKind } from '../understand/intents.js';

/** Longest text kept per question: enough to read, bounded so a pasted document cannot flood the table. */
export const MAX_STORED_TEXT = 300;
/** 64 bits of the pseudonym: unique enough per commune, and not the conversation key itself. */
export const STATS_KEY_LENGTH = 16;
/** A referral code that contained personal data is kept under this name (its numbers still count). */
export const HIDDEN_CODE = '[ẨN]';

const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CODE_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const REFERRAL_RE = /^[A-Za-z0-9_-]{1,32}$/;
const CHANNEL_RE = /^[a-z0-9_-]{1,32}$/i;
const COMMUNE_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const OUTCOMES: ReadonlySet<Outcome> = new Set(['answered', 'low-confidence', 'unanswered']);
const KINDS = new Set(Object.keys(PLACEHOLDER));
const EMERGENCY: ReadonlySet<EmergencyKind> = new Set(EMERGENCY_KINDS);
const SMALLTALK: ReadonlySet<SmallTalkKind> = new Set(SMALLTALK_KINDS);

const cleanText = (v: unknown) => scrub(typeof v === 'string' ? v : '').text.slice(0, MAX_STORED_TEXT);
const cleanId = (v: unknown): string | null => (typeof v === 'string' && v.length <= 64 && ID_RE.test(v) ? v : null);
const cleanStep = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 999 ? v : null);
const cleanScore = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(Math.min(Math.max(v, -1e6), 1e6) * 1e4) / 1e4 : 0);

/** A short code (referral, failure) that must not carry a phone or ID number in disguise. */
function cleanCode(v: unknown, shape: RegExp): string | null {
  if (typeof v !== 'string' || !shape.test(v)) return null;
  const { found } = scrub(v);
  // 4–8 digits alone ("team2025") are fine in a code; phones, IDs, emails... are not.
  return [...found].some((k) => k !== 'code') ? HIDDEN_CODE : v;
}

/** Rebuilds an event from known fields only; null when it cannot be recorded safely. */
export function sanitizeEvent(event: DialogEvent): DialogEvent | null {
  const e = event as unknown as Record<string, unknown>;
  switch (event?.type) {
    case 'conversation-start': {
      const referral = e.referral === undefined ? null : cleanCode(e.referral, REFERRAL_RE);
      return referral ? { type: 'conversation-start', referral } : { type: 'conversation-start' };
    }
    case 'referral': {
      const referral = cleanCode(e.referral, REFERRAL_RE);
      return referral ? { type: 'referral', referral } : null;
    }
    case 'question':
      return {
        type: 'question',
        text: cleanText(e.text),
        normalized: cleanText(e.normalized),
        matchedId: cleanId(e.matchedId),
        nearestId: cleanId(e.nearestId),
        score: cleanScore(e.score),
        outcome: OUTCOMES.has(e.outcome as Outcome) ? (e.outcome as Outcome) : 'unanswered',
      };
    case 'entry-view': {
      const entryId = cleanId(e.entryId);
      return entryId ? { type: 'entry-view', entryId } : null;
    }
    case 'walk-start':
    case 'walk-complete': {
      const guideId = cleanId(e.guideId);
      return guideId ? { type: event.type, guideId } : null;
    }
    case 'walk-step':
    case 'walk-stuck':
    case 'walk-abandon': {
      const guideId = cleanId(e.guideId);
      const step = cleanStep(e.step);
      return guideId && step ? { type: event.type, guideId, step } : null;
    }
    case 'sensitive-data': {
      const kinds = Array.isArray(e.kinds) ? [...new Set(e.kinds.filter((k): k is SensitiveKind => typeof k === 'string' && KINDS.has(k)))] : [];
      return { type: 'sensitive-data', kinds };
    }
    case 'delivery-failure':
      return { type: 'delivery-failure', code: cleanCode(e.code, CODE_RE) ?? 'unknown' };
    case 'emergency': {
      // Kinds only: the message itself is never kept.
      const kinds = Array.isArray(e.kinds) ? [...new Set(e.kinds.filter((k): k is EmergencyKind => EMERGENCY.has(k as EmergencyKind)))] : [];
      return { type: 'emergency', kinds };
    }
    case 'smalltalk':
      return SMALLTALK.has(e.kind as SmallTalkKind) ? { type: 'smalltalk', kind: e.kind as SmallTalkKind } : null;
    default:
      return null;
  }
}

/**
 * Keys anything that is not a pseudonym. Random per process and never stored: a plain hash of a
 * raw id (a phone-sized number) could be reversed by trying every number; this cannot.
 */
const FALLBACK_KEY = randomBytes(32);

/**
 * The key statistics are filed under: the first 64 bits of a pseudonym's HMAC (the same key as
 * before pseudonyms had their "ps." prefix, so older statistics still join), or, for anything
 * pseudonymize() did not make (a channel passing a raw id by mistake), a keyed hash of it: never
 * the value itself, nor any part of it.
 */
export function statsUserKey(userKey: string): string {
  const hex = pseudonymHex(userKey);
  if (hex) return hex.slice(0, STATS_KEY_LENGTH);
  return createHmac('sha256', FALLBACK_KEY).update(`stats:${userKey}`).digest('hex').slice(0, STATS_KEY_LENGTH);
}

export interface StatsSinkOptions {
  store: StatsStore;
  /** Commune of events whose context names none (single-commune servers, shared chats before the citizen said); default 'default'. */
  commune?: string;
  /**
   * Told about write failures, which never reach the citizen: a statistic lost is better than a
   * reply lost. Receives the error only (no event, no text), so it is safe to log.
   */
  onError?: (err: unknown) => void;
}

export class StatsSink implements EventSink {
  private readonly commune: string;

  constructor(private readonly o: StatsSinkOptions) {
    this.commune = o.commune && /^[a-z0-9_-]{1,64}$/i.test(o.commune) ? o.commune : 'default';
  }

  async record(event: DialogEvent, context: EventContext): Promise<void> {
    try {
      const clean = sanitizeEvent(event);
      if (!clean) return;
      await this.o.store.record(clean, {
        channel: typeof context.channel === 'string' && CHANNEL_RE.test(context.channel) ? context.channel : 'unknown',
        userKey: statsUserKey(String(context.userKey ?? '')),
        at: typeof context.at === 'number' && Number.isFinite(context.at) ? Math.trunc(context.at) : Date.now(),
        // The turn's commune (a communes.yaml id) when it has one.
        commune: typeof context.commune === 'string' && context.commune.length <= 64 && COMMUNE_RE.test(context.commune) ? context.commune : this.commune,
      });
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}
