/** A webhook receiver on 127.0.0.1 for tests: records every request (at the test bed's clock) and answers as told. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  status: number;
}

/** A webhook receiver on 127.0.0.1 answering what `answer` says for each request. */
export class Receiver {
  readonly requests: Received[] = [];
  answer: (request: { at: number; count: number; gone: AbortSignal }) => number | Promise<number> = () => 200;
  private readonly server: Server;
  url = '';

  constructor(private readonly now: () => number) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      const gone = new AbortController();
      response.on('close', () => gone.abort());
      request.on('end', async () => {
        const at = this.now();
        const received: Received = { at, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), path: request.url ?? '', status: 0 };
        this.requests.push(received);
        const status = received.status = await this.answer({ at, count: this.requests.length, gone: gone.signal });
        if (gone.signal.aborted) return;
        response.writeHead(status, status >= 300 && status < 400 ? { location: 'http://169.254.169.254/latest/meta-data/' } : {}).end();
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/sendfleet?source=test`;
    return this;
  }

  stop = () => new Promise<void>((resolve) => this.server.close(() => resolve()));
  ids = () => this.requests.map((r) => r.headers['webhook-id']);
}

