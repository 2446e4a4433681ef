/** PostgreSQL unique_violation (23505): the caller maps it to a clear ConflictError. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "23505";
}
