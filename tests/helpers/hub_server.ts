// A stand-in for the Hugging Face Hub for browser tests: serves directories at the Hub's file URLs,
// /{id}/resolve/{revision}/{file} (any revision), to pages on other origins, and logs every request it gets.
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface HubServer {
  /** Base URL, with a trailing slash (what env.remoteHost takes). */
  url: string;
  /** "METHOD /path" of every request, in order. */
  requests: string[];
  server: Server;
}

/** repos: id → directory → a running server on a free port of 127.0.0.1. */
export function startHubServer(repos: Record<string, string>): Promise<HubServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('Access-Control-Allow-Origin', '*'); // the page is on another origin (the demo server)
    const m = /^\/(.+)\/resolve\/([^/]+)\/([^/]+)$/.exec(req.url ?? '');
    const dir = m ? repos[m[1]!] : undefined;
    const file = m && dir ? join(dir, decodeURIComponent(m[3]!)) : undefined;
    if (!file || !statSync(file, { throwIfNoEntry: false })?.isFile()) return void res.writeHead(404).end();
    const bytes = readFileSync(file);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, requests, server }),
    ),
  );
}
