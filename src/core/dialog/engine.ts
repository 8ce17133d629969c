/**
 * The dialog engine: one turn in, replies out. Channel-agnostic: it knows content, matcher,
 * walkthroughs and storage, never Telegram, Zalo or HTTP. State is written after every turn,
 * so a restart mid-walkthrough loses nothing.
 */
import { LRUCache } from 'lru-cache';
import type { Entry } from '../content/schema.js';
import type { Knowledge } from '../knowledge.js';
import type { MatchResult } from '../match/matcher.js';
import { scrub, type SensitiveKind } from '../privacy/scrub.js';
import { normalizeTokens } from '../text/normalize.js';
import { interpret, isEmergency, type Interpretation } from '../understand/interpret.js';
import type { StepProblem } from '../understand/walk-context.js';
import type { Storage, UserDataDeleted } from '../../storage/storage.js';
import { nullSink, type DialogEvent, type EventSink } from '../stats/events.js';
import { statsUserKey } from '../stats/sink.js';
import { FORGET_CANCEL, FORGET_CONFIRM, FORGET_TEXTS, isForgetCommand } from './forget.js';
import { button, isPayload, PAYLOAD_PREFIX, reply, type Button, type Reply } from './reply.js';
import { fill, type MenuItem, type Script } from './script.js';
import * as walk from './walkthrough.js';
import { FloodGuard, type FloodOptions } from './flood.js';
import { closedUntil, communePhrase, contactPhrase, nameInSentence, type CommuneDirectory } from '../communes/directory.js';
import type { Commune } from '../communes/schema.js';
import { tokenize } from '../text/normalize.js';
import { referralFromStart, typedReferral, type KnownReferral, type ReferralDirectory } from '../referral.js';

export interface DialogState {
  v: 1;
  /** The channel of the last turn (for statistics recorded without a turn, e.g. abandonment). */
  channel?: string;
  /** Likewise the commune of the last turn, when known. */
  lastCommune?: string;
  walk?: walk.WalkPosition;
  referral?: string;
  /** After "Lỗi khác": the next text is the app's error message, read against the step's problems. */
  describingError?: boolean;
  /** On a channel shared by several communes: the commune the citizen named (a communes.yaml id). */
  commune?: string;
  /**
   * Waiting for the citizen's commune. `then` is the message that needed it, answered once the
   * commune is known (a button payload, or the question already scrubbed of personal data).
   */
  askingCommune?: { then?: { payload: string } | { text: string }; tries: number };
  /** The citizen chose not to say: the general contact is given and the bot does not ask again. */
  communeSkipped?: boolean;
}

export interface Turn {
  channel: string;
  /** Pseudonymous user key (never a raw platform id). */
  userKey: string;
  text?: string;
  /** A button payload (with or without the prefix). */
  payload?: string;
  /** First contact from the platform itself (Zalo "follow"): greet. */
  start?: boolean;
  /** The user sent something we cannot read (sticker, photo, voice...). */
  nonText?: boolean;
  /**
   * The commune this channel belongs to (communes.yaml id): the web page /xa/<id>, a commune's own
   * Telegram bot or Zalo OA. Unset on a channel shared by several communes: the engine asks.
   */
  commune?: string;
  now?: number;
}

export interface EngineOptions {
  knowledge: Knowledge;
  script: Script;
  storage: Storage;
  sink?: EventSink;
  /** Single-commune settings (COMMUNE_NAME, COMMUNE_CONTACT); also the general contact of a shared channel. */
  communeName: string;
  communeContact: string;
  /** The communes of this server (communes.yaml); absent or empty: single-commune. */
  communes?: CommuneDirectory;
  /** Idle time after which a conversation starts over. */
  expiryMs: number;
  /** Per-user flood control; off when absent. */
  flood?: FloodOptions;
  /** The volunteer teams' codes: a known code typed as a message counts as a referral. */
  referrals?: ReferralDirectory;
}

/**
 * The confidence is the probability that the answer is the right entry: below this, an answer is
 * wrong often enough (about two times in five at 0.6) that the next-best entry is offered beside
 * it as a button, so a citizen who got the neighbouring topic is one tap away instead of
 * rephrasing. On real questions, when the answer is wrong, the right entry is usually second.
 */
const SECOND_CHOICE_BELOW = 0.8;
/** Items of a menu page shown as buttons (the fifth button is "Xem thêm"). */
const PAGE_SIZE = 4;
/** Menus up to this many items list them all in the first message. */
const MAX_LISTED = 10;
const START = /^\/start(?:\s+(\S+))?$/i;
/** "đổi xã", "doi phuong", "chọn xã khác", "/xa": the citizen wants to name another commune. */
function asksToChangeCommune(text: string): boolean {
  if (/^\/(xa|phuong)$/i.test(text)) return true;
  const words = tokenize(text);
  return words.length <= 5 && (words[0] === 'doi' || words[0] === 'chon') && (words[1] === 'xa' || words[1] === 'phuong');
}

interface TurnContext {
  turn: Turn;
  state: DialogState;
  replies: Reply[];
  events: DialogEvent[];
  now: number;
  /** The citizen's commune when known (bound channel, the only commune, or named earlier). */
  commune: Commune | undefined;
  /** A shared channel that does not know the citizen's commune yet, and may ask. */
  communeUnknown: boolean;
  /** A reply of this turn needed the commune's contact while it was unknown. */
  wantsCommune: boolean;
  /** The office-hours note was given this turn (once is enough). */
  closedNoted: boolean;
  /** An emergency: answered at once, never held back to ask the commune. */
  urgent: boolean;
  /** The question about the commune this turn answers, if the bot had asked one. */
  asking: DialogState['askingCommune'];
}

/** Separates a walkthrough button's action from the step it was shown at ("next@guide-activate.3"). */
const STAMP = '@';

/** The step a walkthrough button belongs to, appended to its action. */
function stepStamp(position: walk.WalkPosition): string {
  return `${STAMP}${position.guideId}.${position.step}`;
}

export class DialogEngine {
  private readonly sink: EventSink;
  private readonly vars: Record<string, string>;
  private readonly flood: FloodGuard | undefined;
  private readonly recentTokens = new LRUCache<string, readonly string[]>({ max: 5_000 });

  constructor(private readonly o: EngineOptions) {
    this.sink = o.sink ?? nullSink;
    this.flood = o.flood ? new FloodGuard(o.flood) : undefined;
    this.vars = { commune: o.communeName, contact: o.communeContact };
  }

  private get m() {
    return this.o.script.messages;
  }
  private get b() {
    return this.o.script.buttons;
  }
  /**
   * A message with {commune} and {contact} of the citizen's commune. Needing the contact while the
   * commune is unknown on a shared channel makes the turn ask for it (handle); when the office is
   * closed, the contact comes with when it opens.
   */
  private say(ctx: TurnContext, template: string, extra: Record<string, string | number> = {}): string {
    const c = ctx.commune;
    const vars = c ? { commune: communePhrase(c), contact: contactPhrase(c) } : this.vars;
    const text = fill(template, { ...vars, ...extra });
    if (!template.includes('{contact}')) return text;
    if (!c) {
      if (ctx.communeUnknown && !ctx.urgent) ctx.wantsCommune = true;
      return text;
    }
    const opens = ctx.closedNoted ? undefined : closedUntil(c, ctx.now);
    if (!opens) return text;
    ctx.closedNoted = true;
    return `${text}\n${fill(this.m.officeClosed, { opens })}`;
  }

  /** Which commune a turn is about, and whether the bot may have to ask (see TurnContext). */
  private communeOf(turn: Turn, state: DialogState): { commune: Commune | undefined; communeUnknown: boolean } {
    const dir = this.o.communes;
    if (!dir || dir.size === 0) return { commune: undefined, communeUnknown: false };
    const bound = dir.byId(turn.commune);
    if (bound) return { commune: bound, communeUnknown: false };
    if (dir.size === 1) return { commune: dir.list[0], communeUnknown: false };
    const named = dir.byId(state.commune);
    return { commune: named, communeUnknown: !named && !state.communeSkipped };
  }

  /** Whether this turn runs on a shared channel of several communes (the citizen may change theirs). */
  private sharedChannel(turn: Turn): boolean {
    const dir = this.o.communes;
    return Boolean(dir && dir.size > 1 && !dir.byId(turn.commune));
  }

  async handle(turn: Turn): Promise<Reply[]> {
    const now = turn.now ?? Date.now();
    const text = (turn.text ?? '').trim();
    const payload = turn.payload ?? (isPayload(text) ? text : undefined);
    // Taps are counted apart and loosely: a walkthrough is tapped through quickly. An emergency is
    // answered whatever the pace: someone in panic types "cháy", "cứu", "cháy nhà cứu với" in a
    // burst, and the burst must not swallow the numbers (it still counts toward the limit).
    const verdict = this.flood?.check(turn.userKey, now, payload ? 'tap' : 'typed') ?? 'ok';
    const urgent = verdict !== 'ok' && !payload && text !== '' && isEmergency(text, this.o.knowledge);
    if (verdict === 'drop' && !urgent) return [];
    if (verdict === 'notify' && !urgent) return [reply(this.m.tooFast)];
    // Erasing one's data stays outside the conversation: nothing is saved or counted for it.
    const forget = await this.forgetStep(turn.userKey, text, payload);
    if (forget) return forget;
    const record = await this.o.storage.getConversation<DialogState>(turn.userKey);
    const state = record?.state ?? { v: 1 };
    const ctx: TurnContext = {
      turn,
      state,
      replies: [],
      events: [],
      now,
      ...this.communeOf(turn, state),
      wantsCommune: false,
      closedNoted: false,
      urgent: false,
      asking: undefined,
    };
    // Only the very next message is read as an error description.
    const describingError = ctx.state.describingError === true;
    delete ctx.state.describingError;
    const startCommand = START.exec(text);
    // A team's code typed as a message (where a link cannot carry it: Zalo OA): known codes only,
    // so that an ordinary one-word question is still a question.
    const typedTeam =
      startCommand || turn.start || payload || turn.nonText || ctx.state.askingCommune ? undefined : await this.knownTeam(typedReferral(text));
    const typedCode = typedTeam?.code;

    if (record && now - record.updatedAt > this.o.expiryMs) {
      this.abandon(ctx.state, ctx.events);
      // The citizen's commune outlives the conversation: they live there tomorrow too.
      const { referral, commune, communeSkipped } = ctx.state;
      ctx.state = { v: 1, ...(referral ? { referral } : {}), ...(commune ? { commune } : {}), ...(communeSkipped ? { communeSkipped } : {}) };
      if (!startCommand && !turn.start && !typedCode) ctx.replies.push(reply(this.m.expired));
    }
    // A bound channel never asks (the same browser may have asked on the shared page).
    const asking = this.sharedChannel(turn) ? ctx.state.askingCommune : undefined;
    ctx.asking = asking;
    delete ctx.state.askingCommune;
    // What the turn would leave behind if it has to ask for the commune instead of answering.
    const before = structuredClone(ctx.state);
    const firstEvents = ctx.events.length;

    if (asking && text && !payload && !startCommand && !turn.start && !turn.nonText) {
      this.onCommuneAnswer(ctx, text, asking);
    } else if (text && !payload && this.sharedChannel(turn) && asksToChangeCommune(text)) {
      this.askCommune(ctx, undefined);
    } else if (startCommand || turn.start) {
      const fromLink = referralFromStart(startCommand?.[1]);
      const team = fromLink ? await this.knownTeam(fromLink) : undefined;
      const referral = team?.code ?? fromLink;
      if (referral) ctx.state.referral = referral;
      if (team) this.takeTeamCommune(ctx, team.commune);
      ctx.events.push({ type: 'conversation-start', ...(referral ? { referral } : {}) });
      ctx.state.walk = undefined;
      this.greet(ctx);
    } else if (typedCode) {
      // A first message starts the conversation; after a Zalo "follow" it is already under way.
      if (!record) ctx.events.push({ type: 'conversation-start', referral: typedCode });
      else if (ctx.state.referral !== typedCode) ctx.events.push({ type: 'referral', referral: typedCode });
      ctx.state.referral = typedCode;
      this.takeTeamCommune(ctx, typedTeam.commune);
      ctx.state.walk = undefined;
      this.greet(ctx);
    } else {
      if (!record) ctx.events.push({ type: 'conversation-start' });
      if (turn.nonText) {
        ctx.replies.push(reply(this.m.nonText));
        this.menu(ctx);
      } else if (payload) this.onPayload(ctx, payload.startsWith(PAYLOAD_PREFIX) ? payload.slice(PAYLOAD_PREFIX.length) : payload);
      else if (!text || /^\/(menu|help)$/i.test(text)) this.menu(ctx);
      else {
        if (!record) ctx.replies.push(reply(this.say(ctx, this.m.greetingShort)));
        this.onText(ctx, text, describingError);
      }
    }

    if (ctx.wantsCommune && !ctx.state.askingCommune) {
      // An answer needed the commune's contact: ask first, answer once the citizen has said
      // (onCommuneAnswer). Nothing of the held-back answer is kept, not even its statistics.
      const then = payload ? { payload } : text && !turn.nonText && !startCommand && !turn.start ? { text: scrub(text).text } : undefined;
      const held = ctx.events.slice(firstEvents).filter((e) => e.type === 'conversation-start' || e.type === 'referral' || e.type === 'sensitive-data');
      ctx.state = before;
      ctx.events.length = firstEvents;
      ctx.events.push(...held);
      const warning = ctx.replies.find((r) => r.text.startsWith(this.m.sensitive));
      ctx.replies = warning ? [warning] : [];
      this.askCommune(ctx, then);
    }

    ctx.state.channel = turn.channel;
    if (ctx.commune) ctx.state.lastCommune = ctx.commune.id;
    else delete ctx.state.lastCommune;
    // The turn and its statistics are handed over together, so a group-committing store writes
    // them in one transaction. A failed save fails the turn (the platform redelivers it).
    const context = { channel: turn.channel, userKey: turn.userKey, at: now, ...(ctx.commune ? { commune: ctx.commune.id } : {}) };
    await Promise.all([
      this.o.storage.saveConversation(turn.userKey, ctx.state, now),
      ...ctx.events.map((e) => this.sink.record(e, context)),
    ]);
    return ctx.replies;
  }

  /** "Xóa dữ liệu của tôi" asks; its confirmation button erases (see forget.ts). */
  private async forgetStep(userKey: string, text: string, payload: string | undefined): Promise<Reply[] | undefined> {
    const action = payload?.startsWith(PAYLOAD_PREFIX) ? payload.slice(PAYLOAD_PREFIX.length) : payload;
    if (action === FORGET_CONFIRM) return [reply(FORGET_TEXTS.done(await this.forgetUser(userKey)))];
    if (action === FORGET_CANCEL) return [reply(FORGET_TEXTS.cancelled, [button(this.b.menu, 'menu')])];
    if (!payload && isForgetCommand(text)) {
      return [reply(FORGET_TEXTS.ask, [button(FORGET_TEXTS.confirmLabel, FORGET_CONFIRM), button(FORGET_TEXTS.cancelLabel, FORGET_CANCEL)])];
    }
    return undefined;
  }

  /**
   * Erases what is kept about one person: conversation, remembered choices, statistics (by the
   * same pseudonymous key). For a confirmed request and for platform events such as Zalo's
   * `user_withdraw`. Returns the counts (no personal data: safe to log or show).
   */
  async forgetUser(userKey: string): Promise<UserDataDeleted> {
    return this.o.storage.deleteUserData(userKey, statsUserKey(userKey));
  }

  /** The team of a code, when one has it (a failed lookup counts as none). */
  private async knownTeam(code: string | undefined): Promise<KnownReferral | undefined> {
    if (!code || !this.o.referrals) return undefined;
    return this.o.referrals.resolve(code).catch(() => undefined);
  }

  /**
   * A citizen who came through a team's poster on a shared bot lives, most likely, where the team
   * works: that commune is taken unless the citizen already named one (they can still change it).
   */
  private takeTeamCommune(ctx: TurnContext, communeId: string | null): void {
    const commune = communeId ? this.o.communes?.byId(communeId) : undefined;
    if (!commune || !this.sharedChannel(ctx.turn) || ctx.state.commune) return;
    ctx.state.commune = commune.id;
    ctx.commune = commune;
    ctx.communeUnknown = false;
  }

  /** Records a walkthrough left unfinished (at its path position, as walk-step counts it). */
  private abandon(state: DialogState, events: DialogEvent[]): void {
    const position = state.walk;
    const guide = position && this.o.knowledge.content.byId.get(position.guideId);
    if (position && guide) events.push({ type: 'walk-abandon', guideId: guide.id, step: walk.counter(guide, position).n });
    state.walk = undefined;
  }

  /**
   * Forgets conversations idle past the expiry, recording unfinished walkthroughs as abandoned.
   * Keeps the table small and holds nothing longer than needed. Returns how many were removed.
   */
  async sweepIdle(now = Date.now(), batch = 500): Promise<number> {
    let removed = 0;
    for (;;) {
      const idle = await this.o.storage.listIdleConversations<DialogState>(now - this.o.expiryMs, batch);
      for (const c of idle) {
        const events: DialogEvent[] = [];
        this.abandon(c.state, events);
        const commune = c.state.lastCommune ? { commune: c.state.lastCommune } : {};
        for (const e of events) await this.sink.record(e, { channel: c.state.channel ?? 'unknown', userKey: c.key, at: now, ...commune });
        await this.o.storage.deleteConversation(c.key);
        removed++;
      }
      if (idle.length < batch) return removed;
    }
  }

  // ——— menus ———

  private greet(ctx: TurnContext): void {
    ctx.replies.push(reply(this.say(ctx, this.m.greeting)));
    this.menu(ctx);
  }

  /** Six items do not fit one message (5 buttons max): two messages of three. */
  private menu(ctx: TurnContext): void {
    const items = this.o.script.menu.map((i) => button(i.label, `m:${i.key}`));
    const half = Math.ceil(items.length / 2);
    ctx.replies.push(reply(this.m.menu, items.slice(0, half)));
    if (items.length > half) ctx.replies.push(reply(this.m.menuMore, items.slice(half)));
  }

  private menuEntries(item: MenuItem): Entry[] {
    const { entries, byId } = this.o.knowledge.content;
    if (item.ids) return item.ids.flatMap((id) => byId.get(id) ?? []);
    if (item.kinds) return entries.filter((e) => item.kinds!.includes(e.kind));
    return [];
  }

  private menuPage(ctx: TurnContext, key: string, page: number): void {
    if (key === 'contact') return this.contact(ctx);
    const item = this.o.script.menu.find((i) => i.key === key);
    if (!item) return this.staleButton(ctx);
    const entries = this.menuEntries(item);
    const pages = Math.max(1, Math.ceil(entries.length / PAGE_SIZE));
    const p = Math.min(Math.max(0, page), pages - 1);
    const shown = entries.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
    // A catalogue (the 9 or 7 utilities) is listed whole; a long list (21 FAQs) page by page, so
    // every message stays one phone screen.
    const whole = entries.length <= MAX_LISTED;
    const list = (whole ? entries : shown).map((e) => `• ${e.title}`).join('\n');
    const text =
      p === 0 ? `${item.intro ?? item.label}\n${list}` : whole ? `${item.label} (${p + 1}/${pages}):` : `${item.label} (${p + 1}/${pages}):\n${list}`;
    const buttons = shown.map((e) => button(e.label, e.steps ? `w:${e.id}` : `e:${e.id}`));
    buttons.push(p + 1 < pages ? button(this.b.more, `m:${key}:${p + 1}`) : button(this.b.menu, 'menu'));
    ctx.replies.push(reply(text, buttons));
  }

  private contact(ctx: TurnContext): void {
    const change = this.sharedChannel(ctx.turn) && ctx.commune ? [button(this.b.changeCommune, 'x:?')] : [];
    ctx.replies.push(reply(this.say(ctx, this.m.contact), [...change, button(this.b.menu, 'menu')]));
  }

  // ——— the citizen's commune (shared channels of several communes) ———

  /** A commune named in the examples of the question ("xã Lộc Hòa"). */
  private communeExample(): string {
    const first = this.o.communes?.list[0];
    return first ? nameInSentence(first.name) : 'xã …';
  }

  /** Buttons for a few communes (a province's hundred would not fit: then the citizen types). */
  private communeButtons(list: readonly Commune[]): Button[] {
    const shown = list.length <= 4 ? list.map((c) => button(c.name, `x:${c.id}`)) : [];
    return [...shown, button(this.b.skipCommune, 'x:-')];
  }

  private askCommune(ctx: TurnContext, then: NonNullable<DialogState['askingCommune']>['then']): void {
    ctx.state.askingCommune = { ...(then ? { then } : {}), tries: 0 };
    ctx.replies.push(reply(fill(this.m.askCommune, { example: this.communeExample() }), this.communeButtons(this.o.communes?.list ?? [])));
  }

  /** The text that follows "Bạn ở xã/phường nào?". */
  private onCommuneAnswer(ctx: TurnContext, text: string, asking: NonNullable<DialogState['askingCommune']>): void {
    const found = this.o.communes!.resolve(text);
    if ('commune' in found) return this.setCommune(ctx, found.commune, asking.then);
    if ('ambiguous' in found) {
      ctx.state.askingCommune = { ...asking, tries: asking.tries + 1 };
      ctx.replies.push(reply(this.m.communeAmbiguous, this.communeButtons(found.ambiguous.slice(0, 4))));
      return;
    }
    // Not a commune we know. A short answer is asked again once; a question is answered (with
    // the general contact, and the bot stops asking: it must not nag).
    const u = interpret(text, this.o.knowledge, { tokens: (q) => this.tokensOf(q) });
    const aQuestion = u.intent === 'answer' || u.intent === 'emergency' || u.intent === 'walk' || tokenize(text).length > 4;
    if (!aQuestion && asking.tries === 0) {
      ctx.state.askingCommune = { ...asking, tries: 1 };
      ctx.replies.push(reply(fill(this.m.communeUnknown, { example: this.communeExample() }), this.communeButtons(this.o.communes!.list)));
      return;
    }
    ctx.state.communeSkipped = true;
    ctx.communeUnknown = false;
    this.onText(ctx, text, false);
  }

  /** Remembers the citizen's commune, then answers what needed it (or gives its contact). */
  private setCommune(ctx: TurnContext, commune: Commune, then: NonNullable<DialogState['askingCommune']>['then']): void {
    ctx.state.commune = commune.id;
    delete ctx.state.communeSkipped;
    ctx.commune = commune;
    ctx.communeUnknown = false;
    ctx.replies.push(reply(fill(this.m.communeSet, { place: nameInSentence(commune.name) })));
    this.answerHeld(ctx, then);
  }

  /** The message that waited for the commune, answered now; without one, the contact it was asked for. */
  private answerHeld(ctx: TurnContext, then: NonNullable<DialogState['askingCommune']>['then']): void {
    if (!then) return this.contact(ctx);
    if ('payload' in then) return this.onPayload(ctx, then.payload.startsWith(PAYLOAD_PREFIX) ? then.payload.slice(PAYLOAD_PREFIX.length) : then.payload);
    this.onText(ctx, then.text, false);
  }

  /** Commune buttons: `x:<id>` chooses, `x:-` skips (general contact), `x:?` asks again. */
  private onCommunePayload(ctx: TurnContext, arg: string): void {
    if (!this.sharedChannel(ctx.turn)) return this.contact(ctx);
    const then = ctx.asking?.then;
    if (arg === '?') return this.askCommune(ctx, undefined);
    if (arg === '-') {
      ctx.state.communeSkipped = true;
      ctx.communeUnknown = false;
      return then ? this.answerHeld(ctx, then) : this.menu(ctx);
    }
    const commune = this.o.communes?.byId(arg);
    if (!commune) return this.staleButton(ctx);
    this.setCommune(ctx, commune, then);
  }

  private staleButton(ctx: TurnContext): void {
    ctx.replies.push(reply(this.m.badButton));
    this.menu(ctx);
  }

  // ——— answers ———

  /** `lead` first (back to the guide), then the walkthrough, `next` (another likely entry), related entries, the menu. */
  private entryButtons(entry: Entry, lead: Button[] = [], next: Button[] = []): Button[] {
    const { byId } = this.o.knowledge.content;
    const buttons = [...lead];
    if (entry.steps) buttons.push(button(this.b.walk, `w:${entry.id}`));
    buttons.push(...next);
    for (const id of entry.related) {
      const r = byId.get(id);
      if (r && buttons.length < 4) buttons.push(button(r.label, r.steps ? `w:${r.id}` : `e:${r.id}`));
    }
    buttons.push(button(this.b.menu, 'menu'));
    return buttons;
  }

  /** The runner-up of a hesitant answer, as a button, unless the answer already links to it. */
  private secondChoice(id: string, match: MatchResult): Button[] {
    const { byId } = this.o.knowledge.content;
    const entry = byId.get(id);
    const next = match.alternatives[0] === undefined ? undefined : byId.get(match.alternatives[0]);
    if (!entry || !next || next.id === id || match.score >= SECOND_CHOICE_BELOW || entry.related.includes(next.id)) return [];
    return [button(next.label, next.steps ? `w:${next.id}` : `e:${next.id}`)];
  }

  private showEntry(ctx: TurnContext, entry: Entry, lead: Button[] = [], next: Button[] = []): void {
    // Answers may name the commune's own contact: {commune}, {contact}.
    ctx.replies.push(reply(this.say(ctx, entry.answer), this.entryButtons(entry, lead, next)));
  }

  /** Normalized words of a scrubbed question; repeated questions are looked up, not redone. */
  private tokensOf(query: string): readonly string[] {
    let tokens = this.recentTokens.get(query);
    if (!tokens) this.recentTokens.set(query, (tokens = Object.freeze(normalizeTokens(query, this.o.knowledge.lexicon))));
    return tokens;
  }

  private onText(ctx: TurnContext, text: string, describingError: boolean): void {
    const { byId } = this.o.knowledge.content;
    const position = ctx.state.walk;
    const guide = position && byId.get(position.guideId);
    const step = guide && position && walk.stepAt(guide, position);
    const u = interpret(text, this.o.knowledge, { ...(guide && step ? { walk: { guide, step } } : {}), tokens: (q) => this.tokensOf(q) });
    if (u.warn.length > 0) ctx.events.push({ type: 'sensitive-data', kinds: u.warn });
    // Help first: no warning, no answer before the emergency numbers.
    if (u.intent === 'emergency') return this.emergency(ctx, u);
    if (u.warn.length > 0) ctx.replies.push(reply(this.sensitiveWarning(u.warn)));
    const resume = guide && step ? [button(this.b.resume, 'resume')] : [];

    switch (u.intent) {
      case 'walk':
        return this.onPayload(ctx, u.action);
      case 'menu':
        return this.onPayload(ctx, 'menu');
      case 'smalltalk':
        return this.smallTalk(ctx, u.kind, resume);
      case 'empty':
        // Nothing but personal data, emoji or punctuation ("👍" mid-walkthrough): where they are.
        if (guide && position && step) return this.showStep(ctx, guide, position);
        return u.warn.length > 0 ? this.menu(ctx) : this.greet(ctx);
    }

    const { match } = u;
    const outcome = u.intent === 'answer' || u.intent === 'problem' ? 'answered' : u.intent === 'suggest' ? 'low-confidence' : 'unanswered';
    ctx.events.push({
      type: 'question',
      text: u.scrubbed,
      normalized: match.normalized,
      matchedId: u.intent === 'problem' ? (u.problem.faq ?? guide?.id ?? null) : match.id,
      nearestId: match.nearest,
      score: match.score,
      outcome,
    });

    if (u.intent === 'problem') return this.showProblem(ctx, u.problem);
    if (u.intent === 'answer') {
      if (guide && position && u.id === guide.id) return this.showStep(ctx, guide, position);
      return this.showEntry(ctx, byId.get(u.id)!, resume, this.secondChoice(u.id, match));
    }
    // Another service named (VssID, a bank, sổ đỏ), not VNeID: say so, then offer what is close.
    if (match.otherService && !describingError) {
      const elsewhere = this.say(ctx, this.m.otherService);
      if (u.intent !== 'suggest') {
        ctx.replies.push(reply(elsewhere, [...resume, button(this.b.menu, 'menu'), button(this.b.contact, 'm:contact')]));
        return;
      }
      ctx.replies.push(reply(elsewhere));
    }
    if (u.intent === 'suggest') return this.suggest(ctx, u.ids, resume);
    // Nothing fits. After "Lỗi khác" the citizen gets people to call; otherwise where they are.
    if (describingError) return this.lastResort(ctx, resume);
    if (guide && position) {
      const { n, total } = walk.counter(guide, position);
      ctx.replies.push(reply(this.say(ctx, this.m.walkHint, { n, total, title: guide.title })));
    }
    ctx.replies.push(reply(this.say(ctx, this.m.notFound), [...resume, button(this.b.menu, 'menu'), button(this.b.contact, 'm:contact')]));
  }

  private emergency(ctx: TurnContext, u: Extract<Interpretation, { intent: 'emergency' }>): void {
    ctx.urgent = true;
    ctx.events.push({ type: 'emergency', kinds: u.kinds });
    const numbers = this.say(ctx, this.m.emergency, { numbers: u.numbers.map((n) => this.m.emergencyNumbers[n]).join('\n') });
    const resume = ctx.state.walk ? [button(this.b.resume, 'resume')] : [];
    // Before anything else: a first-contact greeting or "lâu rồi…" would only be in the way.
    ctx.replies.length = 0;
    const entry = u.entry === null ? undefined : this.o.knowledge.content.byId.get(u.entry);
    if (!entry) {
      ctx.replies.push(reply(numbers, [...resume, button(this.b.menu, 'menu')]));
      return;
    }
    // A scam: what to do about money already sent, then the warning itself ("Công an không bao giờ
    // bảo chuyển tiền"), which is what someone being pressed to transfer needs to read. Otherwise
    // the question the message also asked ("điện thoại bị trộm, khóa vneid thế nào").
    ctx.replies.push(reply(numbers));
    if (u.kinds.includes('scam')) ctx.replies.push(reply(this.say(ctx, this.m.emergencyScam)));
    this.showEntry(ctx, entry, resume);
  }

  /** The "never share this" warning; who typed a password or passcode is also told to change it. */
  private sensitiveWarning(kinds: readonly SensitiveKind[]): string {
    return kinds.includes('password') ? `${this.m.sensitive.trimEnd()}\n${this.m.sensitivePassword}` : this.m.sensitive;
  }

  private smallTalk(ctx: TurnContext, kind: Extract<Interpretation, { intent: 'smalltalk' }>['kind'], resume: Button[]): void {
    ctx.events.push({ type: 'smalltalk', kind });
    if (kind === 'hello') {
      const position = ctx.state.walk;
      const guide = position && this.o.knowledge.content.byId.get(position.guideId);
      // Mid-walkthrough a "chào" keeps the place; a first message already got the short greeting.
      if (position && guide && walk.stepAt(guide, position)) return this.showStep(ctx, guide, position);
      return ctx.replies.length > 0 ? this.menu(ctx) : this.greet(ctx);
    }
    ctx.replies.push(reply(this.say(ctx, this.m.smallTalk[kind]), resume.length > 0 ? resume : [button(this.b.menu, 'menu')]));
  }

  /** "Ý bạn là…?": the entries the interpretation offers, then "Không phải". */
  private suggest(ctx: TurnContext, ids: readonly string[], lead: Button[] = []): void {
    const { byId } = this.o.knowledge.content;
    const options = ids.flatMap((id) => {
      const e = byId.get(id);
      return e ? [button(e.label, `e:${e.id}`)] : [];
    });
    ctx.replies.push(reply(this.m.didYouMean, [...lead, ...options, button(this.m.noneOfThese, 'none')]));
  }

  /** "Lỗi khác": ask for the app's own message; the next text is read against this step first. */
  private askForError(ctx: TurnContext): void {
    ctx.state.describingError = true;
    ctx.replies.push(reply(this.say(ctx, this.m.stuckNone), [button(this.b.resume, 'resume'), button(this.b.contact, 'm:contact'), button(this.b.menu, 'menu')]));
  }

  /** The error is not one we know: people who can help, always with the VNeID hotline. */
  private lastResort(ctx: TurnContext, lead: Button[]): void {
    ctx.replies.push(reply(this.say(ctx, this.m.stuckUnknown), [...lead, button(this.b.contact, 'm:contact'), button(this.b.menu, 'menu')]));
  }

  private showProblem(ctx: TurnContext, problem: Omit<StepProblem, 'label'>): void {
    const answer = problem.answer ?? (problem.faq ? this.o.knowledge.content.byId.get(problem.faq)?.answer : undefined) ?? this.m.stuckUnknown;
    ctx.replies.push(reply(this.say(ctx, answer), [button(this.b.resume, 'resume'), button(this.b.contact, 'm:contact'), button(this.b.menu, 'menu')]));
  }

  // ——— walkthroughs ———

  private showStep(ctx: TurnContext, guide: Entry, position: walk.WalkPosition): void {
    const step = walk.stepAt(guide, position)!;
    const { n, total } = walk.counter(guide, position);
    const text = `${this.say(ctx, this.m.stepHeader, { title: guide.title, n, total })}\n${step.text}`;
    const at = stepStamp(position);
    const back = position.trail.length > 0 ? [button(this.b.back, `back${at}`)] : [];
    const menu = button(this.b.menu, 'menu');
    const choices = (step.choices ?? []).map((c, i) => button(c.label, `c:${i}${at}`));
    let buttons: Button[];
    if (step.choices?.some((c) => c.branch)) buttons = [...choices, ...back, menu];
    // Outcome choices leave room for one more button: going back beats the menu (typing "menu" works).
    else if (step.choices) buttons = [button(this.b.next, `next${at}`), ...choices, ...(back.length > 0 ? back : [menu])];
    else buttons = [button(this.b.next, `next${at}`), ...back, button(this.b.stuck, `stuck${at}`), menu];
    ctx.replies.push(reply(text, buttons.slice(0, 5)));
  }

  private startWalk(ctx: TurnContext, guide: Entry): void {
    const position = walk.start(guide);
    ctx.state.walk = position;
    ctx.events.push({ type: 'walk-start', guideId: guide.id }, { type: 'walk-step', guideId: guide.id, step: 1 });
    this.showStep(ctx, guide, position);
  }

  private moveTo(ctx: TurnContext, guide: Entry, position: walk.WalkPosition | null): void {
    if (!position) return this.complete(ctx, guide);
    ctx.state.walk = position;
    ctx.events.push({ type: 'walk-step', guideId: guide.id, step: walk.counter(guide, position).n });
    this.showStep(ctx, guide, position);
  }

  private complete(ctx: TurnContext, guide: Entry): void {
    ctx.state.walk = undefined;
    ctx.events.push({ type: 'walk-complete', guideId: guide.id });
    const { byId } = this.o.knowledge.content;
    const next = guide.next.flatMap((id) => byId.get(id) ?? []).slice(0, 3);
    const done = this.say(ctx, this.m.completed, { title: guide.title });
    ctx.replies.push(
      reply(next.length > 0 ? `${done}\n${this.m.completedNext}` : done, [
        ...next.map((e) => button(e.label, e.steps ? `w:${e.id}` : `e:${e.id}`)),
        button(this.b.menu, 'menu'),
      ]),
    );
  }

  private onPayload(ctx: TurnContext, payload: string): void {
    const [action, stamp] = payload.split(STAMP) as [string, string | undefined];
    const [verb, arg, arg2] = action.split(':');
    const { byId } = this.o.knowledge.content;
    switch (verb) {
      case 'menu':
        return this.menu(ctx);
      case 'hello': {
        // A returning visitor (web page reload): greet without losing a walkthrough in progress.
        const position = ctx.state.walk;
        const guide = position && byId.get(position.guideId);
        if (!position || !guide || !walk.stepAt(guide, position)) return this.greet(ctx);
        ctx.replies.push(reply(this.say(ctx, this.m.greetingShort)));
        return this.showStep(ctx, guide, position);
      }
      case 'm':
        return this.menuPage(ctx, arg ?? '', Number(arg2 ?? 0) || 0);
      case 'e': {
        const entry = byId.get(arg ?? '');
        if (!entry) return this.staleButton(ctx);
        ctx.events.push({ type: 'entry-view', entryId: entry.id });
        const position = ctx.state.walk;
        return this.showEntry(ctx, entry, position && position.guideId !== entry.id ? [button(this.b.resume, 'resume')] : []);
      }
      case 'w': {
        const guide = byId.get(arg ?? '');
        if (!guide?.steps) return this.staleButton(ctx);
        return this.startWalk(ctx, guide);
      }
      case 'x':
        return this.onCommunePayload(ctx, arg ?? '');
      case 'none':
        ctx.replies.push(reply(this.say(ctx, this.m.notFound), [button(this.b.menu, 'menu'), button(this.b.contact, 'm:contact')]));
        return;
    }

    // The rest act on the walkthrough in progress.
    const position = ctx.state.walk;
    const guide = position && byId.get(position.guideId);
    const step = guide && position && walk.stepAt(guide, position);
    if (!position || !guide || !step) {
      ctx.state.walk = undefined;
      ctx.replies.push(reply(this.m.noWalk));
      return this.menu(ctx);
    }
    // A button of a step shown earlier (chats keep old messages tappable): acting on it would
    // answer the wrong problem or skip a step unseen. Buttons without a stamp (older messages,
    // words typed instead of a tap) act on the current step.
    if (stamp !== undefined && STAMP + stamp !== stepStamp(position)) {
      ctx.replies.push(reply(this.m.staleStep));
      return this.showStep(ctx, guide, position);
    }
    switch (verb) {
      case 'next':
        return this.moveTo(ctx, guide, walk.next(guide, position));
      case 'back':
        return this.showStep(ctx, guide, (ctx.state.walk = walk.back(position)));
      case 'resume':
        return this.showStep(ctx, guide, position);
      case 'c': {
        const choice = step.choices?.[Number(arg)];
        if (!choice) return this.showStep(ctx, guide, position);
        if (choice.branch) return this.moveTo(ctx, guide, walk.next(guide, position, choice.branch));
        return this.showProblem(ctx, choice);
      }
      case 'stuck': {
        ctx.events.push({ type: 'walk-stuck', guideId: guide.id, step: walk.counter(guide, position).n });
        if (step.problems.length === 0) return this.askForError(ctx);
        const at = stepStamp(position);
        const options = step.problems.slice(0, 4).map((p, i) => button(p.label, `p:${i}${at}`));
        ctx.replies.push(reply(this.m.stuckIntro, [...options, button(this.m.notMine, `p:other${at}`)]));
        return;
      }
      case 'p': {
        const problem = step.problems[Number(arg)];
        // "Lỗi khác" (p:other), or a stale button.
        if (!problem) return this.askForError(ctx);
        return this.showProblem(ctx, problem);
      }
      default:
        return this.staleButton(ctx);
    }
  }
}
