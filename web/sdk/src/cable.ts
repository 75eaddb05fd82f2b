// The ActionCable-style websocket of docs/contracts.md.

import type { Transport } from './flow';
import type { Preflight } from './types';

const identifier = JSON.stringify({ channel: 'KycChannel' });

/** Cable is the websocket Transport. */
export class Cable implements Transport {
  private ws: WebSocket | null = null;
  private down = false;

  constructor(private readonly url: string) {}

  open(onPreflight: (p: Preflight) => void, onDown: () => void): void {
    const lost = () => {
      if (this.down) return;
      this.down = true;
      this.ws = null;
      onDown();
    };
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      lost();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => {
      let msg: any;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (msg.type === 'welcome') {
        ws.send(JSON.stringify({ command: 'subscribe', identifier }));
      } else if (msg.message && typeof msg.message === 'object' && msg.message.screen) {
        onPreflight(msg.message as Preflight);
      } else if (msg.type === 'reject_subscription' || msg.type === 'disconnect') {
        ws.close();
      }
    };
    ws.onerror = lost;
    ws.onclose = lost;
  }

  requestPreflight(): boolean {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send('preflight');
    return true;
  }

  close(): void {
    this.down = true;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onerror = ws.onmessage = null;
      ws.close();
    }
  }
}
