/**
 * Local mode's ports, each named by the variable that sets it, so that a port in use is reported
 * as "SIM_PORT 4566 is in use; set SIM_PORT to a free port" before anything starts.
 */
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly variable: string, readonly port: number) {
    super(`${variable} ${port} is in use; set ${variable} to a free port (e.g. ${variable}=${port + 1} npm start)`);
  }
}

/** True when nothing listens on 127.0.0.1:port (the address every local service binds). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Throws PortInUseError naming the first variable whose port is taken. Port 0 (any free port) is never taken. */
export async function requireFreePorts(ports: Readonly<Record<string, number>>): Promise<void> {
  for (const [variable, port] of Object.entries(ports)) {
    if (port !== 0 && !(await portIsFree(port))) throw new PortInUseError(variable, port);
  }
}
