/** The engine's protocol errors carry their explanation in error_description, not message. */
export function explainEngineError(error: unknown): string {
  const { error_description: description } = (error ?? {}) as { error_description?: string };
  return description ?? (error instanceof Error ? error.message : String(error));
}
