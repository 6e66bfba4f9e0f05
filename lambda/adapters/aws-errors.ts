/** The SDK's error name (`ResourceNotFoundException`, `ParameterNotFound`, …) without importing every class. */
export function awsErrorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}
