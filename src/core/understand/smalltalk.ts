/**
 * Small talk and closings ("cảm ơn cháu nhé", "ok", "dạ vâng", "tạm biệt", "bot ơi", "bạn là ai")
 * get a short friendly reply and are not counted as unanswered questions. Only a message made of
 * small-talk phrases and filler words is small talk: "cảm ơn, cho hỏi kích hoạt thế nào" is a
 * question, so this never becomes a catch-all.
 */
import { isFiller, SMALLTALK_KINDS, type Intents, type SmallTalkKind } from './intents.js';
import type { Words } from './phrases.js';

/** The kind of a small-talk message, or null when it says anything more. `words` come from wordsOf(). */
export function detectSmallTalk(words: Words, intents: Intents): SmallTalkKind | null {
  const lists = SMALLTALK_KINDS.map((kind) => [kind, intents.smalltalk[kind]] as const);
  // Most messages are questions: one word outside every list settles it without a scan.
  if (words.some((w, i) => !isFiller(words, i, intents) && !lists.some(([, list]) => list.mayContain(w)))) return null;
  const covered = new Array<boolean>(words.length).fill(false);
  const seen = new Set<SmallTalkKind>();
  for (const [kind, list] of lists) {
    for (const [start, end] of list.spans(words)) {
      if (covered.slice(start, end).some(Boolean)) continue;
      covered.fill(true, start, end);
      seen.add(kind);
    }
  }
  for (let i = 0; i < words.length; i++) if (!covered[i] && !isFiller(words, i, intents)) return null;
  // Only fillers ("bot ơi", "ad ơi"): a call for attention, answered with the greeting.
  if (seen.size === 0) return words.length > 0 ? 'hello' : null;
  return SMALLTALK_KINDS.find((k) => seen.has(k))!;
}
