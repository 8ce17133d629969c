/**
 * Walkthrough position arithmetic over a guide's steps. Pure: the engine stores the position.
 * A step with `only: <branch>` belongs to one branch, chosen by an earlier step's choice.
 */
import type { Entry, Step } from '../content/schema.js';

export interface WalkPosition {
  guideId: string;
  /** Index into entry.steps. */
  step: number;
  branch?: string;
  /** Indexes of the steps shown before, for "Quay lại". */
  trail: number[];
}

const applies = (s: Step, branch: string | undefined, firstBranch: string | undefined) =>
  !s.only || s.only === (branch ?? firstBranch);

function firstBranchOf(steps: readonly Step[]): string | undefined {
  return steps.find((s) => s.choices?.some((c) => c.branch))?.choices?.find((c) => c.branch)?.branch;
}

/** The steps on this path; before a branch is chosen, the path of the first branch stands in. */
export function pathOf(entry: Entry, branch: string | undefined): number[] {
  const steps = entry.steps ?? [];
  const first = firstBranchOf(steps);
  return steps.flatMap((s, i) => (applies(s, branch, first) ? [i] : []));
}

export function counter(entry: Entry, pos: WalkPosition): { n: number; total: number } {
  const path = pathOf(entry, pos.branch);
  return { n: Math.max(1, path.indexOf(pos.step) + 1), total: path.length };
}

export function start(entry: Entry): WalkPosition {
  return { guideId: entry.id, step: pathOf(entry, undefined)[0] ?? 0, trail: [] };
}

/** The next position, or null when the guide is finished. */
export function next(entry: Entry, pos: WalkPosition, branch = pos.branch): WalkPosition | null {
  const following = pathOf(entry, branch).find((i) => i > pos.step);
  if (following === undefined) return null;
  return { guideId: pos.guideId, step: following, branch, trail: [...pos.trail, pos.step] };
}

export function back(pos: WalkPosition): WalkPosition {
  const trail = [...pos.trail];
  const step = trail.pop();
  return step === undefined ? pos : { ...pos, step, trail };
}

export function stepAt(entry: Entry, pos: WalkPosition): Step | undefined {
  return entry.steps?.[pos.step];
}
