/**
 * Small talk and closings ("cảm ơn cháu nhé", "ok", "dạ vâng", "tạm biệt", "bot ơi", "bạn là ai")
 * get a short friendly reply and are not counted as unanswered questions. Only a message made of
 * small-talk phrases and filler words is small talk: "cảm ơn, cho hỏi kích hoạt thế nào" is a
 * question, so this never becomes a catch-all.
 */
import { findPhrase } from './phrases.js';
import { SMALLTALK_KINDS, type Intents, type SmallTalkKind } from './intents.js';

/** The kind of a small-talk message, or null when it says anything more. `words` come from wordsOf(). */
export function detectSmallTalk(words: readonly string[], intents: Intents): SmallTalkKind | null {
  const covered = new Array<boolean>(words.length).fill(false);
  const seen = new Set<SmallTalkKind>();
  for (const kind of SMALLTALK_KINDS) {
    for (const phrase of intents.smalltalk[kind]) {
      for (let from = 0; from < words.length; ) {
        const span = findPhrase(words, phrase, from);
        if (!span) break;
        const [start, end] = span;
        if (covered.slice(start, end).every((c) => !c)) {
          covered.fill(true, start, end);
          seen.add(kind);
        }
        from = start + 1;
      }
    }
  }
  for (let i = 0; i < words.length; i++) if (!covered[i] && !intents.fillers.has(words[i]!)) return null;
  // Only fillers ("bot ơi", "ad ơi"): a call for attention, answered with the greeting.
  if (seen.size === 0) return words.length > 0 ? 'hello' : null;
  return SMALLTALK_KINDS.find((k) => seen.has(k))!;
}
