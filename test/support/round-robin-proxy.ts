/**
 * A load balancer in front of several `web` processes, as production puts one: each request goes
 * to the next upstream in turn; one that refuses the connection is skipped for the next; a
 * request that an upstream dropped mid-way (it died) is answered 502, so the platform sends the
 * update again, as it does for anything but 200.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export class RoundRobinProxy {
  private server: Server | undefined;
  private next = 0;
  /** Requests answered per upstream index, and 502s. */
  readonly served: number[] = [];
  badGateway = 0;

  constructor(private readonly upstreams: string[]) {}

  /** Replaces an upstream (a process restarted on another port). */
  setUpstream(i: number, address: string): void {
    this.upstreams[i] = address;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.forward(req).then(
        (r) => {
          res.writeHead(r.status, { 'content-type': r.type });
          res.end(r.body);
        },
        () => {
          this.badGateway++;
          res.writeHead(502).end();
        },
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
  }

  private async forward(req: IncomingMessage): Promise<{ status: number; type: string; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection') headers[k] = v;
    for (let tried = 0; tried < this.upstreams.length; tried++) {
      const i = this.next++ % this.upstreams.length;
      let res: Response;
      try {
        res = await fetch(`${this.upstreams[i]}${req.url}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
      } catch (err) {
        // Refused before anything was sent: the next upstream may take it. Dropped mid-way: 502.
        if ((err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') continue;
        throw err;
      }
      this.served[i] = (this.served[i] ?? 0) + 1;
      return { status: res.status, type: res.headers.get('content-type') ?? 'application/json', body: Buffer.from(await res.arrayBuffer()) };
    }
    throw new Error('no upstream took the request');
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => {
      if (!this.server) return r();
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}
