/** Codes of the expected failures of marketing edits (GraphQL userErrors). */
export type InputProblemCode = 'INVALID' | 'NOT_FOUND' | 'NAME_TAKEN';

/** One expected failure of an edit: the input field it concerns (a path), a code and a sentence. */
export interface InputProblem {
  readonly field: readonly string[];
  readonly code: InputProblemCode;
  readonly message: string;
}

/** An INVALID problem of one field. */
export function invalid(field: readonly string[], message: string): InputProblem {
  return { field, code: 'INVALID', message };
}

/** The same problems with their field paths under `prefix` (the argument they were passed in). */
export function underField(prefix: readonly string[], problems: readonly InputProblem[]): InputProblem[] {
  return problems.map((p) => ({ ...p, field: [...prefix, ...p.field] }));
}
