import { z } from 'zod';

/** Button labels must fit every channel (Zalo and Telegram both show ~20 characters). */
export const BUTTON_LABEL_MAX = 20;
/** One phone screen. */
export const ANSWER_MAX = 600;
export const STEP_TEXT_MAX = 400;

const id = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id chỉ gồm chữ thường không dấu, số và dấu gạch ngang (ví dụ: integrate-bhyt)');

const label = z.string().trim().min(1).max(BUTTON_LABEL_MAX, `nhãn nút tối đa ${BUTTON_LABEL_MAX} ký tự`);

/** A known problem of a walkthrough step: either answered inline or by an FAQ entry. */
export const problemSchema = z
  .object({
    label,
    /** Words a citizen would type to describe this problem (matched during the walkthrough). */
    keywords: z.array(z.string().trim().min(1)).default([]),
    answer: z.string().trim().min(1).max(ANSWER_MAX).optional(),
    faq: id.optional(),
  })
  .strict()
  .refine((p) => Boolean(p.answer) !== Boolean(p.faq), {
    message: 'mỗi lỗi cần đúng một trong hai: "answer" (trả lời ngay) hoặc "faq" (id câu hỏi thường gặp)',
  });

/**
 * A choice shown as buttons on a step. `branch` picks which of the following steps apply
 * (steps with `only: <branch>`); `faq` shows that entry, then returns to the walkthrough.
 */
export const choiceSchema = z
  .object({
    label,
    branch: id.optional(),
    faq: id.optional(),
  })
  .strict()
  .refine((c) => Boolean(c.branch) !== Boolean(c.faq), {
    message: 'mỗi lựa chọn cần đúng một trong hai: "branch" hoặc "faq"',
  });

export const stepSchema = z
  .object({
    text: z.string().trim().min(1).max(STEP_TEXT_MAX),
    /** This step is shown only on this branch (set by an earlier choice). */
    only: id.optional(),
    choices: z.array(choiceSchema).min(2).max(4).optional(),
    problems: z.array(problemSchema).max(4).default([]),
    /**
     * A plain confirmation step ("Xong. …") where nothing can go wrong: it may have no problems.
     * Every other step lists its known problems, so "Tôi bị lỗi" is never a dead end.
     */
    plain: z.boolean().optional(),
  })
  .strict();

/**
 * `service`: a public service used through VNeID (residence registration, identity card...);
 * `term`: a glossary entry answering "X là gì?" with one plain definition.
 */
export const entryKinds = ['utility-l1', 'utility-l2', 'guide', 'faq', 'service', 'term'] as const;

/** A day as YYYY-MM-DD (when an official last checked an entry against its sources). */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày theo dạng YYYY-MM-DD, ví dụ 2026-12-01')
  .refine((d) => !Number.isNaN(Date.parse(d)), 'ngày không có thật');

export const entrySchema = z
  .object({
    id,
    kind: z.enum(entryKinds),
    title: z.string().trim().min(3).max(120),
    /** Short button label for this entry (≤ 20 characters). */
    label,
    /** Account level needed: 0 = none (anyone), 1 = level 1, 2 = level 2. */
    level: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    phrasings: z.array(z.string().trim().min(2)).min(8, 'cần ít nhất 8 cách hỏi'),
    keywords: z.array(z.string().trim().min(1)).default([]),
    answer: z.string().trim().min(1).max(ANSWER_MAX, `câu trả lời tối đa ${ANSWER_MAX} ký tự (một màn hình điện thoại)`),
    steps: z.array(stepSchema).min(2).optional(),
    /** After the last step: the natural next guide(s). */
    next: z.array(id).default([]),
    related: z.array(id).max(4).default([]),
    /** Where each legal or procedural fact comes from: URLs or document numbers. */
    sources: z.array(z.string().trim().min(3)).default([]),
    /** When the answer was last checked against its sources (content:check lists old ones). */
    // YAML reads an unquoted 2026-12-01 as a date: accept both spellings.
    checked: z.preprocess((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v), isoDate).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.kind === 'guide' && !e.steps) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'hướng dẫn (kind: guide) cần có "steps"' });
    }
    if (e.kind !== 'guide' && e.kind !== 'service' && e.steps) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'chỉ hướng dẫn (kind: guide) và dịch vụ (kind: service) mới có "steps"' });
    }
    if (e.related.includes(e.id)) {
      ctx.addIssue({ code: 'custom', path: ['related'], message: 'không liên kết tới chính mình' });
    }
  });

export type Problem = z.infer<typeof problemSchema>;
export type Choice = z.infer<typeof choiceSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Entry = z.infer<typeof entrySchema>;
export type EntryKind = (typeof entryKinds)[number];
