import { SMTPServer } from 'smtp-server';

/**
 * The bench's SMTP server: accepts every mail and keeps only its Message-ID, so that what the
 * benchmark costs the machine is not a mail parser's (the platform's own mail catcher parses each
 * mail for the e2e suites). The platform's side of a mail, composing and sending it, is unchanged.
 */
export async function startSmtpSink(port: number): Promise<{ url: string; messageIds: Set<string>; close: () => Promise<void> }> {
  const messageIds = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, _session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const id = /^Message-ID:\s*<([^>]+)>/im.exec(Buffer.concat(chunks).toString('latin1'))?.[1];
        if (id) messageIds.add(id);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, messageIds, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
