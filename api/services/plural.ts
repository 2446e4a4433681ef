/**
 * "1 day", "2 days", "0 creators": a count with its noun in the right number. English plurals that
 * are not noun + "s" pass their own (`countOf(n, "person", "people")`).
 */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
