// The bare proxy as a process of its own: `node bare-proxy.process.ts <upstream> <port>`; says "ready" over IPC.
import { startBareProxy } from './bare-proxy.ts';

const [upstream, port] = process.argv.slice(2);
startBareProxy(upstream, Number(port)).then(
  (app) => {
    process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
    process.send?.('ready');
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
