// dist/demo-server.js (`npm run demo`): a tiny static server on 127.0.0.1 for the in-browser demo.
// Serves the page (src/web/demo.html, demo.css), the browser bundles (dist/browser/) and, with
// --model DIR, that model directory under /model/. 127.0.0.1 is a secure context, which WebGPU needs.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = `Usage: node dist/demo-server.js [--model DIR] [--port N] [--host ADDR]

Serves the webtune demo page. Open the printed URL in a browser with WebGPU (Chrome, Edge).
  --model DIR   a model directory (config.json, model.safetensors, vocab.txt or tokenizer.json),
                served under /model/ and loaded by the page on start; without it the page asks
                for model files, a URL or a Hugging Face Hub id
  --port N      port (default 8080; 0 picks a free one)
  --host ADDR   address to listen on (default 127.0.0.1; WebGPU needs localhost or https)
  -h, --help    show this help`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

interface ServerArgs {
  model?: string;
  port: number;
  host: string;
}

function parseArgs(argv: string[]): ServerArgs | 'help' {
  const out: ServerArgs = { port: 8080, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '-h' || flag === '--help') return 'help';
    else if (flag === '--model') out.model = resolve(value());
    else if (flag === '--port') {
      const v = value();
      out.port = Number(v);
      if (!/^\d+$/.test(v) || out.port > 65535)
        throw new Error(`--port must be an integer in [0, 65535], got ${JSON.stringify(v)}`);
    } else if (flag === '--host') out.host = value();
    else throw new Error(`unknown argument ${JSON.stringify(flag)}`);
  }
  if (out.model !== undefined && !statSync(out.model, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`--model ${out.model}: no such directory`);
  }
  return out;
}

/** [URL prefix, directory, extensions served (all when absent)]. The page's html/css live in src/web, next to its code. */
type Route = [prefix: string, dir: string, only?: string[]];

function routes(args: ServerArgs): Route[] {
  const dist = dirname(fileURLToPath(import.meta.url)); // …/dist
  const out: Route[] = [
    ['/', join(dist, 'browser')],
    ['/', join(dist, '..', 'src', 'web'), ['.html', '.css']],
  ];
  if (args.model) out.unshift(['/model/', args.model]);
  return out;
}

/** request path → a file inside one of the routes' directories, or undefined (never escapes them). */
function lookup(table: Route[], urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path === '/') path = '/demo.html';
  for (const [prefix, dir, only] of table) {
    if (!path.startsWith(prefix) || (only && !only.includes(extname(path)))) continue;
    const file = resolve(dir, `.${path.slice(prefix.length - 1)}`);
    if (file !== dir && !file.startsWith(dir + sep)) continue;
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
  }
  return undefined;
}

function handle(table: Route[], args: ServerArgs, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.setHeader('Cache-Control', 'no-store');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  if (url.pathname === '/demo-config.json') {
    // Tells the page whether a model was given on the command line, so it can load it on start.
    res
      .writeHead(200, { 'Content-Type': TYPES['.json']! })
      .end(JSON.stringify({ modelUrl: args.model ? '/model/' : null }));
    return;
  }
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end(); // no icon; saves a 404 in the page's console
    return;
  }
  const file = lookup(table, url.pathname);
  if (!file) {
    res.writeHead(404, { 'Content-Type': TYPES['.txt']! }).end(`not found: ${url.pathname}\n`);
    return;
  }
  const size = statSync(file).size;
  // Content-Length lets the page show download progress for model.safetensors.
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

function main(): void {
  let args: ServerArgs | 'help';
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`demo-server: ${(err as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const table = routes(args);
  if (!lookup(table, '/webtune.js') || !lookup(table, '/demo.html')) {
    process.stderr.write('demo-server: the page or the browser bundle is missing; run `npm run build` first\n');
    process.exitCode = 1;
    return;
  }
  const a = args;
  const server = createServer((req, res) => handle(table, a, req, res));
  server.on('error', (err) => {
    process.stderr.write(`demo-server: ${err.message}\n`);
    process.exitCode = 1;
  });
  server.listen(a.port, a.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : a.port;
    // Tests read this line to find the port when --port 0 picked a free one.
    process.stdout.write(`webtune demo: http://${a.host}:${port}/${a.model ? `  (model: ${a.model})` : ''}\n`);
  });
}

main();
