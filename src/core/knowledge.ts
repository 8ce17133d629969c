/** Everything the bot knows, loaded and indexed once at start-up from `content/`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Entry } from './content/schema.js';
import { loadContent, DEFAULT_CONTENT_DIR, type ContentBase } from './content/loader.js';
import { loadLexicon, type Lexicon } from './text/normalize.js';
import { loadTuning, type Tuning } from './match/tuning.js';
import { Matcher } from './match/matcher.js';
import { loadIntents, type Intents } from './understand/intents.js';
import { loadEmergencyReader } from './understand/emergency-reader.js';

export interface Knowledge {
  content: ContentBase;
  lexicon: Lexicon;
  tuning: Tuning;
  matcher: Matcher;
  /** Emergency and small-talk phrases (content/intents.yaml). */
  intents: Intents;
}

export function loadKnowledge(dir: string = DEFAULT_CONTENT_DIR, tuningOverride?: Partial<Tuning>): Knowledge {
  const content = loadContent(dir);
  const lexicon = loadLexicon(join(dir, 'lexicon.yaml'));
  const tuning = { ...loadTuning(join(dir, 'matcher.yaml')), ...tuningOverride };
  const intents = loadIntents(join(dir, 'intents.yaml'));
  // The content's own titles and phrasings are questions, and its answers and steps procedural
  // Vietnamese: never emergencies, and the reader learns that too. (With 691 more examples, the
  // reader had read "Đừng đưa cho người lạ, đừng gửi vào khung chat" as a scam in progress.)
  const answerLines = (e: Entry) => [e.answer, ...(e.steps ?? []).flatMap((st) => [st.text, ...st.problems.map((p) => p.answer ?? '')])].flatMap((t) => t.split('\n'));
  const questions = content.entries.flatMap((e) => [e.title, e.label, ...e.phrasings, ...answerLines(e)]).filter((t) => t.trim() !== '');
  const examples = join(dir, 'emergency-examples.yaml');
  if (existsSync(examples)) intents.reader = loadEmergencyReader(examples, questions);
  return { content, lexicon, tuning, matcher: new Matcher(content, lexicon, tuning), intents };
}
