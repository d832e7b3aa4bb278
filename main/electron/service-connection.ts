// Starts the service utility process and keeps one RPC client to it; a crashed
// service is started again on the next call rather than taking the app down.
import { MessageChannelMain, utilityProcess, type UtilityProcess } from 'electron';
import type { ApiTransport } from '../api/client.js';
import { RpcClient } from '../api/rpc-client.js';
import { portChannel } from './port-channel.js';

export class ServiceConnection implements ApiTransport {
  private child?: UtilityProcess;
  private client?: RpcClient;

  constructor(
    private readonly entry: string,
    private readonly appVersion: string,
  ) {}

  request: ApiTransport['request'] = (method, params, signal) => this.connect().request(method, params, signal);

  subscribe: ApiTransport['subscribe'] = (event, params, onData, onEnd) => this.connect().subscribe(event, params, onData, onEnd);

  close(): void {
    this.client?.close();
    this.child?.kill();
    this.client = undefined;
    this.child = undefined;
  }

  private connect(): RpcClient {
    if (this.client) return this.client;
    const child = utilityProcess.fork(this.entry, [], {
      serviceName: 'bpfscope service',
      env: { ...process.env, BPFSCOPE_APP_VERSION: this.appVersion },
    });
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage(null, [port2]);
    const client = new RpcClient(portChannel(port1), (error) => console.error('bpfscope: service refused a message', error));
    child.once('exit', (code) => {
      if (this.child !== child) return;
      console.error(`bpfscope: service process exited (${code}); it restarts on the next request`);
      client.close();
      this.client = undefined;
      this.child = undefined;
    });
    this.child = child;
    this.client = client;
    return client;
  }
}
