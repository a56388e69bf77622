import { connect, type Socket } from 'node:net';

export interface RawUpload {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Size of the body to upload (bytes of JSON-ish filler). */
  bodyBytes: number;
  /** Send the body with `Transfer-Encoding: chunked` and no Content-Length. */
  chunked?: boolean;
  /** Send `Expect: 100-continue` and upload the body only if the server says `100 Continue`. */
  expectContinue?: boolean;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Body bytes the client managed to write before it had its answer. */
  uploaded: number;
  /** Whether the server sent `100 Continue` (for `expectContinue`). */
  invitedToSend: boolean;
}

const CHUNK = 64 * 1024;

/**
 * An HTTP/1.1 upload over a plain socket, the way most clients do it: it writes the whole body, and
 * only then reads the answer (with `expectContinue`, it first waits for the server's go-ahead). Fails
 * with the socket error when the connection is reset before the answer could be read, which is
 * exactly what the tests check for.
 */
export function rawUpload(baseUrl: string, upload: RawUpload): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    let uploaded = 0;
    let invitedToSend = false;
    let answered: RawAnswer | undefined;
    let bodyStarted = false;
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));

    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json', ...upload.headers };
    if (upload.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(upload.bodyBytes);
    if (upload.expectContinue) headers['expect'] = '100-continue';
    const head = `${upload.method} ${upload.path} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;

    const sendBody = async () => {
      if (bodyStarted) return;
      bodyStarted = true;
      const filler = Buffer.alloc(CHUNK, 'a');
      let left = upload.bodyBytes;
      while (left > 0 && !answered && !socket.destroyed) {
        const size = Math.min(CHUNK, left);
        const piece = upload.chunked ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), filler.subarray(0, size), Buffer.from('\r\n')]) : filler.subarray(0, size);
        if (!socket.write(piece)) await new Promise((drained) => socket.once('drain', drained));
        uploaded += size;
        left -= size;
      }
      if (upload.chunked && !answered && !socket.destroyed) socket.write('0\r\n\r\n');
      socket.resume();
    };

    const parse = (): RawAnswer | undefined => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      const parsed = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      if (status === 100) {
        invitedToSend = true;
        received = received.subarray(end + 4);
        void sendBody();
        return parse();
      }
      const length = Number(parsed['content-length'] ?? NaN);
      const body = received.subarray(end + 4);
      if (Number.isNaN(length) || body.length < length) return undefined;
      return { status, headers: parsed, body: body.subarray(0, length).toString('utf8'), uploaded, invitedToSend };
    };

    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      answered ??= parse();
      if (answered) {
        resolve(answered);
        socket.destroy();
      }
    });
    socket.on('error', (error) => {
      if (!answered) reject(Object.assign(error, { uploaded }));
    });
    socket.on('close', () => {
      if (!answered) reject(new Error(`connection closed without an answer after uploading ${uploaded} bytes`));
    });
    socket.on('connect', () => {
      socket.write(head);
      if (upload.expectContinue) return;
      // Not reading while uploading: an answer sent early waits in the receive buffer, where a reset
      // from the server would destroy it.
      socket.pause();
      void sendBody();
    });
  });
}
