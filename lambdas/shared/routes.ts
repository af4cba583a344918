import type { KeyScope } from './tenant-events';

/**
 * Which API key a route admits: `none`, no key at all (public pages); `sending_access`, any key
 * (sending routes only); `full_access`, a full-access key only.
 */
export type RouteScope = KeyScope | 'none';

/** A route as API Gateway knows it: method + resource template (path parameters in braces). */
export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly resource: string;
  /**
   * The key the route needs on the customer API. Absent means `full_access`: a route admits
   * sending-only keys only when its table says so, so a route added without a thought is closed to them.
   */
  readonly scope?: RouteScope;
  /**
   * What the route is for, in the words of a refusal: "Use a full-access key to <purpose>."
   * Names the thing, never the HTTP path.
   */
  readonly purpose?: string;
}

/** The scope a route needs (`full_access` unless its table says otherwise). */
export const requiredScope = (route: Pick<RouteSpec, 'scope'>): RouteScope => route.scope ?? 'full_access';

/**
 * Finds the route template a concrete path belongs to, with its path parameters. As in API
 * Gateway, a literal segment beats a parameter (`/emails/batch` before `/emails/{id}`), and empty
 * segments (`//emails`) are ignored. Local mode uses it to build the same proxy event.
 */
export function matchResource(resources: readonly string[], path: string): { resource: string; pathParameters: Record<string, string> } | undefined {
  const parts = splitPath(path);
  const parameters = (resource: string) => splitPath(resource).filter((segment) => segment.startsWith('{')).length;
  for (const resource of [...resources].sort((a, b) => parameters(a) - parameters(b))) {
    const template = splitPath(resource);
    if (template.length !== parts.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((segment, i) => {
      const part = parts[i] ?? '';
      if (segment.startsWith('{') && segment.endsWith('}')) {
        pathParameters[segment.slice(1, -1)] = part;
        return part.length > 0;
      }
      return segment === part;
    });
    if (matches) return { resource, pathParameters };
  }
  return undefined;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}
