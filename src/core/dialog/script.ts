/** The bot's own words and main menu, from content/dialog.yaml (editable by officials). */
import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { BUTTON_LABEL_MAX, entryKinds } from '../content/schema.js';
import type { ContentBase, ContentError } from '../content/loader.js';

const text = z.string().trim().min(1);
const label = z.string().trim().min(1).max(BUTTON_LABEL_MAX);

export const scriptSchema = z
  .object({
    messages: z
      .object({
        greeting: text,
        greetingShort: text,
        menu: text,
        menuMore: text,
        notFound: text,
        didYouMean: text,
        /** Not answered, and the question names another service, not VNeID. */
        otherService: text,
        noneOfThese: label,
        contact: text,
        expired: text,
        sensitive: text,
        sensitivePassword: text,
        nonText: text,
        stepHeader: text,
        stuckIntro: text,
        stuckNone: text,
        notMine: label,
        completed: text,
        completedNext: text,
        walkHint: text,
        noWalk: text,
        badButton: text,
        staleStep: text,
        offerWalk: text,
        tooFast: text,
        /** Emergencies: {numbers} is filled with the lines of emergencyNumbers that fit. */
        emergency: text,
        emergencyNumbers: z.object({ '113': text, '114': text, '115': text }).strict(),
        emergencyScam: text,
        smallTalk: z.object({ thanks: text, bye: text, ack: text, who: text }).strict(),
        /** The last resort after an error nobody recognises: contact and hotline. */
        stuckUnknown: text,
        /** Several communes on one shared bot (communes.yaml): asking which one, once. */
        askCommune: text,
        communeSet: text,
        communeUnknown: text,
        communeAmbiguous: text,
        /** Appended where the contact is given while the office is closed: {opens}. */
        officeClosed: text,
      })
      .strict(),
    buttons: z
      .object({
        next: label,
        back: label,
        stuck: label,
        menu: label,
        walk: label,
        resume: label,
        more: label,
        contact: label,
        changeCommune: label,
        skipCommune: label,
      })
      .strict(),
    menu: z
      .array(
        z
          .object({
            key: z.string().regex(/^[a-z0-9]+$/),
            label,
            intro: text.optional(),
            kinds: z.array(z.enum(entryKinds)).optional(),
            ids: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(10),
  })
  .strict();

export type Script = z.infer<typeof scriptSchema>;
export type MenuItem = Script['menu'][number];

export const DEFAULT_SCRIPT_FILE = new URL('../../../content/dialog.yaml', import.meta.url).pathname;

export function loadScript(file: string = DEFAULT_SCRIPT_FILE): Script {
  return scriptSchema.parse(parseYaml(readFileSync(file, 'utf8')));
}

/** Fills {name} placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m)).trimEnd();
}

/** Menu items must name entries that exist. */
export function scriptErrors(script: Script, content: ContentBase): ContentError[] {
  return script.menu.flatMap((item, i) =>
    (item.ids ?? []).flatMap((id, k) => (content.byId.has(id) ? [] : [{ file: 'dialog.yaml', field: `menu.${i}.ids.${k}`, reason: `id "${id}" không tồn tại` }])),
  );
}
