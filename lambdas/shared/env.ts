/** Fail-fast environment reading: a missing variable is a deployment bug, reported at cold start. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}

export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value ? value : undefined;
}

/** A numeric setting, or undefined when unset; a value that is not a number is a deployment bug. */
export function optionalNumberEnv(name: string): number | undefined {
  const value = optionalEnv(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new ConfigurationError(`environment variable ${name} must be a non-negative number`);
  return parsed;
}
